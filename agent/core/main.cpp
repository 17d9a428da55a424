// xiaoan-agent: the endpoint agent daemon. Thin main: arguments, process set-up, signals;
// everything else is wired by AgentDaemon.
//
// Exit codes: 0 clean stop, 1 start-up/runtime failure, 2 usage or invalid config,
// 3 another agent already runs on the same state directory (E_ALREADY_RUNNING).

#include <cstdio>
#include <string>

#include "agent/core/agent_daemon.h"
#include "agent/core/bootstrap_config.h"
#include "platform/logging.h"
#include "platform/process.h"

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

// Runs the daemon until SIGTERM or SIGINT. SIGHUP does not reload: the config is read once.
void waitForStop(xiaoan::SignalWaiter& signals) {
  auto log = xiaoan::componentLogger(xiaoan::LogComponent::kAgentMain);
  for (;;) {
    const xiaoan::ProcessSignal sig = signals.wait();
    if (sig == xiaoan::ProcessSignal::kHangup) {
      log->info("SIGHUP ignored: restart the service to apply a new config");
      continue;
    }
    log->info("{} received, stopping", xiaoan::processSignalName(sig));
    return;
  }
}

// Starts the agent and runs it until a stop signal; tells `started` how start-up went.
int run(const Args& args, const xiaoan::v1::AgentBootstrapConfig& config,
        xiaoan::DaemonStartReport& started) {
  // Before any thread starts: they all inherit the held-back stop signals.
  xiaoan::SignalWaiter signals({xiaoan::ProcessSignal::kInterrupt,
                                xiaoan::ProcessSignal::kTerminate, xiaoan::ProcessSignal::kHangup});
  xiaoan::ignoreBrokenPipe();
  auto daemon = xiaoan::agent::AgentDaemon::start(args.config, config);
  if (!daemon.isOk()) {
    const auto& st = daemon.status();
    xiaoan::componentLogger(xiaoan::LogComponent::kAgentMain)
        ->error("start-up failed: {}", st.toString());
    std::fprintf(stderr, "xiaoan-agent: %s\n", st.toString().c_str());
    const int code =
        st.code() == xiaoan::ErrorCode::kAlreadyRunning ? kExitAlreadyRunning : kExitFailure;
    started.report(code);
    return code;
  }
  started.report(0);
  waitForStop(signals);
  (*daemon)->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (int rc = parseArgs(argc, argv, args); rc >= 0) return rc;
  xiaoan::setFileCreationMask(022);
  auto config = xiaoan::agent::loadBootstrapConfig(args.config);
  if (!config.isOk()) {
    std::fprintf(stderr, "xiaoan-agent: %s\n", config.status().toString().c_str());
    return kExitUsage;
  }
  xiaoan::setLogLevel(config->log_level());
  // The starter of a background daemon exits with the code the daemon reports, so scripts
  // still see exit code 3 for E_ALREADY_RUNNING.
  xiaoan::DaemonStartReport started;
  if (!args.foreground) {
    auto detached = xiaoan::daemonize(kExitFailure);
    if (!detached.isOk()) {
      std::fprintf(stderr, "xiaoan-agent: %s\n", detached.status().toString().c_str());
      return kExitFailure;
    }
    started = std::move(detached).value();
  }
  return run(args, *config, started);
}
