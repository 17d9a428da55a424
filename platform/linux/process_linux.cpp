// This process on Linux: terminal checks, credentials, umask, signals and daemonizing.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <utility>

#include "platform/linux/posix_error.h"
#include "platform/process.h"

namespace xiaoan {
namespace {

int signalNumber(ProcessSignal s) {
  switch (s) {
    case ProcessSignal::kInterrupt:
      return SIGINT;
    case ProcessSignal::kTerminate:
      return SIGTERM;
    case ProcessSignal::kHangup:
      return SIGHUP;
  }
  return SIGTERM;
}

constexpr ProcessSignal kAllSignals[] = {ProcessSignal::kInterrupt, ProcessSignal::kTerminate,
                                         ProcessSignal::kHangup};

uint32_t bitOf(ProcessSignal s) { return 1u << static_cast<unsigned>(s); }

sigset_t setOf(uint32_t bits) {
  sigset_t set;
  ::sigemptyset(&set);
  for (ProcessSignal s : kAllSignals) {
    if ((bits & bitOf(s)) != 0) ::sigaddset(&set, signalNumber(s));
  }
  return set;
}

// Set from the signal handler of the live InterruptWatch.
std::atomic<bool> g_interrupted{false};
extern "C" void onInterrupt(int) { g_interrupted.store(true); }

// The write end of the start-up pipe: one status byte, then closed.
void writeStatusByte(int fd, int code) {
  const unsigned char c = static_cast<unsigned char>(code);
  while (::write(fd, &c, 1) < 0 && errno == EINTR) {
  }
  ::close(fd);
}

// The starter: waits for the daemon's status byte (end of stream: the daemon died first).
[[noreturn]] void waitForDaemon(int read_fd, int exit_code_if_unreported) {
  unsigned char code = static_cast<unsigned char>(exit_code_if_unreported);
  while (::read(read_fd, &code, 1) < 0 && errno == EINTR) {
  }
  ::_exit(code);
}

// In the daemon: "/" as working directory (no mount stays busy because of us), standard input
// and output on /dev/null.
bool detachFromStart() {
  if (::chdir("/") != 0) return false;
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (null < 0) return false;
  const bool ok = ::dup2(null, STDIN_FILENO) >= 0 && ::dup2(null, STDOUT_FILENO) >= 0;
  ::close(null);
  return ok;
}

}  // namespace

bool isTerminal(StdStream stream) {
  const int fd = stream == StdStream::kIn    ? STDIN_FILENO
                 : stream == StdStream::kOut ? STDOUT_FILENO
                                             : STDERR_FILENO;
  return ::isatty(fd) == 1;
}

uint32_t effectiveUserId() { return ::geteuid(); }

bool runningAsAdministrator() { return ::geteuid() == 0; }

void setFileCreationMask(uint32_t mask) { ::umask(static_cast<mode_t>(mask & 0777)); }

void ignoreBrokenPipe() { ::signal(SIGPIPE, SIG_IGN); }

uint64_t raiseOpenFileLimit() {
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    struct rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(lim.rlim_cur);
}

const char* processSignalName(ProcessSignal signal) {
  switch (signal) {
    case ProcessSignal::kInterrupt:
      return "SIGINT";
    case ProcessSignal::kTerminate:
      return "SIGTERM";
    case ProcessSignal::kHangup:
      return "SIGHUP";
  }
  return "?";
}

SignalWaiter::SignalWaiter(std::initializer_list<ProcessSignal> signals) {
  for (ProcessSignal s : signals) signals_ |= bitOf(s);
  const sigset_t set = setOf(signals_);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ProcessSignal SignalWaiter::wait() {
  const sigset_t set = setOf(signals_);
  for (;;) {
    int sig = 0;
    if (::sigwait(&set, &sig) != 0) continue;
    for (ProcessSignal s : kAllSignals) {
      if (signalNumber(s) == sig) return s;
    }
  }
}

struct InterruptWatch::Saved {
  struct sigaction old_int {};
  struct sigaction old_term {};
};

InterruptWatch::InterruptWatch() : saved_(std::make_unique<Saved>()) {
  g_interrupted.store(false);
  struct sigaction sa {};
  sa.sa_handler = onInterrupt;  // no SA_RESTART: a blocking wait returns early
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &saved_->old_int);
  ::sigaction(SIGTERM, &sa, &saved_->old_term);
}

InterruptWatch::~InterruptWatch() {
  ::sigaction(SIGINT, &saved_->old_int, nullptr);
  ::sigaction(SIGTERM, &saved_->old_term, nullptr);
}

bool InterruptWatch::interrupted() const { return g_interrupted.load(); }

DaemonStartReport::~DaemonStartReport() {
  if (handle_ != kInvalidHandle) ::close(static_cast<int>(handle_));
}

DaemonStartReport::DaemonStartReport(DaemonStartReport&& other) noexcept
    : handle_(std::exchange(other.handle_, kInvalidHandle)) {}

DaemonStartReport& DaemonStartReport::operator=(DaemonStartReport&& other) noexcept {
  if (this != &other) {
    if (handle_ != kInvalidHandle) ::close(static_cast<int>(handle_));
    handle_ = std::exchange(other.handle_, kInvalidHandle);
  }
  return *this;
}

void DaemonStartReport::report(int exit_code) {
  if (handle_ == kInvalidHandle) return;
  writeStatusByte(static_cast<int>(std::exchange(handle_, kInvalidHandle)), exit_code);
}

Result<DaemonStartReport> daemonize(int exit_code_if_unreported) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return posixStatus("pipe2");
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(p[0]);
    ::close(p[1]);
    return posixStatus("fork", err);
  }
  if (pid > 0) {
    ::close(p[1]);
    waitForDaemon(p[0], exit_code_if_unreported);
  }
  ::close(p[0]);
  ::setsid();
  const pid_t daemon = ::fork();
  if (daemon < 0) ::_exit(exit_code_if_unreported);  // the starter reads end of stream
  if (daemon > 0) ::_exit(0);
  if (!detachFromStart()) {
    writeStatusByte(p[1], exit_code_if_unreported);
    ::_exit(exit_code_if_unreported);
  }
  return DaemonStartReport(static_cast<NativeHandle>(p[1]));
}

}  // namespace xiaoan
