#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/result.h"
#include "signatures/scan_rules.h"
#include "xiaoan/v1/scan.pb.h"

// The scan engine: walks roots (never following symlinks, each (device, inode) once per pass),
// scans regular files with a ScanRules on N threads, skips unchanged files through a persistent
// result cache, records the file in flight (crash marker) and counts every file it does not
// scan by reason. Policy, events and quarantine live in the caller (ScanService).

namespace xiaoan::agent::scan {

// A file that matched.
struct Finding {
  std::string path;  // raw bytes (may be non-UTF-8)
  uint64_t size = 0;
  uint32_t uid = 0, gid = 0, mode = 0;
  int64_t mtime_ns = 0;
  uint64_t dev = 0, ino = 0;
  std::array<uint8_t, 32> sha256{};
  std::vector<sig::Match> matches;
};

// A file that timed out or (found at start) crashed the scanner.
struct Fault {
  v1::ScanFaultEvent::Kind kind = v1::ScanFaultEvent::KIND_UNSPECIFIED;
  std::string path;
  uint64_t size = 0;
};

// Receives results; called from scan threads (implementations synchronise).
class ScanObserver {
 public:
  virtual ~ScanObserver() = default;
  virtual void onFinding(const Finding& finding) = 0;
  virtual void onFault(const Fault& fault) = 0;
};

// Slows background scans down: called by each scan thread before a file with the bytes it is
// about to read; sleeps to hold the CPU cap and read rate, blocks while paused. Returns false
// when the scan must stop (cancel, agent stop).
class Pacer {
 public:
  virtual ~Pacer() = default;
  virtual bool beforeFile(uint64_t bytes) = 0;
};

struct ScanRequest {
  std::string scan_id;
  v1::ScanKind kind = v1::SCAN_KIND_ON_DEMAND;
  std::vector<std::string> roots;  // absolute; files or directories
  // On-access: the watched roots. Each root is reached from the watched root it lies in, no
  // symlink followed, never leaving it (WalkOptions::confine); a root outside all of them is
  // not scanned. Empty: roots are reached from "/", still without following a symlink.
  std::vector<std::string> confine;
  std::vector<std::string> exclusions;  // absolute path prefixes or fnmatch globs
  uint64_t max_file_bytes = 256ull << 20;
  uint32_t max_depth = 64;
  std::chrono::seconds file_timeout{60};
  unsigned threads = 0;  // 0 = number of CPUs
  bool use_cache = true;
  bool one_file_system = false;  // removable media: stay on the mounted device
};

class ScanEngine {
 public:
  struct Options {
    std::string state_dir;  // <state_dir>/scan: result cache, crash markers, fault list
  };
  // Reads crash markers left by a previous run: each file in flight then is recorded as
  // faulted (skipped from now on for that bundle version) and returned once by takeStartupFaults.
  static Result<std::unique_ptr<ScanEngine>> open(const Options& options);
  ~ScanEngine();

  std::vector<Fault> takeStartupFaults();

  // Runs one pass. Progress counters are readable while it runs (progress()).
  Result<v1::ScanSummaryEvent> run(const ScanRequest& request,
                                   std::shared_ptr<const sig::ScanRules> rules,
                                   ScanObserver& observer, Pacer* pacer,
                                   const std::atomic<bool>& stop);

  // Live counters of the running pass identified by scan_id (files/bytes found and done,
  // detections); false when no such pass runs.
  bool progress(const std::string& scan_id, v1::ScanProgress* out) const;

  struct Impl;

 private:
  explicit ScanEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xiaoan::agent::scan
