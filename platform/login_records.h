#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"

// Who logged in to this PC and when (OS seam), for lab seat records (上机记录): the sessions
// open now, the login history with exact logout and shutdown times, and when this boot began.
// Linux: utmp (sessions now), wtmp (history), /proc/stat btime (boot time). Every login path
// that goes through login(1), a display manager or sshd writes both files.

namespace xiaoan {

struct LoginRecord {
  enum class Kind {
    kLogin,     // a user session began (utmp/wtmp USER_PROCESS)
    kLogout,    // the session on `line` ended (DEAD_PROCESS)
    kBoot,      // the system booted (BOOT_TIME)
    kShutdown,  // the system went down cleanly (RUN_LVL "shutdown")
  };
  Kind kind = Kind::kLogin;
  std::string user;             // login name (kLogin only)
  std::optional<uint32_t> uid;  // the account's id when the name resolves (kLogin only)
  std::string line;             // "tty2", "pts/0", ":0", "seat0"
  std::string host;             // remote host or display, empty for a local console
  int32_t pid = 0;              // the session leader
  std::chrono::system_clock::time_point time;
};

// Threading: every method may be called from any thread.
class LoginRecords {
 public:
  virtual ~LoginRecords() = default;

  // Sessions open now: kLogin records whose session leader is still alive, in file order.
  // E_IO when the record of current sessions cannot be read; an absent file is no session.
  virtual Result<std::vector<LoginRecord>> current() const = 0;

  // The history from `since` on, oldest first, at most `max` records (the newest ones when
  // there are more). An absent history is empty. E_IO when it cannot be read.
  virtual Result<std::vector<LoginRecord>> history(std::chrono::system_clock::time_point since,
                                                   size_t max) const = 0;

  // When the running system booted. E_IO when the OS does not say.
  virtual Result<std::chrono::system_clock::time_point> bootTime() const = 0;

  // Cheap: a value that changes whenever current() may answer differently (Linux: utmp's size,
  // mtime and inode). Empty when the file is absent.
  virtual std::string changeToken() const = 0;
};

struct LoginRecordsOptions {
  // Linux: where the files are (tests point them elsewhere).
  std::string utmp_path = "/var/run/utmp";
  std::string wtmp_path = "/var/log/wtmp";
  std::string proc_stat_path = "/proc/stat";
  // The most of wtmp's tail that history() reads.
  size_t max_history_bytes = 16u << 20;
};

// The implementation for the OS this binary was built for.
std::unique_ptr<LoginRecords> makeLoginRecords(LoginRecordsOptions options = {});

}  // namespace xiaoan
