#include "agent/scan/scan_requests.h"

#include <iterator>

namespace xiaoan::agent::scan {
namespace {

// Full scans of "/" leave out what is not files on disk.
constexpr const char* kPseudoFileSystems[] = {"/proc", "/sys", "/dev", "/run"};

}  // namespace

ScanRequest ScanRequestBuilder::request(const v1::ScanPolicy& policy, v1::ScanKind kind,
                                        std::vector<std::string> roots) const {
  ScanRequest r;
  r.scan_id = newScanId();
  r.kind = kind;
  r.roots = std::move(roots);
  r.exclusions.assign(policy.exclusions().begin(), policy.exclusions().end());
  // Our own files (spool, quarantine, caches) are never scanned.
  r.exclusions.push_back(state_dir_);
  if (kind == v1::SCAN_KIND_SCHEDULED && policy.paths_size() == 0) {
    r.exclusions.insert(r.exclusions.end(), std::begin(kPseudoFileSystems),
                        std::end(kPseudoFileSystems));
  }
  if (policy.max_file_bytes() > 0) r.max_file_bytes = policy.max_file_bytes();
  if (policy.file_timeout_seconds() > 0) {
    r.file_timeout = std::chrono::seconds(policy.file_timeout_seconds());
  }
  r.threads = kind == v1::SCAN_KIND_ON_DEMAND ? on_demand_threads_ : 1;
  r.one_file_system = kind == v1::SCAN_KIND_REMOVABLE;
  // FAT/exFAT make inode numbers up and USB drives reuse device numbers: another stick could
  // hit a stale "clean" entry of the result cache, so removable media are always scanned.
  r.use_cache = kind != v1::SCAN_KIND_REMOVABLE;
  return r;
}

JobSpec ScanRequestBuilder::backgroundSpec(const v1::ScanPolicy& policy, ScanRequest request) {
  JobSpec spec;
  spec.request = std::move(request);
  spec.pacing = pacing(policy);
  spec.cpu_cap_percent = policy.cpu_percent();
  return spec;
}

PacerSettings ScanRequestBuilder::pacing(const v1::ScanPolicy& policy) {
  return {policy.cpu_percent(), policy.io_mib_per_second()};
}

}  // namespace xiaoan::agent::scan
