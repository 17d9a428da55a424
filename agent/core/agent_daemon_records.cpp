// The daemon's records of who used the PC and what it may reach: lab seat sessions (上机记录)
// and harmful-site blocking through the browsers' managed policies.
#include "agent/core/agent_daemon.h"
#include "platform/logging.h"

namespace xiaoan::agent {

void AgentDaemon::initSessions(const std::string& boot_id) {
  login_records_ = makeLoginRecords();
  sessions::SeatSessionTrackerOptions o;
  o.state_path = config_.state_dir() + "/seat-sessions.pb";
  o.boot_id = boot_id;
  sessions_ = std::make_unique<sessions::SeatSessionTracker>(
      std::move(o), clock_, *login_records_, static_cast<sessions::SessionReporter&>(*this));
  sessions_->start();
  status_->addBrowsingContributor([this](v1::BrowsingStatus& b) {
    if (sessions_) b.set_open_sessions(sessions_->openCount());
  });
}

void AgentDaemon::initBlocking() {
  browser_policy_ = makeBrowserPolicyStore();
  site_blocker_ = std::make_unique<blocking::SiteBlocker>(
      *browser_policy_, config_.state_dir() + "/site-block-firefox.sha256");
  status_->addBrowsingContributor([this](v1::BrowsingStatus& b) {
    b.set_blocked_domains(site_blocker_->blockedDomainCount());
    for (auto& c : site_blocker_->coverage()) *b.add_coverage() = std::move(c);
  });
}

void AgentDaemon::runRecordsPolicy(const v1::Policy& policy) {
  if (site_blocker_) site_blocker_->apply(policy.has_browsing() ? &policy.browsing() : nullptr);
  if (sessions_) {
    const auto& s = policy.sessions();
    sessions_->setEnabled(!s.has_enabled() || s.enabled());
  }
}

void AgentDaemon::report(v1::SeatSessionEvent event) {
  v1::Event e = events_->make(v1::PRIORITY_ACTIVITY);
  *e.mutable_seat_session() = std::move(event);
  auto r = spool_->append(std::move(e));
  if (!r.isOk())
    componentLogger(LogComponent::kAgentCore)
        ->error("seat session event: {}", r.status().toString());
}

}  // namespace xiaoan::agent
