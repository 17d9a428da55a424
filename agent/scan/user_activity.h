#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

// "Pause when the user is active" (ScanPolicy.pause_when_user_active) needs to know when a
// person last typed. Kept simple on Linux: the kernel updates a terminal device's access time
// when input is read from it (that is how `w` shows IDLE), so the newest atime of /dev/pts/*
// (ssh, terminal emulators) and /dev/tty[0-9]* (text consoles) is the last keyboard input.
// Graphical sessions without a terminal are not seen (no portable X/Wayland idle source
// without linking X libraries); the interface lets a better source replace this one.

namespace xiaoan::agent::scan {

class UserActivity {
 public:
  virtual ~UserActivity() = default;
  // Time since the last user input; nullopt when unknown (no terminal found).
  virtual std::optional<std::chrono::seconds> idleFor() const = 0;
};

class TtyUserActivity final : public UserActivity {
 public:
  // `dev_dir` is /dev except in tests.
  explicit TtyUserActivity(std::string dev_dir = "/dev");
  std::optional<std::chrono::seconds> idleFor() const override;

 private:
  std::vector<std::string> candidates() const;
  std::string dev_dir_;
};

}  // namespace xiaoan::agent::scan
