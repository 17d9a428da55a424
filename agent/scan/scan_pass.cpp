#include "agent/scan/scan_pass.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include <google/protobuf/util/time_util.h>

#include "agent/scan/path_text.h"
#include "common/crypto/ed25519.h"
#include "platform/clock.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

using google::protobuf::util::TimeUtil;

// Files are opened where the walk found them (no path resolution), never through a symlink,
// never as a controlling terminal, never blocking on a FIFO swapped in since the walk.
// The cache file holds every entry (up to ~14 MB): written once a minute during a pass, and
// after an on-access pass (a few files) at most every 5 minutes; the engine writes it at stop.
constexpr auto kCacheSaveInterval = std::chrono::seconds(60);
constexpr auto kOnAccessCacheSaveInterval = std::chrono::seconds(300);
constexpr auto kCoordinatorTick = std::chrono::milliseconds(200);

unsigned threadCount(const ScanRequest& r) {
  if (r.threads > 0) return r.threads;
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

uint64_t monotonicNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

uint64_t threadCpuNs() { return threadCpuTimeNs(); }

int64_t wallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<spdlog::logger> logger() { return componentLogger(LogComponent::kAgentScan); }

}  // namespace

struct ScanPass::Worker {
  Worker(BigFileGate& gate, const std::atomic<bool>& cancelled, sig::ScanRules::Scanner s,
         std::optional<CrashMarker> m)
      : scanner(std::move(s)), reader(gate, cancelled), marker(std::move(m)) {}
  sig::ScanRules::Scanner scanner;
  FileReader reader;
  ExternalsBuilder externals;
  std::optional<CrashMarker> marker;  // none when it could not be created (state dir read-only)
  InflightFile inflight;
  WorkItem item;
  std::thread thread;
  bool marker_warned = false;

  // Logged once per thread and pass: a read-only state dir would fail every file.
  void markerFailed(const Status& st) {
    if (st.isOk() || std::exchange(marker_warned, true)) return;
    logger()->warn("crash marker not written, scanning goes on without it: {}", st.toString());
  }
};

class ScanPass::Visitor final : public WalkVisitor {
 public:
  explicit Visitor(ScanPass& pass) : pass_(pass) {}
  bool onFile(const WalkEntry& entry) override { return pass_.onWalkedFile(entry); }
  void onSkip(WalkSkip reason, std::string_view path, uint64_t count, int) override {
    pass_.onWalkSkip(reason, path, count);
  }

 private:
  ScanPass& pass_;
};

ScanPass::ScanPass(const ScanRequest& request, std::shared_ptr<const sig::ScanRules> rules,
                   ScanObserver& observer, Pacer* pacer, const std::atomic<bool>& stop, PassEnv env)
    : request_(request),
      rules_(std::move(rules)),
      bundle_(rules_->bundleVersion()),
      observer_(observer),
      pacer_(pacer),
      stop_(stop),
      env_(std::move(env)),
      start_mono_ns_(monotonicNs()),
      queue_(threadCount(request) * 4 + 8) {}

