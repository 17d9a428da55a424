#include "service/collector/collector_server.h"

#include "platform/logging.h"
#include "platform/memory.h"
#include "platform/process.h"
#include "service/collector/data_dir_guard.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/http/tls_context.h"
#include "service/collector/store/sqlite_store.h"

namespace xiaoan::collector {
namespace {

constexpr std::chrono::milliseconds kDrainPoll{10};
// Descriptors kept out of the connection budgets: database sessions, logs, artifact files
// being streamed, the listening sockets.
constexpr uint64_t kReservedDescriptors = 256;
// How often the heap is checked, and how many connections must have ended since the last peak
// before freed memory is handed back (malloc_trim walks the heap: not after every close).
constexpr std::chrono::seconds kTrimCheckInterval{2};
constexpr size_t kTrimAfterClosed = 32;

// Run one io_context until it is stopped; a handler that throws is logged, not fatal.
void runIo(boost::asio::io_context& io) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      componentLogger(LogComponent::kCollector)->error("network thread caught: {}", e.what());
    }
  }
}

}  // namespace

CollectorServer::CollectorServer(const CollectorConfig& config, const Clock& clock)
    : config_(config), clock_(clock), io_(config.io_threads), admin_io_(1) {}

Result<std::unique_ptr<CollectorServer>> CollectorServer::create(const CollectorConfig& config,
                                                                 const Clock& clock) {
  std::unique_ptr<CollectorServer> server(new CollectorServer(config, clock));
  XIAOAN_RETURN_IF_ERROR(server->init());
  return server;
}

Status CollectorServer::init() {
  // First: a second collector on this data dir, or a database that is not ours, stops here.
  XIAOAN_ASSIGN_OR_RETURN(data_dir_lock_,
                          claimDataDir(config_.data_dir, config_.db_check, config_.lang));
  XIAOAN_ASSIGN_OR_RETURN(pki_, PkiStore::load(config_.data_dir));
  XIAOAN_ASSIGN_OR_RETURN(
      agent_tls_,
      makeServerTlsContext({pki_->serverCertPath(), pki_->serverKeyPath(), pki_->caCertPath()}));
  XIAOAN_ASSIGN_OR_RETURN(
      admin_tls_, makeServerTlsContext({pki_->serverCertPath(), pki_->serverKeyPath(), ""}));
  XIAOAN_ASSIGN_OR_RETURN(auto writer_store, SqliteStore::open(dbPath(config_.data_dir), false));
  std::vector<std::unique_ptr<Store>> admin_stores;  // one database session per admin worker
  for (size_t i = 0; i < std::max<size_t>(1, config_.admin.workers); ++i) {
    XIAOAN_ASSIGN_OR_RETURN(auto store, SqliteStore::open(dbPath(config_.data_dir), false));
    admin_stores.push_back(std::move(store));
  }
  XIAOAN_RETURN_IF_ERROR(initContent());
  writer_ = std::make_unique<IngestWriter>(std::move(writer_store), config_.writer);
  enrollment_ = std::make_unique<Enrollment>(*pki_, clock_, config_.retry);
  agent_api_ = std::make_unique<AgentApi>(AgentApiOptions{config_.retry, config_.enroll_limits},
                                          *writer_, *enrollment_, *issuer_, *artifacts_, clock_);
  admin_api_ = std::make_unique<AdminApi>(std::move(admin_stores), *issuer_, *artifacts_, clock_,
                                          config_.admin);
  if (config_.retention_interval.count() > 0) {
    XIAOAN_ASSIGN_OR_RETURN(auto retention_store,
                            SqliteStore::open(dbPath(config_.data_dir), false));
    retention_ = std::make_unique<RetentionScheduler>(std::move(retention_store), clock_,
                                                      config_.retention, config_.retention_interval,
                                                      config_.retention_first_delay);
  }
  return Status::ok();
}

// The content keys are read once, here: a broken import stops the start (the collector must
// not hand out metadata its agents would reject); no import just means nothing is signed.
Status CollectorServer::initContent() {
  XIAOAN_ASSIGN_OR_RETURN(keys_, loadCollectorKeys(config_.data_dir));
  if (keys_) {
    componentLogger(LogComponent::kCollector)
        ->info("signing content with keys of root v{}", keys_->roots.size());
  } else {
    componentLogger(LogComponent::kCollector)
        ->warn(
            "no content keys imported (xiaoan-collector keys import): check-ins carry no "
            "signed policy");
  }
  artifacts_ = std::make_unique<ArtifactStore>(config_.data_dir);
  IssuerOptions options{config_.timestamp_ttl, config_.targets_ttl,
                        collectorDefaults(config_.checkin_interval_seconds)};
  issuer_ = std::make_unique<ContentIssuer>(std::move(options), keys_ ? &*keys_ : nullptr,
                                            *artifacts_, clock_);
  return Status::ok();
}

