#include "agent/control/frame.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "platform/unique_fd.h"
#include "tests/support/temp_dir.h"
#include "xiaoan/v1/control.pb.h"

namespace xiaoan::control {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using xiaoan::testing::TempDir;

// Two connected ends (a blocking socket pair, unlike what the channel makes), with their raw
// descriptors for the tests that poke the kernel directly.
struct SocketPair {
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    a_fd = fds[0];
    b_fd = fds[1];
    a = adoptLocalConnection(a_fd);
    b = adoptLocalConnection(b_fd);
  }
  int a_fd = -1;
  int b_fd = -1;
  std::unique_ptr<LocalConnection> a;
  std::unique_ptr<LocalConnection> b;
};

void writeRaw(int fd, const std::string& bytes) {
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
}

std::string header(uint32_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
}

v1::ControlResponse bigResponse(size_t text_bytes) {
  v1::ControlResponse r;
  r.mutable_status()->set_agent_version("0.1.0");
  r.mutable_status()->set_collector_url(std::string(text_bytes, 'x'));
  return r;
}

UniqueFd listenAt(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd.get(), 4) == 0);
  return fd;
}

TEST_CASE("a request round-trips over a socketpair") {
  SocketPair sp;
  v1::ControlRequest req;
  req.mutable_send_test_events()->set_count(7);
  req.mutable_send_test_events()->set_request_id("r-1");
  REQUIRE(writeFrame(*sp.a, req).isOk());
  v1::ControlRequest got;
  REQUIRE(readFrame(*sp.b, got).isOk());
  CHECK(got.send_test_events().count() == 7);
  CHECK(got.send_test_events().request_id() == "r-1");
}

TEST_CASE("an empty message is a valid zero-length frame") {
  SocketPair sp;
  REQUIRE(writeFrame(*sp.a, v1::ControlResponse()).isOk());
  v1::ControlResponse got;
  got.mutable_error()->set_code("stale");
  REQUIRE(readFrame(*sp.b, got).isOk());
  CHECK_FALSE(got.has_error());
}

