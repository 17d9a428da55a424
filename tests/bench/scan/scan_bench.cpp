// xiaoan_scan_bench: the agent's scan path (ScanRules + ScanEngine) over a tree, for
// scan_bench.sh. Three passes with the same engine and rules:
//   1. full scan, result cache off (compared with `yara -r -N -p 2`);
//   2. the same with the cache on (fills it, as a first scheduled scan would);
//   3. rescan of the unchanged tree with the cache on.
//
//   xiaoan_scan_bench [--threads N] [--full-only] [--matches FILE] [--externals-rules FILE]
//                     RULES_DIR ROOT...
//
// RULES_DIR: every *.yar / *.yara below it is a bundle source. ROOTs are made absolute.
// --matches FILE: "RULE PATH" per match of pass 1 (as `yara -r` prints them).
// --externals-rules FILE: names of the rules whose conditions read external variables (the
// engine sets them per file, the yara CLI leaves them empty: not comparable).
// Prints "key value" lines on stdout.

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "agent/scan/scan_engine.h"
#include "signatures/rule_analysis.h"
#include "signatures/scan_rules.h"
#include "tests/bench/scan/bench_util.h"

namespace fs = std::filesystem;
using namespace xiaoan;

namespace {

struct Args {
  unsigned threads = 2;
  bool full_only = false;  // pass 1 only (the equality test)
  std::string matches_file;
  std::string externals_file;
  std::string rules_dir;
  std::vector<std::string> roots;
};

bool parseArgs(int argc, char** argv, Args& a) {
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "--threads" && i + 1 < argc) {
      a.threads = static_cast<unsigned>(std::stoul(argv[++i]));
    } else if (s == "--full-only") {
      a.full_only = true;
    } else if (s == "--matches" && i + 1 < argc) {
      a.matches_file = argv[++i];
    } else if (s == "--externals-rules" && i + 1 < argc) {
      a.externals_file = argv[++i];
    } else {
      pos.push_back(s);
    }
  }
  if (pos.size() < 2 || a.threads == 0) return false;
  a.rules_dir = pos[0];
  for (size_t i = 1; i < pos.size(); ++i) a.roots.push_back(fs::absolute(pos[i]).string());
  return true;
}

double cpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

class Collector : public agent::scan::ScanObserver {
 public:
  void onFinding(const agent::scan::Finding& f) override {
    std::lock_guard lock(mu_);
    for (const sig::Match& m : f.matches) lines_.push_back(m.rule + " " + f.path);
  }
  void onFault(const agent::scan::Fault& f) override {
    std::lock_guard lock(mu_);
    std::cerr << "fault " << f.kind << " " << f.path << "\n";
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mu_);
    return std::move(lines_);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// One pass; prints "<name>_seconds", "<name>_files", ... and returns false on failure.
bool runPass(agent::scan::ScanEngine& engine, const Args& args,
             const std::shared_ptr<const sig::ScanRules>& rules, bool use_cache,
             const std::string& name, Collector& collector) {
  agent::scan::ScanRequest req;
  req.scan_id = name;
  req.roots = args.roots;
  req.threads = args.threads;
  req.use_cache = use_cache;
  std::atomic<bool> stop{false};
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = cpuSeconds();
  auto summary = engine.run(req, rules, collector, nullptr, stop);
  std::printf("%s_cpu_seconds %.2f\n", name.c_str(), cpuSeconds() - cpu0);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!summary) {
    std::cerr << name << ": " << summary.status().toString() << "\n";
    return false;
  }
  const uint64_t files = summary->files_scanned() + summary->files_cached();
  std::printf("%s_seconds %.3f\n%s_files %llu\n%s_files_scanned %llu\n%s_files_cached %llu\n",
              name.c_str(), s, name.c_str(), static_cast<unsigned long long>(files), name.c_str(),
              static_cast<unsigned long long>(summary->files_scanned()), name.c_str(),
              static_cast<unsigned long long>(summary->files_cached()));
  std::printf("%s_files_per_second %.1f\n%s_mib %.1f\n%s_skipped_unreadable %llu\n", name.c_str(),
              files / s, name.c_str(), summary->bytes_scanned() / 1048576.0, name.c_str(),
              static_cast<unsigned long long>(summary->skipped().unreadable()));
  return true;
}

void writeExternalsRules(const std::vector<sig::RuleSource>& sources, const std::string& path) {
  std::ofstream out(path);
  auto analysed = sig::analysis::analyse(sources);
  if (!analysed) return;
  for (const auto& r : analysed->rules) {
    if (r.uses_externals) out << r.name << "\n";
  }
}

// Builds the rules and prints their figures; idle RSS as the agent holds a bundle (the rules,
// not their sources).
Result<std::shared_ptr<const sig::ScanRules>> buildRules(const Args& args) {
  std::vector<sig::RuleSource> sources = bench::loadRuleDir(args.rules_dir);
  if (!args.externals_file.empty()) writeExternalsRules(sources, args.externals_file);
  const auto t0 = std::chrono::steady_clock::now();
  XIAOAN_ASSIGN_OR_RETURN(auto rules, sig::ScanRules::build(sources, {}, nullptr));
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sources.clear();
  sources.shrink_to_fit();
  ::malloc_trim(0);
  std::printf("rules %u\nrules_build_seconds %.2f\ncompiled_mb %.1f\nrss_idle_rules_mb %.1f\n",
              rules->ruleCount(), build_s, rules->compiledBytes() / 1e6, bench::residentMb());
  std::fflush(stdout);
  return rules;
}

// The three passes (one with --full-only); writes pass 1's matches.
bool runPasses(const Args& args, const std::shared_ptr<const sig::ScanRules>& rules,
               const std::string& state_dir) {
  auto engine = agent::scan::ScanEngine::open({state_dir});
  if (!engine) {
    std::cerr << "engine: " << engine.status().toString() << "\n";
    return false;
  }
  Collector collector;
  bool ok = runPass(**engine, args, rules, false, "full", collector);
  const std::vector<std::string> lines = collector.take();
  if (!args.full_only) {
    ok = ok && runPass(**engine, args, rules, true, "fill", collector);
    ok = ok && runPass(**engine, args, rules, true, "rescan", collector);
  }
  if (!args.matches_file.empty()) {
    std::ofstream out(args.matches_file);
    for (const std::string& l : lines) out << l << "\n";
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parseArgs(argc, argv, args)) {
    std::cerr << "usage: xiaoan_scan_bench [--threads N] [--full-only] [--matches FILE] "
                 "[--externals-rules FILE] RULES_DIR ROOT...\n";
    return 2;
  }
  std::printf("rss_start_mb %.1f\n", bench::residentMb());
  auto rules = buildRules(args);
  if (!rules) {
    std::cerr << "rules: " << rules.status().toString() << "\n";
    return 1;
  }
  char state[] = "/tmp/xiaoan-scan-bench-XXXXXX";
  if (::mkdtemp(state) == nullptr) return 1;
  const bool ok = runPasses(args, *rules, state);
  fs::remove_all(state);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak_rss_mb %.1f\ncpu_user_seconds %.2f\ncpu_sys_seconds %.2f\n",
              ru.ru_maxrss / 1024.0, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
              ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  return ok ? 0 : 1;
}