CollectorServer::~CollectorServer() { stop(); }

// Both listeners' connections must fit the descriptor limit together, beside the reserve:
// otherwise a flood on one port exhausts the descriptors and the other cannot accept (agents
// starving admins). The agent cap gives way first; what is lowered is logged.
void CollectorServer::fitConnectionCaps() {
  const uint64_t limit = raiseOpenFileLimit();
  const uint64_t usable = limit > kReservedDescriptors ? limit - kReservedDescriptors : 16;
  auto& agent = config_.agent_listener;
  auto& admin = config_.admin_listener;
  if (admin.max_connections > usable / 2) admin.max_connections = std::max<uint64_t>(1, usable / 2);
  if (agent.max_connections + admin.max_connections > usable) {
    const size_t fitted = std::max<uint64_t>(1, usable - admin.max_connections);
    componentLogger(LogComponent::kCollector)
        ->warn("open file limit {}: agent connections capped at {} instead of {}", limit, fitted,
               agent.max_connections);
    agent.max_connections = fitted;
  }
  for (auto* l : {&agent, &admin}) {
    l->max_connections_per_address = std::min(l->max_connections_per_address, l->max_connections);
  }
  componentLogger(LogComponent::kCollector)
      ->info("connection caps: agent {} ({} per address), admin {} ({} per address), fd limit {}",
             agent.max_connections, agent.max_connections_per_address, admin.max_connections,
             admin.max_connections_per_address, limit);
}

// Every TLS session holds tens of KiB of buffers; after a flood of them glibc keeps the freed
// memory unless asked. When many connections have closed since the last peak, it is asked.
void CollectorServer::scheduleHeapTrim() {
  trim_timer_->expires_after(kTrimCheckInterval);
  trim_timer_->async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const size_t now = agent_listener_->connections() + admin_listener_->connections();
    connection_peak_ = std::max(connection_peak_, now);
    if (connection_peak_ - now >= kTrimAfterClosed) {
      trimHeap();
      componentLogger(LogComponent::kCollector)
          ->debug("{} connections closed since the peak of {}: heap trimmed",
                  connection_peak_ - now, connection_peak_);
      connection_peak_ = now;
    }
    scheduleHeapTrim();
  });
}

Status CollectorServer::start() {
  fitConnectionCaps();
  auto agent_ctx =
      std::make_shared<ListenerContext>(config_.agent_listener, *agent_tls_, *agent_api_, state_);
  auto admin_ctx =
      std::make_shared<ListenerContext>(config_.admin_listener, *admin_tls_, *admin_api_, state_);
  XIAOAN_ASSIGN_OR_RETURN(agent_listener_, HttpListener::open(io_, agent_ctx));
  XIAOAN_ASSIGN_OR_RETURN(admin_listener_, HttpListener::open(admin_io_, admin_ctx));
  writer_->start();
  if (retention_) retention_->start();
  work_ = std::make_unique<WorkGuard>(io_.get_executor());
  admin_work_ = std::make_unique<WorkGuard>(admin_io_.get_executor());
  agent_listener_->start();
  admin_listener_->start();
  trim_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  scheduleHeapTrim();
  for (int i = 0; i < std::max(1, config_.io_threads); ++i) {
    threads_.emplace_back([this] { runIo(io_); });
  }
  threads_.emplace_back([this] { runIo(admin_io_); });
  started_ = true;
  componentLogger(LogComponent::kCollector)
      ->info("agent api on {}, admin api on {}", agentAddress(), adminAddress());
  return Status::ok();
}

void CollectorServer::waitForInFlight() {
  auto deadline = std::chrono::steady_clock::now() + config_.shutdown_grace;
  while (state_.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kDrainPoll);
  }
}

void CollectorServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  state_.stopping = true;
  if (started_) {
    agent_listener_->stop();
    admin_listener_->stop();
  }
  if (retention_) retention_->stop();  // after its current batch
  if (writer_) writer_->stop();        // commits and answers everything already queued
  if (started_) waitForInFlight();
  if (admin_api_) admin_api_->stop();
  work_.reset();
  admin_work_.reset();
  io_.stop();
  admin_io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (started_) {
    auto stats = writer_->stats();
    componentLogger(LogComponent::kCollector)
        ->info("stopped: {} jobs committed in {} transactions, {} failed, {} refused (queue full)",
               stats.jobs_committed, stats.transactions, stats.jobs_failed, stats.rejected_full);
  }
}

}  // namespace xiaoan::collector
