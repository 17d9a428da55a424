#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/browsing/browsing_sink.h"
#include "agent/browsing/cursor_store.h"
#include "agent/browsing/history_collector.h"
#include "platform/clock.h"
#include "platform/user_sessions.h"
#include "xiaoan/v1/browsing.pb.h"
#include "xiaoan/v1/policy.pb.h"

// Browsing records on the agent: every poll interval (and at stop) it discovers the profiles
// of every local person account (new users and profiles are found without a restart) and
// reads what is new in each, through HistoryCollector. The policy (enabled, interval, URL
// detail, exclusions, synced visits, site rules) applies live from the next poll.
namespace xiaoan::agent::browsing {

struct BrowsingServiceOptions {
  std::string state_dir;  // cursors in <state_dir>/browsing/cursors, copies in .../work (0700)
  uint64_t max_db_bytes = uint64_t{512} << 20;
  size_t max_visits_per_poll = 20000;
  // The first read waits this long for the running policy (the last good one is applied a
  // moment after start-up): read with the built-in defaults, visits would escape the policy's
  // exclusions, URL reduction and site rules. Past it (no policy yet: not enrolled), the
  // defaults apply.
  std::chrono::milliseconds policy_wait{60000};
};

class BrowsingService {
 public:
  BrowsingService(BrowsingServiceOptions options, const Clock& clock, const UserSessions& users,
                  BrowsingSink& sink);
  ~BrowsingService();
  BrowsingService(const BrowsingService&) = delete;
  BrowsingService& operator=(const BrowsingService&) = delete;

  // Creates the private directories and loads the cursors (an unreadable cursor file is
  // started over, and said in the log), then starts the polling thread.
  Status start();
  // Reads once more what is new (history is also read at shutdown; not before the policy is
  // known, see policy_wait), then stops the thread.
  void stop();
  // The running policy's browsing section (null: built-in defaults). Applies from the next
  // poll; a shorter interval takes effect at once.
  void applyPolicy(const v1::BrowsingPolicy* policy);
  // One poll now, on the caller's thread (tests; a logout).
  void pollNow();
  v1::BrowsingStatus status() const;

 private:
  void run();
  std::chrono::seconds interval() const;  // mu_ held

  BrowsingServiceOptions options_;
  const Clock& clock_;
  const UserSessions& users_;
  CursorStore cursors_;
  HistoryCollector collector_;
  std::mutex poll_mu_;  // one poll at a time (thread, pollNow, stop)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  v1::BrowsingPolicy policy_;
  bool stopping_ = false, policy_changed_ = false;
  bool policy_known_ = false;  // a policy was applied, or policy_wait passed without one
  v1::BrowsingStatus status_;
  std::thread thread_;
};

}  // namespace xiaoan::agent::browsing
