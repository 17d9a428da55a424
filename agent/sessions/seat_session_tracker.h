#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "platform/clock.h"
#include "platform/login_records.h"
#include "platform/result.h"
#include "xiaoan/v1/agent_state.pb.h"
#include "xiaoan/v1/browsing.pb.h"

namespace xiaoan::agent::sessions {

// Where opened and closed sessions go (the daemon wraps them into spooled Events).
class SessionReporter {
 public:
  virtual ~SessionReporter() = default;
  virtual void report(v1::SeatSessionEvent event) = 0;
};

struct SeatSessionTrackerOptions {
  std::string state_path;               // the SeatSessionState file (agent state directory)
  std::string boot_id;                  // of the running boot
  std::chrono::seconds poll{10};        // how often the login records are looked at
  std::chrono::seconds heartbeat{300};  // how often last_seen is written while sessions are open
  size_t max_history = 20000;           // login history records read to find an end time
  size_t max_open = 256;                // sessions tracked at once (more are reported closed)
};

// Lab seat records (上机记录): every login session on this PC, reported when it opens and when
// it closes. Open sessions are kept in the state file, so that after an agent restart a session
// that ended meanwhile is closed with its logout time from the login history (or, unseen, with
// the last time the agent saw it), and after a reboot with the shutdown time (or the boot time
// of the new boot), marked REBOOT.
// Threading: start()/stop() by the owner; the rest from any thread.
class SeatSessionTracker {
 public:
  SeatSessionTracker(SeatSessionTrackerOptions options, const Clock& clock,
                     const LoginRecords& records, SessionReporter& reporter);
  ~SeatSessionTracker();
  SeatSessionTracker(const SeatSessionTracker&) = delete;
  SeatSessionTracker& operator=(const SeatSessionTracker&) = delete;

  void start();
  void stop();

  // policy.sessions.enabled: when turned off, open sessions are closed now (UNOBSERVED) and
  // nothing more is recorded until it is turned on again.
  void setEnabled(bool enabled);
  // Called (outside the lock) after a session closed, e.g. to read browser history at logout.
  void setOnClose(std::function<void(const v1::SeatSessionEvent&)> on_close);

  // One pass now: sessions that opened or closed are reported. E_IO when the login records
  // cannot be read (nothing is closed on that account).
  Status pollNow();
  uint32_t openCount() const;

  // The stable key of a session (hex of 16 bytes of SHA-256 over boot id, line, leader pid,
  // user and start time).
  static std::string keyOf(const std::string& boot_id, const LoginRecord& login);

 private:
  void run();
  Status pollLocked(std::vector<v1::SeatSessionEvent>& closed);
  void recoverLocked(std::vector<v1::SeatSessionEvent>& closed);
  // The first logout on `line` at or after `start` in the login history.
  std::optional<std::chrono::system_clock::time_point> logoutTime(
      const std::string& line, const google::protobuf::Timestamp& start) const;
  void closeLocked(const std::string& key, std::chrono::system_clock::time_point end,
                   v1::SessionEndReason reason, std::vector<v1::SeatSessionEvent>& closed);
  Status saveLocked();
  void notify(std::vector<v1::SeatSessionEvent>& closed);

  const SeatSessionTrackerOptions options_;
  const Clock& clock_;
  const LoginRecords& records_;
  SessionReporter& reporter_;

  mutable std::mutex mu_;
  bool enabled_ = true;
  bool loaded_ = false;
  std::map<std::string, v1::SeatSessionEvent> open_;  // by key
  std::string last_token_;
  std::optional<std::chrono::system_clock::time_point> last_saved_;
  std::function<void(const v1::SeatSessionEvent&)> on_close_;

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace xiaoan::agent::sessions