ScanPass::~ScanPass() {
  abort();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

Result<v1::ScanSummaryEvent> ScanPass::run() {
  int64_t started = wallNs();
  XIAOAN_RETURN_IF_ERROR(startWorkers());
  shouldStop();  // a stop already requested: nothing is scanned
  std::thread walker([this] { walkerMain(); });
  coordinate();
  walker.join();
  for (auto& w : workers_) w->thread.join();
  workers_.clear();  // removes the crash markers
  if (request_.use_cache) {
    Status saved =
        env_.cache->save(request_.kind == v1::SCAN_KIND_ON_ACCESS ? kOnAccessCacheSaveInterval
                                                                  : std::chrono::seconds(0));
    if (!saved.isOk()) logger()->warn("scan result cache not saved: {}", saved.toString());
  }
  std::lock_guard lock(done_mu_);
  if (!failure_.isOk()) return failure_;
  return summary(started);
}

Status ScanPass::startWorkers() {
  unsigned n = threadCount(request_);
  for (unsigned i = 0; i < n; ++i) {
    XIAOAN_ASSIGN_OR_RETURN(sig::ScanRules::Scanner scanner, rules_->newScanner());
    scanner.setTimeout(request_.file_timeout);
    // The marker is a safety net, not a precondition: without it the pass still runs.
    auto created = CrashMarker::create(env_.marker_prefix + std::to_string(i));
    std::optional<CrashMarker> marker;
    if (created) marker.emplace(std::move(created).value());
    if (!created) logger()->warn("crash marker not created: {}", created.status().toString());
    workers_.push_back(
        std::make_unique<Worker>(*env_.big_files, aborted_, std::move(scanner), std::move(marker)));
  }
  std::lock_guard lock(done_mu_);
  running_ = n + 1;  // and the walker
  for (auto& w : workers_) w->thread = std::thread([this, p = w.get()] { workerMain(p); });
  return Status::ok();
}

void ScanPass::threadDone() {
  counters_.cpu_ns.fetch_add(threadCpuNs());
  {
    std::lock_guard lock(done_mu_);
    --running_;
  }
  done_cv_.notify_all();
}

void ScanPass::fail(const Status& status) {
  {
    std::lock_guard lock(done_mu_);
    if (failure_.isOk()) failure_ = status;
  }
  abort();
}

bool ScanPass::shouldStop() {
  if (aborted_.load(std::memory_order_relaxed)) return true;
  if (!stop_.load(std::memory_order_relaxed)) return false;
  interrupted_.store(true);
  abort();
  return true;
}

void ScanPass::abort() {
  aborted_.store(true);
  queue_.abort();
  env_.big_files->wakeAll();
}

// Waits for the threads; meanwhile turns a stop request into an abort and saves the cache now
// and then, so a crash or power cut loses little.
void ScanPass::coordinate() {
  auto last_save = std::chrono::steady_clock::now();
  std::unique_lock lock(done_mu_);
  while (running_ > 0) {
    done_cv_.wait_for(lock, kCoordinatorTick);
    if (stop_.load() && !aborted_.load()) {
      lock.unlock();
      shouldStop();
      lock.lock();
    }
    auto now = std::chrono::steady_clock::now();
    if (request_.use_cache && now - last_save >= kCacheSaveInterval) {
      lock.unlock();
      Status saved = env_.cache->save();
      if (!saved.isOk()) logger()->warn("scan result cache not saved: {}", saved.toString());
      lock.lock();
      last_save = now;
    }
  }
}

void ScanPass::walkerMain() {
  Visitor visitor(*this);
  WalkOptions options;
  options.exclusions = request_.exclusions;
  options.max_depth = request_.max_depth;
  options.one_file_system = request_.one_file_system;
  options.confine = request_.confine;
  Status st = env_.walker->walk(request_.roots, options, visitor, aborted_);
  if (!st.isOk()) fail(st);
  counters_.walk_done.store(true);
  queue_.close();
  threadDone();
}

bool ScanPass::onWalkedFile(const WalkEntry& e) {
  if (shouldStop()) return false;
  const FileStat& st = e.stat;
  counters_.found(1, st.size);
  if (st.size > request_.max_file_bytes) {
    counters_.skip(SkipReason::kTooLarge, e.path, 1, st.size);
    return true;
  }
  if (env_.faults->contains(st, bundle_)) {
    counters_.skip(SkipReason::kFaulted, e.path, 1, st.size);
    return true;
  }
  if (request_.use_cache && env_.cache->isClean(st, bundle_)) {
    counters_.files_cached.fetch_add(1, std::memory_order_relaxed);
    counters_.done(st.size);
    return true;
  }
  auto file = openWalkEntry(e);
  if (!file.isOk()) {
    const int err = file.status().sysErrno();
    bool gone = file.status().code() == ErrorCode::kNotFound || err == ELOOP;
    counters_.skip(gone ? SkipReason::kVanished : SkipReason::kUnreadable, e.path, 1, st.size);
    return true;
  }
  return queue_.push(std::move(file).value(), e.path, e.path.size() - e.name.size(), st);
}

void ScanPass::onWalkSkip(WalkSkip reason, std::string_view path, uint64_t count) {
  counters_.found(count, 0);
  counters_.skip(skipReasonOf(reason), path, count, 0);
}

void ScanPass::workerMain(Worker* w) {
  while (!shouldStop() && queue_.pop(&w->item)) {
    scanItem(*w);
    w->reader.release();
    w->item.file.close();
  }
  threadDone();
}

void ScanPass::scanItem(Worker& w) {
  const FileStat& st = w.item.stat;
  if (pacer_ != nullptr && !pacer_->beforeFile(st.size)) {
    interrupted_.store(true);
    abort();
    return;
  }
  std::span<const uint8_t> data;
  if (!loadItem(w, &data)) return;
  setMarker(w);
  auto matches = w.scanner.scan(data, w.externals.build(w.item.path, w.item.name(), st.uid));
  finishScan(w, matches, data);
  w.reader.release();
  if (w.marker) w.markerFailed(w.marker->clear());
}

bool ScanPass::loadItem(Worker& w, std::span<const uint8_t>* data) {
  auto loaded = w.reader.load(w.item.file, w.item.stat);
  if (loaded.isOk()) {
    *data = *loaded;
    return true;
  }
  ErrorCode code = loaded.status().code();
  if (code != ErrorCode::kCancelled) {
    SkipReason r = code == ErrorCode::kNotFound ? SkipReason::kVanished : SkipReason::kUnreadable;
    counters_.skip(r, w.item.path, 1, w.item.stat.size);
  }
  return false;
}

void ScanPass::setMarker(Worker& w) {
  const FileStat& st = w.item.stat;
  InflightFile& f = w.inflight;
  f.dev = st.dev;
  f.ino = st.ino;
  f.size = st.size;
  f.mtime_ns = st.mtime_ns;
  f.bundle_version = bundle_;
  f.path.assign(w.item.path);
  // Scanning goes on without the marker: it is a safety net, not a precondition.
  if (w.marker) w.markerFailed(w.marker->set(f));
}

void ScanPass::finishScan(Worker& w, Result<std::vector<sig::Match>>& matches,
                          std::span<const uint8_t> data) {
  const FileStat& st = w.item.stat;
  FileStat now;
  if (!w.reader.unchanged(w.item.file, &now)) {
    counters_.skip(SkipReason::kVanished, w.item.path, 1, st.size);
    return;
  }
  if (!matches.isOk()) return onScanError(w, matches.status());
  counters_.files_scanned.fetch_add(1, std::memory_order_relaxed);
  counters_.bytes_scanned.fetch_add(st.size, std::memory_order_relaxed);
  counters_.done(st.size);
  if (matches->empty()) {
    if (request_.use_cache) env_.cache->markClean(now, bundle_);
    return;
  }
  report(w, now, data, std::move(*matches));
}

void ScanPass::onScanError(Worker& w, const Status& error) {
  const FileStat& st = w.item.stat;
  if (error.code() != ErrorCode::kScanTimeout) {
    logger()->warn("scan of a file failed: {}", error.toString());
    counters_.skip(SkipReason::kOtherErrors, w.item.path, 1, st.size);
    return;
  }
  FaultRecord record{
      st.dev, st.ino, st.size, st.mtime_ns, bundle_, v1::ScanFaultEvent::KIND_TIMEOUT, w.item.path};
  Status saved = env_.faults->add(std::move(record));
  if (!saved.isOk()) logger()->warn("scan fault not recorded: {}", saved.toString());
  counters_.skip(SkipReason::kTimeout, w.item.path, 1, st.size);
  observer_.onFault(Fault{v1::ScanFaultEvent::KIND_TIMEOUT, w.item.path, st.size});
}

void ScanPass::report(Worker& w, const FileStat& now, std::span<const uint8_t> data,
                      std::vector<sig::Match> matches) {
  Finding f;
  f.path = w.item.path;
  f.size = now.size;
  f.uid = now.uid;
  f.gid = now.gid;
  f.mode = now.mode;
  f.mtime_ns = now.mtime_ns;
  f.dev = now.dev;
  f.ino = now.ino;
  std::string digest =
      crypto::sha256(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  std::memcpy(f.sha256.data(), digest.data(), f.sha256.size());
  f.matches = std::move(matches);
  env_.cache->forget(now);
  counters_.detections.fetch_add(1, std::memory_order_relaxed);
  observer_.onFinding(f);
}

v1::ScanSummaryEvent ScanPass::summary(int64_t started_ns) const {
  v1::ScanSummaryEvent s;
  s.set_scan_id(request_.scan_id);
  s.set_kind(request_.kind);
  for (const std::string& root : request_.roots) s.add_roots(displayPath(root));
  *s.mutable_started_at() = TimeUtil::NanosecondsToTimestamp(started_ns);
  *s.mutable_finished_at() = TimeUtil::NanosecondsToTimestamp(wallNs());
  s.set_outcome(interrupted_.load() ? v1::ScanSummaryEvent::OUTCOME_INTERRUPTED
                                    : v1::ScanSummaryEvent::OUTCOME_COMPLETED);
  s.set_bundle_version(bundle_);
  counters_.fillSummary(&s);
  return s;
}

void ScanPass::progress(v1::ScanProgress* out) const {
  out->set_scan_id(request_.scan_id);
  out->set_kind(request_.kind);
  counters_.fillProgress(monotonicNs() - start_mono_ns_, out);
}

}  // namespace xiaoan::agent::scan
