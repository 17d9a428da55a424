#include "agent/sessions/seat_session_tracker.h"

#include <set>

#include "common/crypto/ed25519.h"
#include "common/proto_time.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::sessions {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

auto log() { return componentLogger(LogComponent::kAgentCore); }

constexpr size_t kMaxStateBytes = 1 << 20;

}  // namespace

SeatSessionTracker::SeatSessionTracker(SeatSessionTrackerOptions options, const Clock& clock,
                                       const LoginRecords& records, SessionReporter& reporter)
    : options_(std::move(options)), clock_(clock), records_(records), reporter_(reporter) {}

SeatSessionTracker::~SeatSessionTracker() { stop(); }

std::string SeatSessionTracker::keyOf(const std::string& boot_id, const LoginRecord& login) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(login.time.time_since_epoch()).count();
  std::string material = boot_id;
  for (const std::string& part :
       {login.line, std::to_string(login.pid), login.user, std::to_string(us)}) {
    material.push_back('\0');
    material += part;
  }
  return toHex(crypto::sha256(material).substr(0, 16));
}

void SeatSessionTracker::start() {
  std::lock_guard lock(wake_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void SeatSessionTracker::stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The sessions stay open in the state file: a stop is not a logout. The next start (or the
  // next boot) closes them with what the login history says.
  std::lock_guard lock(mu_);
  if (loaded_ && !open_.empty()) {
    auto st = saveLocked();
    if (!st.isOk()) log()->warn("seat sessions: {}", st.toString());
  }
}

void SeatSessionTracker::setOnClose(std::function<void(const v1::SeatSessionEvent&)> on_close) {
  std::lock_guard lock(mu_);
  on_close_ = std::move(on_close);
}

void SeatSessionTracker::setEnabled(bool enabled) {
  std::vector<v1::SeatSessionEvent> closed;
  {
    std::lock_guard lock(mu_);
    if (enabled == enabled_) return;
    enabled_ = enabled;
    last_token_.clear();
    if (!enabled) {
      const TimePoint now = clock_.now();
      while (!open_.empty()) {
        closeLocked(open_.begin()->first, now, v1::SESSION_END_REASON_UNOBSERVED, closed);
      }
      auto st = saveLocked();
      if (!st.isOk()) log()->warn("seat sessions: {}", st.toString());
    }
  }
  notify(closed);
  wake_cv_.notify_all();
}

uint32_t SeatSessionTracker::openCount() const {
  std::lock_guard lock(mu_);
  return static_cast<uint32_t>(open_.size());
}

Status SeatSessionTracker::pollNow() {
  std::vector<v1::SeatSessionEvent> closed;
  Status st;
  {
    std::lock_guard lock(mu_);
    st = pollLocked(closed);
  }
  notify(closed);
  return st;
}

void SeatSessionTracker::run() {
  for (;;) {
    auto st = pollNow();
    if (!st.isOk()) log()->warn("seat sessions: {}", st.toString());
    std::unique_lock lock(wake_mu_);
    if (wake_cv_.wait_for(lock, options_.poll, [this] { return stopping_; })) return;
  }
}

void SeatSessionTracker::notify(std::vector<v1::SeatSessionEvent>& closed) {
  std::function<void(const v1::SeatSessionEvent&)> on_close;
  {
    std::lock_guard lock(mu_);
    on_close = on_close_;
  }
  if (!on_close) return;
  for (const auto& e : closed) on_close(e);
}

Status SeatSessionTracker::pollLocked(std::vector<v1::SeatSessionEvent>& closed) {
  if (!enabled_) return Status::ok();
  if (!loaded_) recoverLocked(closed);
  const TimePoint now = clock_.now();
  const bool heartbeat_due =
      !open_.empty() &&
      (!last_saved_ || now - *last_saved_ >= options_.heartbeat || now < *last_saved_);
  // A login rewrites the records; a logout need not (a session leader that died is gone from
  // current() without a write), so the records are skipped unchanged only while none is open.
  std::string token = records_.changeToken();
  if (open_.empty() && token == last_token_ && !token.empty()) return Status::ok();

  auto current = records_.current();
  if (!current.isOk()) return current.status();
  bool changed = false;
  std::set<std::string> seen;
  for (const LoginRecord& login : current.value()) {
    std::string key = keyOf(options_.boot_id, login);
    seen.insert(key);
    if (open_.count(key)) continue;
    if (open_.size() >= options_.max_open) {
      log()->warn("seat sessions: more than {} open; {} on {} not tracked", options_.max_open,
                  login.user, login.line);
      continue;
    }
    v1::SeatSessionEvent e;
    e.set_key(key);
    e.set_user(login.user);
    if (login.uid) e.set_uid(*login.uid);
    e.set_where(login.line);
    e.set_remote_host(login.host);
    *e.mutable_start() = toTimestamp(login.time);
    e.set_boot_id(options_.boot_id);
    open_.emplace(key, e);
    reporter_.report(e);
    changed = true;
  }
  std::vector<std::string> gone;
  for (const auto& [key, e] : open_) {
    if (!seen.count(key)) gone.push_back(key);
  }
  for (const auto& key : gone) {
    const auto logout = logoutTime(open_[key].where(), open_[key].start());
    closeLocked(key, logout.value_or(now), v1::SESSION_END_REASON_LOGOUT, closed);
    changed = true;
  }
  last_token_ = std::move(token);
  loaded_ = true;
  if (changed || heartbeat_due) return saveLocked();
  return Status::ok();
}

void SeatSessionTracker::recoverLocked(std::vector<v1::SeatSessionEvent>& closed) {
  loaded_ = true;
  auto bytes = readFile(options_.state_path, kMaxStateBytes);
  if (!bytes.isOk()) {
    if (bytes.status().code() != ErrorCode::kNotFound) {
      log()->warn("seat sessions: state unreadable, starting afresh: {}",
                  bytes.status().toString());
    }
    return;
  }
  v1::SeatSessionState state;
  if (!state.ParseFromString(bytes.value())) {
    log()->warn("seat sessions: state {} corrupt, starting afresh", options_.state_path);
    return;
  }
  for (const auto& e : state.open()) {
    if (!e.key().empty() && open_.size() < options_.max_open) open_.emplace(e.key(), e);
  }
  if (open_.empty()) return;
  const TimePoint last_seen =
      state.has_last_seen() ? fromTimestamp(state.last_seen()) : clock_.now();
  if (state.boot_id() == options_.boot_id) {
    // Same boot: the agent restarted. Sessions still logged in are matched by the next poll;
    // the ones that ended meanwhile are closed here.
    auto current = records_.current();
    if (!current.isOk()) return;  // the next poll decides
    std::set<std::string> seen;
    for (const auto& login : current.value()) seen.insert(keyOf(options_.boot_id, login));
    std::vector<std::string> gone;
    for (const auto& [key, e] : open_) {
      if (!seen.count(key)) gone.push_back(key);
    }
    for (const auto& key : gone) {
      const auto logout = logoutTime(open_[key].where(), open_[key].start());
      if (logout) {
        closeLocked(key, *logout, v1::SESSION_END_REASON_LOGOUT, closed);
      } else {
        closeLocked(key, last_seen, v1::SESSION_END_REASON_UNOBSERVED, closed);
      }
    }
  } else {
    // Another boot: every session of the old one ended with it, at the clean shutdown the
    // history records, else when this boot began.
    std::optional<TimePoint> end;
    auto boot = records_.bootTime();
    auto history = records_.history(last_seen - std::chrono::hours(1), options_.max_history);
    if (history.isOk()) {
      for (const auto& r : history.value()) {
        if (r.kind == LoginRecord::Kind::kShutdown && r.time >= last_seen &&
            (!boot.isOk() || r.time <= boot.value())) {
          end = r.time;
          break;
        }
      }
    }
    if (!end && boot.isOk()) end = boot.value();
    if (!end) end = last_seen;
    while (!open_.empty()) {
      closeLocked(open_.begin()->first, *end, v1::SESSION_END_REASON_REBOOT, closed);
    }
  }
  auto st = saveLocked();
  if (!st.isOk()) log()->warn("seat sessions: {}", st.toString());
}

std::optional<TimePoint> SeatSessionTracker::logoutTime(
    const std::string& line, const google::protobuf::Timestamp& start) const {
  const TimePoint from = fromTimestamp(start);
  auto history = records_.history(from, options_.max_history);
  if (!history.isOk()) return std::nullopt;
  for (const auto& r : history.value()) {
    if (r.kind == LoginRecord::Kind::kLogout && r.line == line && r.time >= from) return r.time;
  }
  return std::nullopt;
}

void SeatSessionTracker::closeLocked(const std::string& key, TimePoint end,
                                     v1::SessionEndReason reason,
                                     std::vector<v1::SeatSessionEvent>& closed) {
  auto it = open_.find(key);
  if (it == open_.end()) return;
  v1::SeatSessionEvent e = std::move(it->second);
  open_.erase(it);
  // An end before the start (a clock set back in between) is reported as the start.
  if (end < fromTimestamp(e.start())) end = fromTimestamp(e.start());
  *e.mutable_end() = toTimestamp(end);
  e.set_end_reason(reason);
  reporter_.report(e);
  closed.push_back(std::move(e));
}

Status SeatSessionTracker::saveLocked() {
  v1::SeatSessionState state;
  for (const auto& [key, e] : open_) *state.add_open() = e;
  const TimePoint now = clock_.now();
  *state.mutable_last_seen() = toTimestamp(now);
  state.set_boot_id(options_.boot_id);
  auto st = atomicWriteFile(options_.state_path, state.SerializeAsString());
  if (st.isOk()) last_saved_ = now;
  return st;
}

}  // namespace xiaoan::agent::sessions
