// xiaoan-agent: the endpoint agent daemon. Thin main: arguments, process set-up, signals;
// everything else is wired by AgentDaemon.
//
// Exit codes: 0 clean stop, 1 start-up/runtime failure, 2 usage or invalid config,
// 3 another agent already runs on the same state directory (E_ALREADY_RUNNING).

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "agent/core/agent_daemon.h"
#include "agent/core/bootstrap_config.h"
#include "platform/logging.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitAlreadyRunning = 3;

struct Args {
  std::string config = xiaoan::agent::kDefaultConfigPath;
  bool foreground = false;
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: xiaoan-agent [--config FILE] [--foreground]\n"
               "  --config FILE   bootstrap config (default %s)\n"
               "  --foreground    do not daemonize (systemd runs it like this); logs go to "
               "stderr\n"
               "  --version       print the version\n"
               "exit codes: 0 stopped cleanly, 1 failure, 2 usage/config invalid, "
               "3 already running\n",
               xiaoan::agent::kDefaultConfigPath);
}

// Returns -1 to continue, else an exit code.
int parseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      args.config = argv[++i];
    } else if (a == "--foreground") {
      args.foreground = true;
    } else if (a == "--version") {
      std::printf("xiaoan-agent %s\n", XIAOAN_VERSION);
      return 0;
    } else if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "xiaoan-agent: unknown argument '%s'\n", a.c_str());
      usage(stderr);
      return kExitUsage;
    }
  }
  return -1;
}

// Double fork + setsid. The original process waits for one status byte from the daemon
// (written once start-up succeeded or failed) and exits with it, so scripts still see exit
// code 3 for E_ALREADY_RUNNING. Returns the write end of that pipe in the daemon.
int daemonize() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return -1;
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid > 0) {
    ::close(p[1]);
    unsigned char code = kExitFailure;
    while (::read(p[0], &code, 1) < 0 && errno == EINTR) {
    }
    ::_exit(code);
  }
  ::close(p[0]);
  ::setsid();
  pid = ::fork();
  if (pid < 0) ::_exit(kExitFailure);
  if (pid > 0) ::_exit(0);
  if (::chdir("/") != 0) return -1;
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);  // stderr stays: it carries the logs
    ::close(null);
  }
  return p[1];
}

void report(int fd, int code) {
  if (fd < 0) return;
  unsigned char c = static_cast<unsigned char>(code);
  [[maybe_unused]] ssize_t n = ::write(fd, &c, 1);
  ::close(fd);
}

// Blocks the stop signals in every thread; the main thread collects them with sigwait.
sigset_t blockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (int rc = parseArgs(argc, argv, args); rc >= 0) return rc;
  ::umask(022);
  auto log = xiaoan::componentLogger(LogComponent::kAgentMain);
  auto config = xiaoan::agent::loadBootstrapConfig(args.config);
  if (!config.isOk()) {
    std::fprintf(stderr, "xiaoan-agent: %s\n", config.status().toString().c_str());
    return kExitUsage;
  }
  xiaoan::setLogLevel(config->log_level());
  const int ready_fd = args.foreground ? -1 : daemonize();
  const sigset_t signals = blockStopSignals();
  auto daemon = xiaoan::agent::AgentDaemon::start(args.config, *config);
  if (!daemon.isOk()) {
    const auto& st = daemon.status();
    log->error("start-up failed: {}", st.toString());
    std::fprintf(stderr, "xiaoan-agent: %s\n", st.toString().c_str());
    const int code =
        st.code() == xiaoan::ErrorCode::kAlreadyRunning ? kExitAlreadyRunning : kExitFailure;
    report(ready_fd, code);
    return code;
  }
  report(ready_fd, 0);
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      log->info("SIGHUP ignored: restart the service to apply a new config");
      continue;
    }
    log->info("signal {} received, stopping", sig);
    break;
  }
  (*daemon)->stop();
  return 0;
}
