// Per-uid admission on the control socket (issue 10 finding 7, RELIABILITY.md X7): the
// ConnectionBudget's bookkeeping, then the server over the in-memory channel where one user's
// silent clients hold their share and root is still answered at once.
#include "agent/control/connection_budget.h"

#include <doctest/doctest.h>

#include <chrono>

#include "agent/control/control_server.h"
#include "agent/control/frame.h"
#include "tests/fakes/fake_local_channel.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::control {
namespace {

using namespace std::chrono_literals;
using testing::FakeLocalChannel;

TEST_CASE("budget: a user gets max_per_user, other users share what root does not reserve") {
  ConnectionBudget b({.workers = 5, .reserved_for_root = 2, .max_per_user = 2, .max_root = 3});
  CHECK(b.tryAcquire(1000));
  CHECK(b.tryAcquire(1000));
  CHECK_FALSE(b.tryAcquire(1000));  // its own share
  CHECK(b.tryAcquire(1001));
  CHECK_FALSE(b.tryAcquire(1002));  // 3 = workers - reserved held by other users
  CHECK(b.admitted(1000) == 2);
  CHECK(b.admitted(1002) == 0);
  for (int i = 0; i < 3; ++i) CHECK(b.tryAcquire(0));  // root: its reserve and beyond
  CHECK_FALSE(b.tryAcquire(0));                        // max_root
  CHECK(b.admitted() == 6);
  b.release(1000);
  CHECK(b.tryAcquire(1002));  // a slot given back is another user's to take
  CHECK_FALSE(b.tryAcquire(1000));
  b.release(0);
  CHECK(b.tryAcquire(0));
  b.release(4242);  // never admitted: nothing changes
  CHECK(b.admitted() == 6);
}

TEST_CASE("budget: limits of 0 still admit; reserved never takes every worker") {
  ConnectionBudget b({.workers = 0, .reserved_for_root = 5, .max_per_user = 0, .max_root = 0});
  CHECK(b.limits().workers == 1);
  CHECK(b.limits().reserved_for_root == 0);
  CHECK(b.tryAcquire(1000));
  CHECK_FALSE(b.tryAcquire(1001));
  CHECK(b.tryAcquire(0));
  CHECK_FALSE(b.tryAcquire(0));
}

v1::ControlRequest statusRequest() {
  v1::ControlRequest r;
  r.mutable_get_status();
  return r;
}

class EchoUid final : public ControlHandler {
 public:
  v1::ControlResponse handle(const v1::ControlRequest&, const PeerIdentity& peer) override {
    v1::ControlResponse r;
    r.mutable_status()->set_pid(peer.uid);
    return r;
  }
};

Result<v1::ControlResponse> ask(LocalConnection& conn, const v1::ControlRequest& req) {
  v1::ControlResponse response;
  XIAOAN_RETURN_IF_ERROR(exchangeFrames(conn, req, response, deadlineAfter(5s)));
  return response;
}

TEST_CASE("one user's silent clients hold their share only; root and others are answered") {
  testing::TempDir dir;
  const std::string path = dir.str() + "/agent.sock";
  FakeLocalChannel channel;
  EchoUid handler;
  ControlServer server({.socket_path = path, .request_timeout = 5s}, handler, channel);
  REQUIRE(server.start().isOk());
  const PeerIdentity student{.pid = 900, .uid = 1000, .gid = 1000};
  std::vector<std::unique_ptr<LocalConnection>> held;
  for (int i = 0; i < 8; ++i) held.push_back(std::move(channel.connectAs(path, student)).value());
  // The 5 beyond the share of 3 are answered E_OVERLOADED at once and closed.
  int refused = 0;
  for (auto& c : held) {
    v1::ControlResponse r;
    if (readFrame(*c, r, kMaxFrameBytes, deadlineAfter(100ms)).isOk()) {
      refused += r.error().code() == "E_OVERLOADED";
    }
  }
  CHECK(refused == 5);
  CHECK(server.refused() == 5);
  const auto t0 = std::chrono::steady_clock::now();
  auto root =
      ask(*channel.connectAs(path, PeerIdentity{.pid = 1, .uid = 0}).value(), statusRequest());
  REQUIRE(root.isOk());
  CHECK(root->status().pid() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
  auto other =
      ask(*channel.connectAs(path, PeerIdentity{.pid = 2, .uid = 1001}).value(), statusRequest());
  REQUIRE(other.isOk());
  CHECK(other->status().pid() == 1001);
  // The student's own fourth request is refused while three are held.
  auto fourth = ask(*channel.connectAs(path, student).value(), statusRequest());
  REQUIRE(fourth.isOk());
  CHECK(fourth->error().code() == "E_OVERLOADED");
}

TEST_CASE("a client that does not send its whole request in time is cut, its slot freed") {
  testing::TempDir dir;
  const std::string path = dir.str() + "/agent.sock";
  FakeLocalChannel channel;
  EchoUid handler;
  ControlServer server(
      {.socket_path = path, .limits = {.max_per_user = 1}, .request_timeout = 300ms}, handler,
      channel);
  REQUIRE(server.start().isOk());
  const PeerIdentity student{.pid = 900, .uid = 1000, .gid = 1000};
  auto slow = channel.connectAs(path, student).value();
  const auto t0 = std::chrono::steady_clock::now();
  // Half a length prefix, then nothing more: the frame never completes.
  REQUIRE(slow->writeAll("\0\0", 2, deadlineAfter(1s)).isOk());
  char byte;
  auto got = slow->readSome(&byte, 1, deadlineAfter(3s));
  REQUIRE(got.isOk());
  CHECK(*got == 0);  // closed by the server
  const auto cut_after = std::chrono::steady_clock::now() - t0;
  CHECK(cut_after >= 250ms);
  CHECK(cut_after < 1500ms);
  // Its slot is back (given back just after the close): the same user is served again.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    auto again = ask(*channel.connectAs(path, student).value(), statusRequest());
    served = again.isOk() && again->status().pid() == 1000;
    if (!served) std::this_thread::sleep_for(10ms);
  }
  CHECK(served);
  CHECK(server.refused() <= 1);
}

}  // namespace
}  // namespace xiaoan::control