TEST_CASE("a frame near the cap crosses the socket in many short reads and writes") {
  SocketPair sp;
  int small = 4096;
  REQUIRE(::setsockopt(sp.a_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
  const auto sent = bigResponse(kMaxFrameBytes - 64);
  Status write_status;
  std::thread writer([&] { write_status = writeFrame(*sp.a, sent); });
  v1::ControlResponse got;
  Status read_status = readFrame(*sp.b, got);
  writer.join();
  REQUIRE(write_status.isOk());
  REQUIRE(read_status.isOk());
  CHECK(got.status().collector_url() == sent.status().collector_url());
}

TEST_CASE("messages above the cap are refused on both sides") {
  SocketPair sp;
  Status st = writeFrame(*sp.a, bigResponse(kMaxFrameBytes));
  CHECK(st.code() == ErrorCode::kTooLarge);

  writeRaw(sp.a_fd, header(kMaxFrameBytes + 1));
  v1::ControlResponse got;
  CHECK(readFrame(*sp.b, got).code() == ErrorCode::kTooLarge);

  SocketPair sp2;
  writeRaw(sp2.a_fd, header(100) + std::string(100, '\0'));
  CHECK(readFrame(*sp2.b, got, 99).code() == ErrorCode::kTooLarge);

  SocketPair sp3;
  writeRaw(sp3.a_fd, "\xff\xff\xff\xff");
  CHECK(readFrame(*sp3.b, got).code() == ErrorCode::kTooLarge);
}

TEST_CASE("end of stream before or inside a frame is a protocol error") {
  v1::ControlRequest got;
  {
    SocketPair sp;
    sp.a.reset();  // closes that end
    CHECK(readFrame(*sp.b, got).code() == ErrorCode::kProtocol);
  }
  {
    SocketPair sp;
    writeRaw(sp.a_fd, std::string("\0\0", 2));
    sp.a.reset();  // closes that end
    CHECK(readFrame(*sp.b, got).code() == ErrorCode::kProtocol);
  }
  {
    SocketPair sp;
    writeRaw(sp.a_fd, header(10) + "abc");
    sp.a.reset();  // closes that end
    Status st = readFrame(*sp.b, got);
    CHECK(st.code() == ErrorCode::kProtocol);
    CHECK(st.message().find("middle") != std::string::npos);
  }
}

TEST_CASE("bytes that are not the expected message are a protocol error") {
  SocketPair sp;
  const std::string junk = "\xff\xff\xff\xff\xff";  // truncated varint field tag
  writeRaw(sp.a_fd, header(static_cast<uint32_t>(junk.size())) + junk);
  v1::ControlRequest got;
  CHECK(readFrame(*sp.b, got).code() == ErrorCode::kProtocol);
}

TEST_CASE("a silent peer times out at the deadline") {
  SocketPair sp;
  v1::ControlRequest got;
  auto t0 = std::chrono::steady_clock::now();
  Status st = readFrame(*sp.b, got, kMaxFrameBytes, deadlineAfter(150ms));
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(st.code() == ErrorCode::kTimeout);
  CHECK(took >= 150ms);
  CHECK(took < 3s);

  // Half a frame, then silence: still a timeout, not a hang.
  writeRaw(sp.a_fd, header(10) + "ab");
  CHECK(readFrame(*sp.b, got, kMaxFrameBytes, deadlineAfter(100ms)).code() == ErrorCode::kTimeout);
}

TEST_CASE("a peer that does not read makes writes time out, even on a blocking socket") {
  SocketPair sp;
  int small = 4096;
  REQUIRE(::setsockopt(sp.a_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
  auto t0 = std::chrono::steady_clock::now();
  Status st = writeFrame(*sp.a, bigResponse(512 * 1024), deadlineAfter(150ms));
  CHECK(st.code() == ErrorCode::kTimeout);
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
}

TEST_CASE("writing to a closed peer is an I/O error, not SIGPIPE") {
  SocketPair sp;
  sp.b.reset();  // closes that end
  Status st = writeFrame(*sp.a, bigResponse(10));
  CHECK(st.code() == ErrorCode::kIo);
}

extern "C" void onAlarm(int) {}

TEST_CASE("signals interrupting poll and read do not break a frame") {
  struct sigaction sa {};
  sa.sa_handler = onAlarm;  // no SA_RESTART: poll/recv return EINTR
  struct sigaction old {};
  REQUIRE(::sigaction(SIGALRM, &sa, &old) == 0);
  itimerval every_5ms{{0, 5000}, {0, 5000}};
  REQUIRE(::setitimer(ITIMER_REAL, &every_5ms, nullptr) == 0);

  SocketPair sp;
  v1::ControlRequest req;
  req.mutable_get_status();
  std::thread writer([&] {
    std::string bytes;
    req.SerializeToString(&bytes);
    std::string frame = header(static_cast<uint32_t>(bytes.size())) + bytes;
    for (char c : frame) {  // dribble one byte at a time
      std::this_thread::sleep_for(20ms);
      REQUIRE(::send(sp.a_fd, &c, 1, MSG_NOSIGNAL) == 1);
    }
  });
  v1::ControlRequest got;
  Status st = readFrame(*sp.b, got, kMaxFrameBytes, deadlineAfter(5s));
  writer.join();
  itimerval off{};
  ::setitimer(ITIMER_REAL, &off, nullptr);
  ::sigaction(SIGALRM, &old, nullptr);
  REQUIRE(st.isOk());
  CHECK(got.has_get_status());
}

TEST_CASE("connectToAgent maps the ways a daemon can be absent") {
  TempDir dir;
  const auto channel = makeLocalChannel();
  auto missing = connectToAgent(*channel, (dir.fsPath() / "nope.sock").string(), 200ms);
  CHECK(missing.status().code() == ErrorCode::kDaemonNotRunning);

  // A stale socket file left by a dead daemon: ECONNREFUSED.
  const std::string stale = (dir.fsPath() / "stale.sock").string();
  { UniqueFd l = listenAt(stale); }
  CHECK(connectToAgent(*channel, stale, 200ms).status().code() == ErrorCode::kDaemonNotRunning);

  CHECK(connectToAgent(*channel, std::string(200, 'a'), 200ms).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(connectToAgent(*channel, "", 200ms).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("connectToAgent reaches a listener and exchanges frames") {
  TempDir dir;
  const std::string path = (dir.fsPath() / "agent.sock").string();
  UniqueFd listener = listenAt(path);
  const auto channel = makeLocalChannel();
  auto client = connectToAgent(*channel, path, 1s);
  REQUIRE(client.isOk());
  const int server_fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(server_fd >= 0);
  auto server = adoptLocalConnection(server_fd);

  v1::ControlRequest req;
  req.mutable_get_status();
  REQUIRE(writeFrame(**client, req).isOk());
  v1::ControlRequest got;
  REQUIRE(readFrame(*server, got).isOk());
  CHECK(got.has_get_status());
}

TEST_CASE("connectToAgent reports permission denied for an unprivileged user") {
  TempDir dir;
  const fs::path sub = dir.fsPath() / "private";
  fs::create_directory(sub);
  const std::string path = (sub / "agent.sock").string();
  UniqueFd listener = listenAt(path);
  REQUIRE(::chmod(sub.c_str(), 0700) == 0);
  const auto channel = makeLocalChannel();
  if (::geteuid() == 0) {
    // Root bypasses the mode bits: check from a child that drops to nobody.
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
      auto r = connectToAgent(*channel, path, 200ms);
      ::_exit(r.status().code() == ErrorCode::kPermissionDenied ? 0 : 11);
    }
    int ws = 0;
    REQUIRE(::waitpid(pid, &ws, 0) == pid);
    CHECK(WIFEXITED(ws));
    CHECK(WEXITSTATUS(ws) == 0);
  } else {
    REQUIRE(::chmod(sub.c_str(), 0) == 0);
    CHECK(connectToAgent(*channel, path, 200ms).status().code() == ErrorCode::kPermissionDenied);
    ::chmod(sub.c_str(), 0700);
  }
}

TEST_CASE("UniqueFd closes once and moves ownership") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  UniqueFd a(fds[0]);
  UniqueFd b(std::move(a));
  CHECK_FALSE(a.valid());
  CHECK(b.get() == fds[0]);
  UniqueFd c;
  c = std::move(b);
  CHECK(c.get() == fds[0]);
  c.reset();
  CHECK(::fcntl(fds[0], F_GETFD) == -1);
  ::close(fds[1]);
}

}  // namespace
}  // namespace xiaoan::control
