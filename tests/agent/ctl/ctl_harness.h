#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::ctl::testing {

// A clock stuck at kNow.
class FixedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  uint64_t monotonicNs() const override { return 0; }
};

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

// A temp dir with an agent config that points xiaoanctl at a socket and state dir inside
// it, and a way to run xiaoanctl in-process against them. TZ is UTC while it lives.
class CtlHarness {
 public:
  CtlHarness();
  ~CtlHarness();
  CtlHarness(const CtlHarness&) = delete;
  CtlHarness& operator=(const CtlHarness&) = delete;

  RunResult run(std::vector<std::string> args, uid_t euid = 0,
                std::map<std::string, std::string> env = {}) const;

  // Writes <state_dir>/status.pb.
  void persist(const v1::AgentStatus& status) const;
  void writeConfig(const std::string& json) const;

  const std::filesystem::path& dir() const { return dir_; }
  // Runs as if stdout were a terminal (progress lines redraw themselves).
  void setTty(bool tty) { tty_ = tty; }
  std::string socketPath() const { return (dir_ / "agent.sock").string(); }
  std::string stateDir() const { return (dir_ / "state").string(); }
  std::string configPath() const { return (dir_ / "agent.json").string(); }

 private:
  std::filesystem::path dir_;
  FixedClock clock_;
  bool tty_ = false;
};

// Compares with tests/agent/ctl/golden/<name>; XIAOAN_UPDATE_GOLDEN=1 rewrites the file.
void checkGolden(const std::string& name, const std::string& actual);

}  // namespace xiaoan::ctl::testing
