// Sanity of the Linux process functions against the real kernel. Whatever changes the whole
// process (signal masks, daemonizing) runs in a forked child, so that this binary stays as it
// was.
#include "platform/process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

// Runs `body` in a child process and returns its exit code (-1: it died of a signal).
int inChild(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(body());
  int ws = 0;
  REQUIRE(::waitpid(pid, &ws, 0) == pid);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

TEST_CASE("isTerminal tells a terminal from a pipe") {
  const int saved = ::dup(STDIN_FILENO);
  REQUIRE(saved >= 0);
  int p[2];
  REQUIRE(::pipe(p) == 0);
  REQUIRE(::dup2(p[0], STDIN_FILENO) >= 0);
  CHECK_FALSE(isTerminal(StdStream::kIn));
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0) {
    const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
    REQUIRE(::dup2(slave, STDIN_FILENO) >= 0);
    CHECK(isTerminal(StdStream::kIn));
    ::close(slave);
  } else {
    MESSAGE("no pseudo terminal here: only the pipe case is checked");
  }
  if (master >= 0) ::close(master);
  ::dup2(saved, STDIN_FILENO);
  for (int fd : {saved, p[0], p[1]}) ::close(fd);
}

TEST_CASE("the effective user is the kernel's") {
  CHECK(effectiveUserId() == ::geteuid());
  CHECK(runningAsAdministrator() == (::geteuid() == 0));
}

TEST_CASE("the file creation mask takes permission bits away") {
  testing::TempDir dir;
  const mode_t before = ::umask(0);
  setFileCreationMask(077);
  const std::string path = dir.sub("f");
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  ::umask(before);
  REQUIRE(fd >= 0);
  ::close(fd);
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
}

extern "C" void countSignal(int) {}

TEST_CASE("InterruptWatch turns SIGINT and SIGTERM into a flag and restores the handlers") {
  struct sigaction mine {};
  mine.sa_handler = countSignal;
  struct sigaction before_int {
  }, before_term{};
  REQUIRE(::sigaction(SIGINT, &mine, &before_int) == 0);
  REQUIRE(::sigaction(SIGTERM, &mine, &before_term) == 0);
  {
    InterruptWatch watch;
    CHECK_FALSE(watch.interrupted());
    ::raise(SIGINT);
    CHECK(watch.interrupted());
  }
  {
    InterruptWatch watch;  // a new watch starts unset
    CHECK_FALSE(watch.interrupted());
    ::raise(SIGTERM);
    CHECK(watch.interrupted());
  }
  struct sigaction now_int {
  }, now_term{};
  ::sigaction(SIGINT, nullptr, &now_int);
  ::sigaction(SIGTERM, nullptr, &now_term);
  const bool restored = now_int.sa_handler == countSignal && now_term.sa_handler == countSignal;
  CHECK(restored);
  ::sigaction(SIGINT, &before_int, nullptr);
  ::sigaction(SIGTERM, &before_term, nullptr);
}

TEST_CASE("SignalWaiter receives the signals sent to any thread") {
  const int code = inChild([] {
    SignalWaiter waiter({ProcessSignal::kTerminate, ProcessSignal::kHangup});
    // A thread started afterwards inherits the mask: the signal stays for wait().
    std::thread t([] { ::kill(::getpid(), SIGHUP); });
    t.join();
    if (waiter.wait() != ProcessSignal::kHangup) return 1;
    ::kill(::getpid(), SIGTERM);
    if (waiter.wait() != ProcessSignal::kTerminate) return 2;
    return 0;
  });
  CHECK(code == 0);
  CHECK(std::string(processSignalName(ProcessSignal::kInterrupt)) == "SIGINT");
}

TEST_CASE("with SIGPIPE ignored, writing to a closed pipe is an error") {
  const int code = inChild([] {
    ignoreBrokenPipe();
    int p[2];
    if (::pipe(p) != 0) return 1;
    ::close(p[0]);
    return ::write(p[1], "x", 1) < 0 && errno == EPIPE ? 0 : 2;
  });
  CHECK(code == 0);
}

TEST_CASE("raiseOpenFileLimit lifts the soft limit to the hard one") {
  const int code = inChild([] {
    struct rlimit lim {};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_max < 64) return 1;
    struct rlimit low = lim;
    low.rlim_cur = 32;
    if (::setrlimit(RLIMIT_NOFILE, &low) != 0) return 2;
    const uint64_t now = raiseOpenFileLimit();
    struct rlimit after {};
    ::getrlimit(RLIMIT_NOFILE, &after);
    if (after.rlim_cur != lim.rlim_max) return 3;
    return now == (lim.rlim_max == RLIM_INFINITY ? UINT64_MAX : lim.rlim_max) ? 0 : 4;
  });
  CHECK(code == 0);
}

// What the daemon found about itself, sent back to the test through an inherited pipe.
struct DaemonFacts {
  pid_t session = 0;
  bool session_leader = true;
  bool root_cwd = false;
  bool null_stdin = false;
};

DaemonFacts facts() {
  DaemonFacts f;
  f.session = ::getsid(0);
  f.session_leader = f.session == ::getpid();
  char cwd[PATH_MAX] = {};
  f.root_cwd = ::getcwd(cwd, sizeof cwd) != nullptr && std::strcmp(cwd, "/") == 0;
  struct stat in {
  }, null{};
  f.null_stdin = ::fstat(STDIN_FILENO, &in) == 0 && ::stat("/dev/null", &null) == 0 &&
                 in.st_rdev == null.st_rdev;
  return f;
}

TEST_CASE("daemonize: the starter exits with what the daemon reports") {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  const int reported = inChild([&] {
    auto started = daemonize(9);
    if (!started.isOk()) return 20;
    const DaemonFacts f = facts();
    if (::write(p[1], &f, sizeof f) != sizeof f) ::_exit(1);
    started->report(42);
    ::_exit(0);  // the daemon: never back into the test runner
  });
  CHECK(reported == 42);
  DaemonFacts f;
  REQUIRE(::read(p[0], &f, sizeof f) == sizeof f);
  CHECK(f.session != ::getsid(0));  // a session of its own, away from our terminal
  CHECK_FALSE(f.session_leader);    // so it can never get a controlling terminal back
  CHECK(f.root_cwd);
  CHECK(f.null_stdin);
  ::close(p[0]);
  ::close(p[1]);

  const int unreported = inChild([] {
    auto started = daemonize(9);
    if (!started.isOk()) return 20;
    ::_exit(0);  // ends without a report
  });
  CHECK(unreported == 9);
}

}  // namespace
}  // namespace xiaoan
