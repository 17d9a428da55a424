#include "agent/browsing/browsing_service.h"

#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::browsing {
namespace {

constexpr uint32_t kDefaultIntervalSeconds = 120;

CollectorOptions collectorOptions(const BrowsingServiceOptions& o) {
  CollectorOptions c;
  c.snapshot.work_dir = o.state_dir + "/browsing/work";
  c.snapshot.max_db_bytes = o.max_db_bytes;
  c.max_visits_per_poll = o.max_visits_per_poll;
  return c;
}

void setErrorInfo(v1::ErrorInfo* info, const Status& st) {
  info->set_code(std::string(errorCodeName(st.code())));
  info->set_message(st.message());
}

}  // namespace

BrowsingService::BrowsingService(BrowsingServiceOptions options, const Clock& clock,
                                 const UserSessions& users, BrowsingSink& sink)
    : options_(std::move(options)),
      clock_(clock),
      users_(users),
      cursors_(options_.state_dir + "/browsing/cursors"),
      collector_(collectorOptions(options_), clock, cursors_, sink) {
  status_.set_enabled(true);
}

BrowsingService::~BrowsingService() { stop(); }

Status BrowsingService::start() {
  XIAOAN_RETURN_IF_ERROR(makeDirs(options_.state_dir + "/browsing", 0700));
  XIAOAN_RETURN_IF_ERROR(setPathMode(options_.state_dir + "/browsing", 0700));
  Status st = cursors_.load();
  if (!st.isOk()) {
    componentLogger(LogComponent::kAgentCore)
        ->warn("browsing cursors unreadable, starting over: {}", st.toString());
  }
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

void BrowsingService::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;  // never started
  thread_.join();
  bool known = false;
  {
    std::lock_guard lock(mu_);
    known = policy_known_;
  }
  if (known) pollNow();  // the last visits before shutdown (else: read at the next start)
}

void BrowsingService::applyPolicy(const v1::BrowsingPolicy* policy) {
  const bool now_off = policy != nullptr && policy->has_enabled() && !policy->enabled();
  bool was_on = false;
  {
    std::lock_guard lock(mu_);
    was_on = policy_known_ && (!policy_.has_enabled() || policy_.enabled());
  }
  // Collection turned off: what was browsed until now is still read and sent first.
  if (was_on && now_off) pollNow();
  {
    std::lock_guard lock(mu_);
    policy_ = policy != nullptr ? *policy : v1::BrowsingPolicy();
    policy_changed_ = true;
    policy_known_ = true;
    status_.set_enabled(!policy_.has_enabled() || policy_.enabled());
  }
  cv_.notify_all();
}

std::chrono::seconds BrowsingService::interval() const {
  const uint32_t s = policy_.has_poll_interval_seconds() ? policy_.poll_interval_seconds()
                                                         : kDefaultIntervalSeconds;
  return std::chrono::seconds(std::max<uint32_t>(s, 1));
}

void BrowsingService::run() {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, options_.policy_wait, [this] { return stopping_ || policy_known_; });
  if (!stopping_) policy_known_ = true;  // the policy, or the defaults once the wait is over
  while (!stopping_) {
    lock.unlock();
    pollNow();
    lock.lock();
    policy_changed_ = false;
    // A new policy restarts the wait with its interval (and reads at once when it enables).
    cv_.wait_for(lock, interval(), [this] { return stopping_ || policy_changed_; });
  }
}

void BrowsingService::pollNow() {
  std::lock_guard poll_lock(poll_mu_);
  v1::BrowsingPolicy policy;
  {
    std::lock_guard lock(mu_);
    policy = policy_;
  }
  // Off: the histories are still followed, but nothing is sent (no visit, alert or history
  // event): the cursors move past what is browsed meanwhile, so turning collection back on
  // never sends the time it was off.
  const bool off = policy.has_enabled() && !policy.enabled();
  const VisitBuilder builder = off ? VisitBuilder::recordingNothing() : VisitBuilder(policy);
  const SiteMatcher matcher = off ? SiteMatcher() : SiteMatcher(policy);
  collector_.setQuiet(off);
  auto users = users_.localUsers();
  const auto profiles = users.isOk() ? discoverProfiles(*users) : std::vector<BrowserProfile>{};
  uint64_t visits = 0;
  std::optional<Status> error;
  if (!users.isOk()) error = users.status();
  for (const BrowserProfile& p : profiles) {
    PollResult r = collector_.poll(p, builder, matcher);
    visits += r.visits_sent;
    if (!r.status.isOk() && !error) error = r.status;
  }
  std::lock_guard lock(mu_);
  status_.set_profiles(static_cast<uint32_t>(profiles.size()));
  status_.set_visits_read(status_.visits_read() + visits);
  const auto now = clock_.now().time_since_epoch();
  status_.mutable_last_poll()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(now).count());
  if (error) {
    setErrorInfo(status_.mutable_last_error(), *error);
  } else {
    status_.clear_last_error();  // every profile read fine this time
  }
}

v1::BrowsingStatus BrowsingService::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

}  // namespace xiaoan::agent::browsing
