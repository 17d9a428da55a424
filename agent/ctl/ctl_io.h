#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "agent/core/default_paths.h"
#include "platform/clock.h"

namespace xiaoan::ctl {

// Everything xiaoanctl takes from the outside world, so that tests can run it in-process
// with a fixed clock, any euid, captured output and a socket in a temp dir.
struct CtlIo {
  std::vector<std::string> args;           // argv without the program name
  std::map<std::string, std::string> env;  // LC_ALL, LC_MESSAGES, LANG (others ignored)
  uint32_t euid = 0;                       // effective user id (0: root, may run mutations)
  const Clock* clock = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  std::string default_config_path = agent::kDefaultConfigPath;
  std::chrono::milliseconds daemon_timeout{10'000};
  bool out_is_tty = false;  // `out` is a terminal: progress lines may redraw themselves
  std::chrono::milliseconds poll_interval{500};  // how often `scan` asks for progress
};

}  // namespace xiaoan::ctl
