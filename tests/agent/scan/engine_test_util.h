#pragma once

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/scan/scan_engine.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan::testing {

// Rules of the engine tests: a marker string, the externals, a rule that counts.
inline const char* kTestRules = R"(
rule marker : test_tag { strings: $m = "XIAOAN-TEST-MARKER" condition: $m }
rule exe_ext { condition: extension == "exe" and filetype == "EXE" and filename == "tool.Exe" }
rule in_downloads { condition: filepath contains "/downloads/" and filesize == 7 }
rule many { strings: $x = "MANY-" condition: #x >= 3 }
)";

inline std::shared_ptr<const sig::ScanRules> buildRules(const std::string& text,
                                                        uint64_t version = 1) {
  sig::ScanRules::Options o;
  o.bundle_version = version;
  auto rules = sig::ScanRules::build({{"test.yar", text}}, o, nullptr);
  REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
  return *rules;
}

class RecordingObserver : public ScanObserver {
 public:
  void onFinding(const Finding& f) override {
    std::lock_guard lock(mu);
    findings.push_back(f);
  }
  void onFault(const Fault& f) override {
    std::lock_guard lock(mu);
    faults.push_back(f);
  }
  // path -> rule names
  std::map<std::string, std::set<std::string>> matched() const {
    std::map<std::string, std::set<std::string>> out;
    for (const Finding& f : findings) {
      for (const auto& m : f.matches) out[f.path].insert(m.rule);
    }
    return out;
  }
  std::mutex mu;
  std::vector<Finding> findings;
  std::vector<Fault> faults;
};

inline std::unique_ptr<ScanEngine> openEngine(const std::string& state_dir) {
  auto engine = ScanEngine::open({state_dir});
  REQUIRE_MESSAGE(engine.isOk(), engine.status().toString());
  return std::move(engine).value();
}

inline ScanRequest request(std::vector<std::string> roots, unsigned threads = 2) {
  ScanRequest r;
  r.scan_id = "test-scan";
  r.roots = std::move(roots);
  r.threads = threads;
  r.file_timeout = std::chrono::seconds(1);
  return r;
}

inline v1::ScanSummaryEvent runScan(ScanEngine& engine, const ScanRequest& req,
                                    std::shared_ptr<const sig::ScanRules> rules,
                                    ScanObserver& observer, Pacer* pacer = nullptr) {
  std::atomic<bool> stop{false};
  auto summary = engine.run(req, std::move(rules), observer, pacer, stop);
  REQUIRE_MESSAGE(summary.isOk(), summary.status().toString());
  return *summary;
}

// Sets a file's mtime `seconds` into the past (so a later write surely changes it).
inline void ageFile(const std::string& path, int seconds) {
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  timeval tv[2] = {{sb.st_atim.tv_sec - seconds, 0}, {sb.st_mtim.tv_sec - seconds, 0}};
  REQUIRE(::utimes(path.c_str(), tv) == 0);
}

}  // namespace xiaoan::agent::scan::testing
