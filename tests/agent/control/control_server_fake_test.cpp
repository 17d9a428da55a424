// The control server's own logic over the in-memory channel: who may do what, bounded workers,
// time-outs and shutdown, with any peer identity and without root. control_server_test.cpp
// runs the same server on real sockets.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <mutex>

#include "agent/control/control_server.h"
#include "agent/control/frame.h"
#include "agent/core/agent_control_handler.h"
#include "tests/agent/core/fakes.h"
#include "tests/fakes/fake_local_channel.h"

namespace xiaoan::control {
namespace {

using namespace std::chrono_literals;
using testing::FakeLocalChannel;
using testing::TempDir;

// Answers every request with a status whose pid is the caller's uid, and records the peers.
class RecordingHandler final : public ControlHandler {
 public:
  v1::ControlResponse handle(const v1::ControlRequest&, const PeerIdentity& peer) override {
    {
      std::lock_guard lock(mu_);
      peers_.push_back(peer);
    }
    v1::ControlResponse r;
    r.mutable_status()->set_pid(peer.uid);
    return r;
  }
  std::vector<PeerIdentity> peers() const {
    std::lock_guard lock(mu_);
    return peers_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<PeerIdentity> peers_;
};

v1::ControlRequest statusRequest() {
  v1::ControlRequest r;
  r.mutable_get_status();
  return r;
}

Result<v1::ControlResponse> callAs(FakeLocalChannel& channel, const std::string& path,
                                   std::optional<PeerIdentity> who,
                                   const v1::ControlRequest& request = statusRequest()) {
  XIAOAN_ASSIGN_OR_RETURN(auto conn, channel.connectAs(path, who));
  XIAOAN_RETURN_IF_ERROR(writeFrame(*conn, request, deadlineAfter(5s)));
  v1::ControlResponse response;
  XIAOAN_RETURN_IF_ERROR(readFrame(*conn, response, kMaxFrameBytes, deadlineAfter(5s)));
  return response;
}

struct Fixture {
  TempDir dir;
  std::string path = dir.str() + "/run/xiaoan/agent.sock";
  FakeLocalChannel channel;
  RecordingHandler handler;
};

TEST_CASE("the endpoint is open to every local user, in a created directory, until stop") {
  Fixture f;
  ControlServer server({.socket_path = f.path}, f.handler, f.channel);
  REQUIRE(server.start().isOk());
  CHECK(std::filesystem::is_directory(f.dir.str() + "/run/xiaoan"));
  REQUIRE(f.channel.listened().size() == 1);
  CHECK(f.channel.listened()[0].path == f.path);
  CHECK(f.channel.listened()[0].mode == 0666);
  CHECK(f.channel.listening(f.path));
  server.stop();
  CHECK_FALSE(f.channel.listening(f.path));
  CHECK(callAs(f.channel, f.path, PeerIdentity{}).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("the handler sees the identity the OS reports for each client") {
  Fixture f;
  ControlServer server({.socket_path = f.path, .limits = {.workers = 2}}, f.handler, f.channel);
  REQUIRE(server.start().isOk());
  auto user = callAs(f.channel, f.path, PeerIdentity{.pid = 77, .uid = 1000, .gid = 100});
  auto root = callAs(f.channel, f.path, PeerIdentity{.pid = 1, .uid = 0, .gid = 0});
  REQUIRE(user.isOk());
  REQUIRE(root.isOk());
  CHECK(user->status().pid() == 1000);
  CHECK(root->status().pid() == 0);
  const auto peers = f.handler.peers();
  REQUIRE(peers.size() == 2);
  CHECK(peers[0].pid == 77);
  CHECK(peers[0].gid == 100);
}

TEST_CASE("a client the OS cannot identify is dropped without an answer") {
  Fixture f;
  ControlServer server({.socket_path = f.path}, f.handler, f.channel);
  REQUIRE(server.start().isOk());
  // The server may close before or after the request is written: either way, no answer.
  const auto code = callAs(f.channel, f.path, std::nullopt).status().code();
  CHECK((code == ErrorCode::kProtocol || code == ErrorCode::kIo));
  CHECK(f.handler.peers().empty());
}

TEST_CASE("silent clients and clients that do not read cannot hold the workers") {
  Fixture f;
  ControlServer server({.socket_path = f.path,
                        .limits = {.workers = 2},
                        .request_timeout = 200ms,
                        .io_timeout = 200ms},
                       f.handler, f.channel);
  REQUIRE(server.start().isOk());
  std::vector<std::unique_ptr<LocalConnection>> idle;
  for (int i = 0; i < 4; ++i) {
    auto conn = f.channel.connectAs(f.path, PeerIdentity{});
    REQUIRE(conn.isOk());
    idle.push_back(std::move(conn).value());
  }
  // A client that asks but never reads: the answer does not fit its 8-byte buffer.
  auto stuck = f.channel.connectAs(f.path, PeerIdentity{}, 8);
  REQUIRE(stuck.isOk());
  REQUIRE(writeFrame(**stuck, statusRequest(), deadlineAfter(1s)).isOk());
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(callAs(f.channel, f.path, PeerIdentity{}).isOk());
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
}

TEST_CASE("stop returns while workers wait for clients or read a silent one") {
  Fixture f;
  auto server = std::make_unique<ControlServer>(ControlServerOptions{.socket_path = f.path,
                                                                     .limits = {.workers = 3},
                                                                     .request_timeout = 300ms,
                                                                     .io_timeout = 300ms},
                                                f.handler, f.channel);
  REQUIRE(server->start().isOk());
  auto silent = f.channel.connectAs(f.path, PeerIdentity{});
  REQUIRE(silent.isOk());
  std::this_thread::sleep_for(20ms);  // a worker picks it up
  const auto t0 = std::chrono::steady_clock::now();
  server.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
}

// The agent's handler behind the server: permissions follow the identity, not the request.
struct AgentFixture : Fixture {
  testing::FakeClock clock;
  std::unique_ptr<agent::Spool> spool;
  agent::StatusModel status{agent::StatusModelOptions{"9.9.9", "https://c", 77, {}, 1 << 20, 60},
                            clock, [this] { return spool->stats(); }};
  agent::EventFactory events{clock, "boot-x", [] { return std::string("agent-1"); }};
  std::unique_ptr<agent::AgentControlHandler> agent_handler;

  AgentFixture() {
    agent::SpoolOptions o;
    o.dir = dir.str() + "/spool";
    o.clock = &clock;
    auto s = agent::Spool::open(o);
    REQUIRE_MESSAGE(s.isOk(), s.status().toString());
    spool = std::move(s).value();
    agent_handler = std::make_unique<agent::AgentControlHandler>(status, *spool, events);
  }
};

v1::ControlRequest testEvents(uint32_t count) {
  v1::ControlRequest r;
  r.mutable_send_test_events()->set_count(count);
  r.mutable_send_test_events()->set_request_id("req-1");
  return r;
}

TEST_CASE("a non-root user reads the status but cannot append test events; root can") {
  AgentFixture f;
  ControlServer server({.socket_path = f.path}, *f.agent_handler, f.channel);
  REQUIRE(server.start().isOk());
  const PeerIdentity nobody{.pid = 500, .uid = 65534, .gid = 65534};
  auto denied = callAs(f.channel, f.path, nobody, testEvents(5));
  REQUIRE(denied.isOk());
  CHECK(denied->error().code() == "E_PERMISSION_DENIED");
  CHECK_FALSE(denied->has_test_events());
  auto status = callAs(f.channel, f.path, nobody);
  REQUIRE(status.isOk());
  CHECK(status->status().agent_version() == "9.9.9");
  for (const auto& s : f.spool->stats().streams) CHECK(s.pending_records == 0);

  auto allowed = callAs(f.channel, f.path, PeerIdentity{.pid = 1, .uid = 0}, testEvents(5));
  REQUIRE(allowed.isOk());
  CHECK(allowed->test_events().appended() == 5);
}

}  // namespace
}  // namespace xiaoan::control
