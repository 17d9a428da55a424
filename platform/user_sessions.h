#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"

// The people who use this PC (OS seam): local accounts with their home directories (for
// per-user paths such as "~/Downloads" and, later, browser profiles) and the interactive
// sessions with the time of their last input (to pause background scans while someone works).

namespace xiaoan {

struct LocalUser {
  uint32_t uid = 0;  // the account's numeric id (as FileStat::uid)
  std::string name;
  // Absolute home directory; empty when the account has none worth looking into (none set,
  // relative, or the file system root).
  std::string home;
  // An account a person logs in with (Linux: root and uid 1000 and above, except nobody);
  // false for service accounts (daemon, www-data, ...).
  bool is_person = false;
};

struct InteractiveSession {
  std::string terminal;  // "pts/3", "tty2": where the input is read
  uint32_t uid = 0;      // who owns the terminal: the user logged in there
  std::chrono::system_clock::time_point last_input;
};

// Threading: every method may be called from any thread.
class UserSessions {
 public:
  virtual ~UserSessions() = default;

  // The accounts of this machine's own account database (Linux: /etc/passwd; directory
  // accounts that never logged in are not listed), in its order. E_IO / E_NOT_FOUND when it
  // cannot be read.
  virtual Result<std::vector<LocalUser>> localUsers() const = 0;

  // Interactive sessions the OS lets us see. Linux: terminals (/dev/pts/*, the text consoles
  // /dev/ttyN), whose access time the kernel moves when input is read from them (that is how
  // `w` shows IDLE). Graphical sessions without a terminal are not seen.
  virtual std::vector<InteractiveSession> sessions() const = 0;
};

struct UserSessionsOptions {
  // Linux: where the account database and the terminals are (tests point them elsewhere).
  std::string passwd_path = "/etc/passwd";
  std::string dev_dir = "/dev";
};

// The implementation for the OS this binary was built for.
std::unique_ptr<UserSessions> makeUserSessions(UserSessionsOptions options = {});

// The name of account `uid` through every account source the OS knows (Linux: NSS, so
// directory users too); nullopt when it has none. For code that only has a file's owner.
std::optional<std::string> userNameOf(uint32_t uid);

}  // namespace xiaoan
