// Sanity of the Linux local channel against the real kernel: socket files and their mode,
// SO_PEERCRED, waking accept(), deadlines and end of stream.
#include "platform/local_channel.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

Deadline in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

struct Endpoint {
  TempDir dir;
  std::string path = dir.str() + "/agent.sock";
  std::unique_ptr<LocalChannel> channel = makeLocalChannel();
};

TEST_CASE("listen creates a socket file with the mode asked for; destroying removes it") {
  Endpoint e;
  for (uint32_t mode : {0600u, 0666u}) {
    auto listener = e.channel->listen({.path = e.path, .mode = mode});
    REQUIRE_MESSAGE(listener.isOk(), listener.status().toString());
    struct stat sb {};
    REQUIRE(::lstat(e.path.c_str(), &sb) == 0);
    CHECK(S_ISSOCK(sb.st_mode));
    CHECK((sb.st_mode & 07777) == mode);
    listener->reset();
    CHECK(::access(e.path.c_str(), F_OK) != 0);
  }
}

TEST_CASE("a stale socket is replaced, anything else at the path is left alone") {
  Endpoint e;
  REQUIRE(::mknod(e.path.c_str(), S_IFSOCK | 0600, 0) == 0);  // left behind by a crash
  auto listener = e.channel->listen({.path = e.path});
  REQUIRE(listener.isOk());
  CHECK(e.channel->connect(e.path, 1s).isOk());
  listener->reset();
  const std::string file = e.dir.write("file.sock", "data");
  CHECK(e.channel->listen({.path = file}).status().code() == ErrorCode::kExists);
  CHECK(::access(file.c_str(), F_OK) == 0);
  CHECK(e.channel->listen({.path = std::string(200, 'a')}).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("the server learns the client's pid, uid and gid from the kernel") {
  Endpoint e;
  auto listener = e.channel->listen({.path = e.path});
  REQUIRE(listener.isOk());
  auto client = e.channel->connect(e.path, 1s);
  REQUIRE(client.isOk());
  auto server = (*listener)->accept();
  REQUIRE(server.isOk());
  auto peer = (*server)->peer();
  REQUIRE(peer.isOk());
  CHECK(peer->pid == static_cast<uint32_t>(::getpid()));
  CHECK(peer->uid == ::geteuid());
  CHECK(peer->gid == ::getegid());
}

TEST_CASE("a client that dropped to nobody is seen as nobody") {
  struct stat root_dir {};
  if (::geteuid() != 0 || ::stat("/", &root_dir) != 0 || (root_dir.st_mode & S_IXOTH) == 0) {
    MESSAGE("skipped: needs root, and a / that other users may search");
    return;
  }
  Endpoint e;
  REQUIRE(::chmod(e.dir.str().c_str(), 0755) == 0);
  auto listener = e.channel->listen({.path = e.path, .mode = 0666});
  REQUIRE(listener.isOk());
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
    auto c = makeLocalChannel()->connect(e.path, 1s);
    if (!c.isOk()) ::_exit(11);
    char byte = 0;
    ::_exit((*c)->readSome(&byte, 1, in(5s)).isOk() ? 0 : 12);  // wait for the server
  }
  auto server = (*listener)->accept();
  REQUIRE(server.isOk());
  auto peer = (*server)->peer();
  REQUIRE(peer.isOk());
  CHECK(peer->uid == 65534);
  CHECK(peer->gid == 65534);
  CHECK(peer->pid == static_cast<uint32_t>(child));
  server->reset();
  int ws = 0;
  REQUIRE(::waitpid(child, &ws, 0) == child);
  CHECK(WEXITSTATUS(ws) == 0);
}

TEST_CASE("wake() ends every blocked and every later accept()") {
  Endpoint e;
  auto listener = e.channel->listen({.path = e.path});
  REQUIRE(listener.isOk());
  std::atomic<int> cancelled{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      if ((*listener)->accept().status().code() == ErrorCode::kCancelled) ++cancelled;
    });
  }
  std::this_thread::sleep_for(50ms);
  (*listener)->wake();
  for (auto& t : waiters) t.join();
  CHECK(cancelled == 3);
  CHECK((*listener)->accept().status().code() == ErrorCode::kCancelled);
}

TEST_CASE("reads and writes keep their deadlines and report a closed peer") {
  Endpoint e;
  auto listener = e.channel->listen({.path = e.path});
  REQUIRE(listener.isOk());
  auto client = e.channel->connect(e.path, 1s);
  REQUIRE(client.isOk());
  auto server = (*listener)->accept();
  REQUIRE(server.isOk());
  char buf[16];
  CHECK((*server)->readSome(buf, sizeof buf, in(100ms)).status().code() == ErrorCode::kTimeout);
  REQUIRE((*client)->writeAll("hi", 2, in(1s)).isOk());
  auto got = (*server)->readSome(buf, sizeof buf, in(1s));
  REQUIRE(got.isOk());
  CHECK(*got == 2);
  // Nobody reads: a large write times out instead of blocking.
  const std::string big(8 << 20, 'x');
  CHECK((*client)->writeAll(big.data(), big.size(), in(200ms)).code() == ErrorCode::kTimeout);
  client->reset();
  std::string drain(64 * 1024, '\0');
  for (;;) {  // what was sent, then end of stream
    auto r = (*server)->readSome(drain.data(), drain.size(), in(1s));
    REQUIRE(r.isOk());
    if (*r == 0) break;
  }
  // Writing to the closed peer is an error, not SIGPIPE (which would end this test binary).
  Status st = Status::ok();
  for (int i = 0; i < 4 && st.isOk(); ++i) st = (*server)->writeAll(buf, sizeof buf, in(1s));
  CHECK(st.code() == ErrorCode::kIo);
}

TEST_CASE("connect says why nobody answers") {
  Endpoint e;
  CHECK(e.channel->connect(e.path, 100ms).status().code() == ErrorCode::kNotFound);
  REQUIRE(::mknod(e.path.c_str(), S_IFSOCK | 0600, 0) == 0);  // nobody listens on it
  CHECK(e.channel->connect(e.path, 100ms).status().code() == ErrorCode::kNotFound);
  CHECK(e.channel->connect("", 100ms).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("an adopted socket pair end is a connection") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  auto a = adoptLocalConnection(fds[0]);
  auto b = adoptLocalConnection(fds[1]);
  REQUIRE(a->writeAll("x", 1, in(1s)).isOk());
  char c = 0;
  auto r = b->readSome(&c, 1, in(1s));
  REQUIRE(r.isOk());
  CHECK(c == 'x');
  CHECK(b->peer()->pid == static_cast<uint32_t>(::getpid()));
}

}  // namespace
}  // namespace xiaoan
