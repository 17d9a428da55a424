#include "agent/scan/scan_engine.h"

#include <chrono>
#include <map>
#include <mutex>

#include "agent/scan/crash_marker.h"
#include "agent/scan/fault_list.h"
#include "agent/scan/file_reader.h"
#include "agent/scan/result_cache.h"
#include "agent/scan/scan_pass.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

// About 40 bytes each in memory: a few hundred thousand files cost some ten MB.
constexpr size_t kMaxCacheEntries = 500000;

}  // namespace

struct ScanEngine::Impl {
  std::string scan_dir;
  std::unique_ptr<ResultCache> cache;
  std::unique_ptr<FaultList> faults;
  std::unique_ptr<FileWalker> walker;
  // Mapped pages of big files count in RSS: one at a time, across all passes.
  BigFileGate big_files{1};

  mutable std::mutex mu;
  std::vector<Fault> startup_faults;
  std::map<std::string, const ScanPass*> active;
  uint64_t next_serial = 0;

  void recordCrashes();
};

// Each file a previous process was scanning when it died becomes a fault: skipped from now on
// (while unchanged, for that bundle version) and reported once.
void ScanEngine::Impl::recordCrashes() {
  takeLeftoverMarkers(scan_dir, [this](const InflightFile& f) {
    auto log = componentLogger(LogComponent::kAgentScan);
    log->warn("the scanner died while scanning a file of {} bytes; it is skipped from now on",
              f.size);
    startup_faults.push_back(Fault{v1::ScanFaultEvent::KIND_CRASH, f.path, f.size});
    // Kept in memory for this run either way; unsaved, the marker stays for the next start.
    Status st = faults->add(FaultRecord{f.dev, f.ino, f.size, f.mtime_ns, f.bundle_version,
                                        v1::ScanFaultEvent::KIND_CRASH, f.path});
    if (!st.isOk()) log->warn("crash not saved in the fault list: {}", st.toString());
    return st;
  });
}

Result<std::unique_ptr<ScanEngine>> ScanEngine::open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->scan_dir = options.state_dir + "/scan";
  XIAOAN_RETURN_IF_ERROR(makeDirs(impl->scan_dir, 0700));
  impl->faults = FaultList::load(impl->scan_dir + "/faults.bin");
  impl->cache = ResultCache::load(impl->scan_dir + "/cache.bin", kMaxCacheEntries);
  impl->walker = makeFileWalker();
  impl->recordCrashes();
  return std::unique_ptr<ScanEngine>(new ScanEngine(std::move(impl)));
}

ScanEngine::ScanEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
// What on-access passes left unsaved (they write the cache at most every few minutes).
ScanEngine::~ScanEngine() {
  if (!impl_ || !impl_->cache) return;
  Status saved = impl_->cache->save();
  if (!saved.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("scan result cache not saved: {}", saved.toString());
  }
}

std::vector<Fault> ScanEngine::takeStartupFaults() {
  std::lock_guard lock(impl_->mu);
  return std::exchange(impl_->startup_faults, {});
}

Result<v1::ScanSummaryEvent> ScanEngine::run(const ScanRequest& request,
                                             std::shared_ptr<const sig::ScanRules> rules,
                                             ScanObserver& observer, Pacer* pacer,
                                             const std::atomic<bool>& stop) {
  if (!rules) return Status(ErrorCode::kRulesMissing, "no signature rules loaded");
  if (request.roots.empty()) return Status(ErrorCode::kInvalidArgument, "nothing to scan");
  impl_->cache->setToday(ResultCache::dayNumber(std::chrono::system_clock::now()));
  PassEnv env{impl_->cache.get(), impl_->faults.get(), &impl_->big_files, impl_->walker.get(), {}};
  {
    std::lock_guard lock(impl_->mu);
    env.marker_prefix = impl_->scan_dir + "/inflight." + std::to_string(impl_->next_serial++) + ".";
  }
  ScanPass pass(request, std::move(rules), observer, pacer, stop, std::move(env));
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->active.emplace(request.scan_id, &pass).second) {
      return Status(ErrorCode::kAlreadyRunning, "a scan with id " + request.scan_id + " runs");
    }
  }
  Result<v1::ScanSummaryEvent> result = pass.run();
  std::lock_guard lock(impl_->mu);
  impl_->active.erase(request.scan_id);
  return result;
}

bool ScanEngine::progress(const std::string& scan_id, v1::ScanProgress* out) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->active.find(scan_id);
  if (it == impl_->active.end()) return false;
  it->second->progress(out);
  return true;
}

}  // namespace xiaoan::agent::scan
