#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "platform/clock.h"
#include "platform/instance_lock.h"
#include "platform/result.h"
#include "service/collector/admin_api/admin_api.h"
#include "service/collector/agent_api/agent_api.h"
#include "service/collector/agent_api/enrollment.h"
#include "service/collector/agent_api/ingest_writer.h"
#include "service/collector/collector_config.h"
#include "service/collector/http/http_listener.h"
#include "service/collector/store/artifact_store.h"
#include "service/collector/trust/content_issuer.h"
#include "service/collector/trust/pki_store.h"
#include "service/collector/trust/trust_keys.h"

namespace xiaoan::collector {

// The collector: the composition root wiring PKI, storage, the writer and both listeners.
// Used by `serve`, the integration tests and the ingest benchmark.
class CollectorServer {
 public:
  // Locks the data dir (E_ALREADY_RUNNING), verifies and checks its database (E_DATABASE when
  // it is missing, empty, foreign or damaged), then loads it (PKI + database); nothing listens
  // yet.
  static Result<std::unique_ptr<CollectorServer>> create(const CollectorConfig& config,
                                                         const Clock& clock);
  ~CollectorServer();
  CollectorServer(const CollectorServer&) = delete;
  CollectorServer& operator=(const CollectorServer&) = delete;

  // Binds both listeners and starts the threads.
  Status start();
  // Graceful stop: refuse new connections and requests, commit what is queued, answer
  // in-flight requests (bounded by shutdown_grace), then stop the threads. Idempotent.
  void stop();

  std::string agentAddress() const { return agent_listener_->boundAddress(); }
  std::string adminAddress() const { return admin_listener_->boundAddress(); }
  uint16_t agentPort() const { return agent_listener_->port(); }
  uint16_t adminPort() const { return admin_listener_->port(); }
  WriterStats writerStats() const { return writer_->stats(); }

 private:
  CollectorServer(const CollectorConfig& config, const Clock& clock);
  Status init();
  Status initContent();
  void fitConnectionCaps();
  void scheduleHeapTrim();
  void waitForInFlight();

  CollectorConfig config_;
  const Clock& clock_;
  // The data dir's lock (data_dir_guard.h), held from create() until the server is destroyed.
  std::optional<InstanceLock> data_dir_lock_;
  ServerState state_;
  std::unique_ptr<PkiStore> pki_;
  std::unique_ptr<boost::asio::ssl::context> agent_tls_;
  std::unique_ptr<boost::asio::ssl::context> admin_tls_;
  std::unique_ptr<IngestWriter> writer_;
  std::unique_ptr<Enrollment> enrollment_;
  std::optional<CollectorKeys> keys_;
  std::unique_ptr<ArtifactStore> artifacts_;
  std::unique_ptr<ContentIssuer> issuer_;
  std::unique_ptr<AgentApi> agent_api_;
  std::unique_ptr<AdminApi> admin_api_;
  std::unique_ptr<RetentionScheduler> retention_;  // nullptr when retention_interval is 0
  // Declared after everything sessions reference, so they are destroyed first. Each listener
  // has its own context and threads: a flood of handshakes on the agent port cannot delay an
  // admin's, and the other way round.
  boost::asio::io_context io_;        // agent listener (io_threads threads)
  boost::asio::io_context admin_io_;  // admin listener (one thread)
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::unique_ptr<WorkGuard> work_;
  std::unique_ptr<WorkGuard> admin_work_;
  // Gives freed heap back to the OS after a burst of connections has ended (see .cpp).
  std::unique_ptr<boost::asio::steady_timer> trim_timer_;
  size_t connection_peak_ = 0;
  std::shared_ptr<HttpListener> agent_listener_;
  std::shared_ptr<HttpListener> admin_listener_;
  std::vector<std::thread> threads_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace xiaoan::collector
