#include "agent/core/agent_daemon.h"

#include <algorithm>

#include "agent/core/backoff.h"
#include "agent/core/bootstrap_config.h"
#include "agent/core/bootstrap_config_file.h"
#include "agent/core/enroller.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "platform/process_info.h"
#include "platform/user_sessions.h"

namespace xiaoan::agent {

AgentDaemon::AgentDaemon(std::string config_path, v1::AgentBootstrapConfig config)
    : config_path_(std::move(config_path)),
      config_(std::move(config)),
      started_at_(clock_.now()),
      identity_(config_.state_dir()),
      run_marker_(config_.state_dir()) {}

Result<std::unique_ptr<AgentDaemon>> AgentDaemon::start(std::string config_path,
                                                        v1::AgentBootstrapConfig config) {
  std::unique_ptr<AgentDaemon> d(new AgentDaemon(std::move(config_path), std::move(config)));
  XIAOAN_RETURN_IF_ERROR(d->init());
  return d;
}

Status AgentDaemon::init() {
  auto log = componentLogger(LogComponent::kAgentCore);
  const std::string& state = config_.state_dir();
  XIAOAN_RETURN_IF_ERROR(protectConfig());
  XIAOAN_RETURN_IF_ERROR(makeDirs(state, 0755));
  XIAOAN_ASSIGN_OR_RETURN(InstanceLock lock, InstanceLock::acquire(state + "/agent.lock"));
  lock_.emplace(std::move(lock));
  SpoolOptions so;
  so.dir = state + "/spool";
  so.max_bytes = config_.spool_max_bytes();
  // Small caps need small segments: the cap is enforced by dropping whole segments, so a
  // segment is at most 1/16 of the cap (64 KiB .. 4 MiB).
  so.segment_bytes = std::clamp<uint64_t>(so.max_bytes / 16, 64 * 1024, 4 * 1024 * 1024);
  so.clock = &clock_;
  XIAOAN_ASSIGN_OR_RETURN(raw_spool_, Spool::open(so));
  spool_ = std::make_unique<NotifyingSpool>(*raw_spool_, upload_wake_);
  host_info_ = makeHostInfo();
  initStatus();
  XIAOAN_RETURN_IF_ERROR(identity_.prepare());
  auto boot = host_info_->collect();
  events_ = std::make_unique<EventFactory>(clock_, boot.isOk() ? boot->boot_id : "",
                                           [this] { return agentId(); });
  const bool clean = run_marker_.previousRunWasClean();
  if (!clean) log->warn("the previous run did not stop cleanly");
  // A full or failing disk must not turn into a restart loop (RELIABILITY.md I4): report it
  // and keep serving status.
  Status st = appendLifecycle(clean ? v1::AgentLifecycleEvent::KIND_STARTED
                                    : v1::AgentLifecycleEvent::KIND_RECOVERED_UNCLEAN);
  if (st.isOk()) st = run_marker_.markRunning();
  if (!st.isOk()) log->error("start-up record: {}", st.toString());
  status_->setCondition("startup_record", st);
  initScan();
  initBinding();
  initSessions(boot.isOk() ? boot->boot_id : "");
  initBlocking();
  initBrowsing();
  initContent();  // the cached policy reaches the browsing service before its first poll
  startBrowsing();
  XIAOAN_RETURN_IF_ERROR(startControl());
  status_writer_ = std::make_unique<StatusWriter>(*status_, state + "/status.pb");
  status_writer_->start();
  session_thread_ = std::thread([this] { session(); });
  log->info("xiaoan-agent {} started (pid {}, state {}, collector {})", XIAOAN_VERSION,
            currentProcessId(), state, config_.collector_url());
  return Status::ok();
}

void AgentDaemon::initStatus() {
  StatusModelOptions o;
  o.agent_version = XIAOAN_VERSION;
  o.collector_url = config_.collector_url();
  o.pid = currentProcessId();
  o.started_at = started_at_;
  o.spool_max_bytes = config_.spool_max_bytes();
  o.checkin_interval_seconds = config_.checkin_interval_seconds();
  status_ = std::make_unique<StatusModel>(o, clock_, [this] { return raw_spool_->stats(); });
  auto previous = loadPersistedStatus(config_.state_dir() + "/status.pb");
  if (previous.isOk()) {
    status_->restorePersisted(*previous);
  } else if (previous.status().code() != ErrorCode::kNotFound) {
    componentLogger(LogComponent::kAgentCore)
        ->warn("ignoring old status: {}", previous.status().toString());
  }
}

Status AgentDaemon::appendLifecycle(int kind) {
  v1::Event e = events_->make(v1::PRIORITY_SECURITY);
  auto* l = e.mutable_lifecycle();
  l->set_kind(static_cast<v1::AgentLifecycleEvent::Kind>(kind));
  l->set_version(XIAOAN_VERSION);
  const SpoolStats stats = spool_->stats();
  l->set_corrupt_records_skipped(stats.corrupt_records_skipped);
  l->set_torn_bytes_truncated(stats.torn_bytes_truncated);
  auto r = spool_->append(std::move(e));
  return r.isOk() ? Status::ok() : r.status();
}

Status AgentDaemon::startControl() {
  control_handler_ = std::make_unique<AgentControlHandler>(
      *status_, *spool_, *events_, content_.get(), scan_.get(), binding_.get());
  local_channel_ = makeLocalChannel();
  control_ = std::make_unique<control::ControlServer>(
      control::ControlServerOptions{.socket_path = config_.status_socket()}, *control_handler_,
      *local_channel_);
  return control_->start();
}

void AgentDaemon::initContent() {
  upload_rate_ = config_.max_upload_events_per_second();
  const CollectorClientOptions mtls = clientOptions(true);
  content::ArtifactDownloaderOptions d;
  d.base_url = mtls.base_url;
  d.http.ca_file = mtls.ca_file;
  d.http.client_cert_file = mtls.cert_file;
  d.http.client_key_file = mtls.key_file;
  d.http.user_agent = std::string("xiaoan-agent/") + XIAOAN_VERSION;
  d.min_bytes_per_second = config_.download_min_bytes_per_second();
  downloader_ = std::make_unique<content::ArtifactDownloader>(std::move(d));
  content_reporter_ = std::make_unique<StatusContentReporter>(*status_, *events_, *spool_);
  content_ = std::make_unique<content::ContentManager>(
      content::ContentManagerOptions{config_.state_dir(), config_.trust_root()}, clock_,
      *downloader_, *content_reporter_, static_cast<content::ContentConsumer&>(*this));
  content_->open();  // the pinned root shows in status before enrollment
}

// Scanning failing to start (engine state unusable) must not keep the agent from reporting:
// it runs without scanning and says so in status.
void AgentDaemon::initScan() {
  scan::ScanServiceOptions o;
  o.state_dir = config_.state_dir();
  o.builtin_signatures_dir = config_.builtin_signatures_dir();
  scan_ = std::make_unique<scan::ScanService>(
      std::move(o), clock_, static_cast<scan::ScanReporter&>(*this), makeUserSessions());
  Status st = scan_->start();
  status_->setCondition("scan", st);
  if (!st.isOk()) {
    componentLogger(LogComponent::kAgentCore)->error("scanning disabled: {}", st.toString());
    scan_.reset();
    return;
  }
  status_->setScanSource([this] { return scan_ ? scan_->status() : v1::ScanStatus(); });
}

// Binding works without change notifications (timer only) but says so in status.
void AgentDaemon::initBinding() {
  auto log = componentLogger(LogComponent::kAgentCore);
  binding::BindingServiceOptions o;
  auto endpoint = collectorEndpoint(config_.collector_url());
  if (endpoint.isOk()) {
    o.collector_host = endpoint->host;
    o.collector_port = endpoint->port;
  }
  network_info_ = makeNetworkInfo();
  auto watcher = makeNetworkChangeWatcher();
  status_->setCondition("binding_notifications", watcher.status());
  if (watcher.isOk()) {
    network_watcher_ = std::move(watcher).value();
  } else {
    log->warn("network change notifications unavailable: {}", watcher.status().toString());
  }
  network_config_ = makeNetworkConfig();
  isolation_ = makeIsolation();
  arp_prober_ = makeArpProber();
  binding_ = std::make_unique<binding::BindingService>(
      std::move(o), clock_, *network_info_, network_watcher_.get(), *network_config_, *isolation_,
      static_cast<binding::BindingReporter&>(*this), arp_prober_.get());
  status_->setComplianceSource(
      [this] { return binding_ ? binding_->status() : v1::ComplianceStatus(); });
  hostname_control_ = makeHostnameControl({});
  text_codec_ = makeTextCodec();
  hostnames_ = std::make_unique<HostnameEnforcer>(*hostname_control_, *text_codec_);
  binding_->setHostnameEnforcer(hostnames_.get());
  binding_->start();
}

// Browsing records: built with the built-in defaults, the running policy arrives through
// runPolicy (the content channel's cached policy included) before the first poll.
void AgentDaemon::initBrowsing() {
  browsing::BrowsingServiceOptions o;
  o.state_dir = config_.state_dir();
  user_sessions_ = makeUserSessions();
  browsing_ = std::make_unique<browsing::BrowsingService>(
      std::move(o), clock_, *user_sessions_, static_cast<browsing::BrowsingSink&>(*this));
}

// A failure (state directory not writable) leaves the agent running without browsing records.
void AgentDaemon::startBrowsing() {
  Status st = browsing_->start();
  status_->setCondition("browsing", st);
  if (!st.isOk()) {
    componentLogger(LogComponent::kAgentCore)
        ->error("browsing records disabled: {}", st.toString());
    return;
  }
  status_->addBrowsingContributor([this](v1::BrowsingStatus& b) {
    if (browsing_) b.MergeFrom(browsing_->status());
  });
  // History is read at every logout too: what a pupil did just before leaving the seat is on
  // record before the next pupil (or a restore card's reboot) comes.
  if (sessions_) {
    sessions_->setOnClose([this](const v1::SeatSessionEvent&) {
      if (browsing_) browsing_->pollNow();
    });
  }
}

Status AgentDaemon::append(v1::Event payload, v1::Priority priority) {
  v1::Event e = events_->make(priority);
  e.MergeFrom(payload);
  auto r = spool_->append(std::move(e));
  return r.isOk() ? Status::ok() : r.status();
}

void AgentDaemon::report(v1::BindingEvent event) {
  v1::Event e = events_->make(v1::PRIORITY_SECURITY);
  *e.mutable_binding() = std::move(event);
  auto r = spool_->append(std::move(e));
  if (!r.isOk())
    componentLogger(LogComponent::kAgentCore)->error("binding event: {}", r.status().toString());
}

void AgentDaemon::emit(v1::Event payload, v1::Priority priority) {
  v1::Event e = events_->make(priority);
  e.MergeFrom(payload);
  auto r = spool_->append(std::move(e));
  if (!r.isOk())
    componentLogger(LogComponent::kAgentCore)->error("scan event: {}", r.status().toString());
}

void AgentDaemon::condition(const std::string& key, const Status& status) {
  status_->setCondition(key, status);
}

void AgentDaemon::runPolicy(const v1::Policy& policy) {
  if (scan_) scan_->applyPolicy(&policy);
  runRecordsPolicy(policy);
  if (binding_) {
    binding_->applyNaming(policy.has_naming() ? &policy.naming() : nullptr);
    binding_->applyPolicy(policy.has_binding() ? &policy.binding() : nullptr);
  }
  if (browsing_) browsing_->applyPolicy(policy.has_browsing() ? &policy.browsing() : nullptr);
  std::lock_guard lock(effects_mu_);
  const auto& agent = policy.agent();
  policy_interval_.reset();
  if (agent.has_checkin_interval_seconds()) policy_interval_ = agent.checkin_interval_seconds();
  upload_rate_ = agent.has_max_upload_events_per_second() ? agent.max_upload_events_per_second()
                                                          : config_.max_upload_events_per_second();
  if (checkin_) checkin_->setPolicyInterval(policy_interval_);
  if (uploader_) uploader_->setMaxEventsPerSecond(upload_rate_);
}

Status AgentDaemon::loadSignatures(std::string_view bytes, const v1::Artifact& artifact) {
  return scan_->signatures().applyArtifact(bytes, artifact.version());
}

content::RunningArtifact AgentDaemon::runningSignatures() const {
  const auto loaded = scan_ ? scan_->signatures().loaded() : std::nullopt;
  return loaded ? content::RunningArtifact{loaded->version, loaded->sha256}
                : content::RunningArtifact{};
}

std::string AgentDaemon::agentId() const {
  std::lock_guard lock(id_mu_);
  return agent_id_;
}

CollectorClientOptions AgentDaemon::clientOptions(bool mutual_tls) const {
  CollectorClientOptions o;
  o.base_url = config_.collector_url();
  o.ca_file = config_.ca_bundle();
  if (mutual_tls) {
    o.cert_file = identity_.certPath();
    o.key_file = identity_.keyPath();
  }
  return o;
}

void AgentDaemon::session() {
  auto log = componentLogger(LogComponent::kAgentCore);
  auto loaded = identity_.loadEnrolled();
  if (!loaded.isOk()) log->error("identity: {}", loaded.status().toString());
  std::optional<v1::AgentIdentity> identity;
  if (loaded.isOk() && loaded->has_value()) identity = **loaded;
  if (!identity) {
    status_->setEnrollment(v1::ENROLLMENT_STATE_NOT_ENROLLED, "", "");
    EnrollerOptions eo;
    eo.collector_url = config_.collector_url();
    eo.agent_version = XIAOAN_VERSION;
    eo.seed = randomSeed();
    // Re-read the token each attempt: an admin may fix it without restarting us.
    eo.token_source = [this] {
      if (Status st = protectConfig(); !st.isOk()) {  // never send an exposed token
        componentLogger(LogComponent::kAgentCore)->error("{}", st.toString());
        return std::string();
      }
      auto fresh = loadBootstrapConfig(config_path_);
      return fresh.isOk() ? fresh->enrollment_token() : config_.enrollment_token();
    };
    enroll_client_ = std::make_unique<CollectorClient>(clientOptions(false));
    Enroller enroller(eo, identity_, *enroll_client_, *host_info_, *spool_, *status_, clock_,
                      session_wake_);
    auto enrolled = enroller.run();
    enroll_client_.reset();
    if (!enrolled.isOk()) return;  // stopping
    identity = *enrolled;
  }
  removeToken();
  startConnectedLoops(*identity);
}

Status AgentDaemon::protectConfig() {
  auto fixed = protectBootstrapConfig(config_path_);
  if (!fixed.isOk()) {
    return Status(fixed.status().code(),
                  "cannot keep the enrollment token private: " + fixed.status().toString(),
                  fixed.status().sysErrno());
  }
  if (*fixed) {
    componentLogger(LogComponent::kAgentCore)
        ->error(
            "SECURITY: {} held the enrollment token and was readable by other users; its "
            "mode is now 0600. Revoke the token (xiaoan-admin token revoke) if local users "
            "may have read it.",
            config_path_);
  }
  return Status::ok();
}

// Once the identity is durably stored the token is of no use to this PC, only to someone
// who wants to pose as one of the school's PCs.
void AgentDaemon::removeToken() {
  auto log = componentLogger(LogComponent::kAgentCore);
  auto removed = removeEnrollmentToken(config_path_);
  if (!removed.isOk()) {
    log->error("the enrollment token stays in {}: {}", config_path_, removed.status().toString());
  } else if (*removed) {
    log->info("enrolled: enrollment token removed from {}", config_path_);
  }
  status_->setCondition("config_token", removed.isOk() ? Status::ok() : removed.status());
}

void AgentDaemon::startConnectedLoops(const v1::AgentIdentity& identity) {
  {
    std::lock_guard lock(id_mu_);
    agent_id_ = identity.agent_id();
  }
  status_->setEnrollment(v1::ENROLLMENT_STATE_ENROLLED, identity.agent_id(),
                         identity.terminal_id());
  // The last good policy runs before the first check-in (its settings shape the loops).
  content_->start(identity.agent_id());
  std::lock_guard lock(effects_mu_);
  UploaderOptions uo;
  uo.max_events_per_second = upload_rate_;
  uo.seed = randomSeed();
  upload_client_ = std::make_unique<CollectorClient>(clientOptions(true));
  uploader_ = std::make_unique<Uploader>(uo, *spool_, *upload_client_, *status_, upload_wake_);
  CheckinOptions co;
  co.agent_version = XIAOAN_VERSION;
  co.started_at = started_at_;
  co.interval_seconds = config_.checkin_interval_seconds();
  co.seed = randomSeed();
  checkin_client_ = std::make_unique<CollectorClient>(clientOptions(true));
  checkin_ = std::make_unique<CheckinLoop>(
      co, *checkin_client_, *host_info_, *spool_, *status_, checkin_wake_, &upload_wake_,
      content_.get(), [this](const std::string& terminal_id) {
        Status st = identity_.updateTerminalId(terminal_id);
        if (!st.isOk())
          componentLogger(LogComponent::kAgentCore)->warn("identity: {}", st.toString());
      });
  if (policy_interval_) checkin_->setPolicyInterval(policy_interval_);
  uploader_->start();
  checkin_->start();
}

void AgentDaemon::stop() {
  // Nothing to undo when start-up stopped before taking the state directory.
  if (stopped_ || !lock_) return;
  stopped_ = true;
  auto log = componentLogger(LogComponent::kAgentCore);
  session_wake_.stop();
  if (session_thread_.joinable()) session_thread_.join();
  if (checkin_) checkin_->stop();
  if (uploader_) uploader_->stop();
  if (control_) control_->stop();
  // Passes in flight end as INTERRUPTED (their summaries are spooled below; a scheduled one
  // resumes at the next start).
  if (scan_) scan_->stop();
  if (binding_) binding_->stop();    // an isolation stays: it is the policy's, not the process's
  if (sessions_) sessions_->stop();  // open sessions stay open in its state: a stop is no logout
  if (browsing_) browsing_->stop();  // reads what is new once more: spooled before STOPPED
  if (spool_ && events_) {
    Status st = appendLifecycle(v1::AgentLifecycleEvent::KIND_STOPPED);
    if (!st.isOk()) log->warn("stop event: {}", st.toString());
    st = spool_->sync();
    if (!st.isOk()) log->error("spool sync at stop: {}", st.toString());
    // Only claim a clean stop when everything appended is durable.
    if (st.isOk()) st = run_marker_.markStopped();
    if (!st.isOk()) log->warn("run marker: {}", st.toString());
  }
  if (status_writer_) status_writer_->stopAndWriteFinal();
  log->info("xiaoan-agent stopped");
}

AgentDaemon::~AgentDaemon() { stop(); }

}  // namespace xiaoan::agent
