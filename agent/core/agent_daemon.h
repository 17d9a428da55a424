#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/binding/binding_service.h"
#include "agent/blocking/site_blocker.h"
#include "agent/browsing/browsing_service.h"
#include "agent/content/artifact_downloader.h"
#include "agent/content/content_manager.h"
#include "agent/control/control_server.h"
#include "agent/core/agent_control_handler.h"
#include "agent/core/checkin_loop.h"
#include "agent/core/collector_client.h"
#include "agent/core/event_factory.h"
#include "agent/core/identity_store.h"
#include "agent/core/notifying_spool.h"
#include "agent/core/run_marker.h"
#include "agent/core/status_content_reporter.h"
#include "agent/core/status_model.h"
#include "agent/core/status_writer.h"
#include "agent/core/uploader.h"
#include "agent/core/wake_signal.h"
#include "agent/scan/scan_service.h"
#include "agent/sessions/seat_session_tracker.h"
#include "agent/spool/spool.h"
#include "platform/clock.h"
#include "platform/host_info.h"
#include "platform/instance_lock.h"
#include "platform/local_channel.h"
#include "platform/login_records.h"
#include "xiaoan/v1/config.pb.h"

namespace xiaoan::agent {

// The composition root of xiaoan-agent: wires the real implementations (spool, libcurl
// collector client, host info, status socket) and owns every thread. start() returns once the
// agent serves its status socket; enrollment, check-ins and uploads then run in the background.
// It is the content channel's consumer: the policy and signature rules take effect through it,
// and the scanner's reporter: its events go to the spool, its conditions to status.
class AgentDaemon final : private content::ContentConsumer,
                          private scan::ScanReporter,
                          private binding::BindingReporter,
                          private sessions::SessionReporter,
                          private browsing::BrowsingSink {
 public:
  // E_ALREADY_RUNNING when another agent holds the state directory (nothing else touched).
  static Result<std::unique_ptr<AgentDaemon>> start(std::string config_path,
                                                    v1::AgentBootstrapConfig config);
  ~AgentDaemon() override;
  AgentDaemon(const AgentDaemon&) = delete;
  AgentDaemon& operator=(const AgentDaemon&) = delete;

  // Clean stop: threads joined, STOPPED event appended, spool synced, status persisted.
  void stop();

 private:
  AgentDaemon(std::string config_path, v1::AgentBootstrapConfig config);
  Status init();
  void initStatus();
  Status appendLifecycle(int kind);
  void initContent();
  Status startControl();
  void initScan();
  void initBinding();
  void initBrowsing();
  void startBrowsing();
  // browsing::BrowsingSink: visits, history events and site alerts through the spool.
  Status append(v1::Event payload, v1::Priority priority) override;
  // binding::BindingReporter: a security event through the spool.
  void report(v1::BindingEvent event) override;
  // Lab seat sessions and site blocking (agent_daemon_records.cpp).
  void initSessions(const std::string& boot_id);
  void initBlocking();
  void runRecordsPolicy(const v1::Policy& policy);
  // sessions::SessionReporter: an activity event through the spool.
  void report(v1::SeatSessionEvent event) override;
  // scan::ScanReporter.
  void emit(v1::Event payload, v1::Priority priority) override;
  void condition(const std::string& key, const Status& status) override;
  // content::ContentConsumer. runPolicy puts the running policy's settings into effect (a
  // setting it leaves unset: the config's); the signature rules go to the scanner, if any.
  void runPolicy(const v1::Policy& policy) override;
  bool runsSignatures() const override { return scan_ != nullptr; }
  Status loadSignatures(std::string_view bytes, const v1::Artifact& artifact) override;
  content::RunningArtifact runningSignatures() const override;
  void session();          // enrolls if needed, then runs check-ins and uploads
  Status protectConfig();  // the config file holding a token is 0600 (or start-up fails)
  void removeToken();      // the token leaves the config once enrolled
  void startConnectedLoops(const v1::AgentIdentity& identity);
  CollectorClientOptions clientOptions(bool mutual_tls) const;
  std::string agentId() const;

  const std::string config_path_;
  const v1::AgentBootstrapConfig config_;
  SystemClock clock_;
  const std::chrono::system_clock::time_point started_at_;
  std::unique_ptr<HostInfo> host_info_;
  std::optional<InstanceLock> lock_;
  std::unique_ptr<Spool> raw_spool_;
  WakeSignal upload_wake_, checkin_wake_, session_wake_;
  std::unique_ptr<NotifyingSpool> spool_;
  std::unique_ptr<StatusModel> status_;
  std::unique_ptr<StatusWriter> status_writer_;
  IdentityStore identity_;
  RunMarker run_marker_;
  std::unique_ptr<EventFactory> events_;
  std::unique_ptr<content::ArtifactDownloader> downloader_;
  std::unique_ptr<scan::ScanService> scan_;  // before content_: the content channel uses it
  // IP/MAC binding: the network seam and the service (null when it could not start).
  std::unique_ptr<NetworkInfo> network_info_;
  std::unique_ptr<NetworkChangeWatcher> network_watcher_;
  std::unique_ptr<NetworkConfig> network_config_;
  std::unique_ptr<Isolation> isolation_;
  std::unique_ptr<ArpProber> arp_prober_;
  std::unique_ptr<HostnameControl> hostname_control_;  // declared before binding_, which uses
  std::unique_ptr<TextCodec> text_codec_;              // them until it is destroyed
  std::unique_ptr<HostnameEnforcer> hostnames_;
  std::unique_ptr<binding::BindingService> binding_;
  // Lab seat sessions (null when they could not start) and site blocking.
  std::unique_ptr<LoginRecords> login_records_;
  std::unique_ptr<sessions::SeatSessionTracker> sessions_;
  std::unique_ptr<BrowserPolicyStore> browser_policy_;
  std::unique_ptr<blocking::SiteBlocker> site_blocker_;
  // Browsing records: the local accounts (whose homes hold the profiles) and the service.
  std::unique_ptr<UserSessions> user_sessions_;
  std::unique_ptr<browsing::BrowsingService> browsing_;
  std::unique_ptr<StatusContentReporter> content_reporter_;
  std::unique_ptr<content::ContentManager> content_;
  std::unique_ptr<AgentControlHandler> control_handler_;
  std::unique_ptr<LocalChannel> local_channel_;
  std::unique_ptr<control::ControlServer> control_;
  std::unique_ptr<CollectorClient> enroll_client_, upload_client_, checkin_client_;
  std::unique_ptr<Uploader> uploader_;
  std::unique_ptr<CheckinLoop> checkin_;
  std::thread session_thread_;
  // The policy's settings, and the loops they go to once those exist.
  std::mutex effects_mu_;
  std::optional<uint32_t> policy_interval_;
  uint32_t upload_rate_ = 0;
  mutable std::mutex id_mu_;
  std::string agent_id_;
  bool stopped_ = false;
};

}  // namespace xiaoan::agent
