// xiaoan_rules_scan: a yara-like command over ScanRules alone (no engine, no cache), for the
// match-equality check against the yara CLI and for measuring the rule sets by themselves.
//
//   xiaoan_rules_scan [--threads N] [--single-set] [--empty-externals] [--list FILE]
//                     RULES_DIR [ROOT...]
//
// RULES_DIR is a bundle directory: every *.yar / *.yara below it is a source named by its path
// relative to RULES_DIR (compileRules decides which are top-level). Prints "RULE PATH" per match
// like `yara -r -N` (symlinks never followed, regular files only), then a summary on stderr.
// --empty-externals sets every external variable to "" as the yara CLI's `-d name=` does.
// --single-set scans every file with the whole bundle (the reference for ScanRules' split).

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "signatures/scan_rules.h"
#include "tests/bench/scan/bench_util.h"

namespace fs = std::filesystem;
using namespace xiaoan;
using namespace xiaoan::sig;

namespace {

struct Args {
  unsigned threads = 2;
  bool single_set = false;
  bool empty_externals = false;
  std::string rules_dir;
  std::vector<std::string> roots;
  std::vector<std::string> list;  // --list FILE: scan these files (one path a line) too
};

bool parseArgs(int argc, char** argv, Args& a) {
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--threads" && i + 1 < argc) {
      a.threads = static_cast<unsigned>(std::stoul(argv[++i]));
    } else if (s == "--single-set") {
      a.single_set = true;
    } else if (s == "--list" && i + 1 < argc) {
      std::ifstream list(argv[++i]);
      for (std::string line; std::getline(list, line);) a.list.push_back(line);
    } else if (s == "--empty-externals") {
      a.empty_externals = true;
    } else {
      pos.push_back(s);
    }
  }
  if (pos.empty() || (pos.size() < 2 && a.list.empty()) || a.threads == 0) return false;
  a.rules_dir = pos[0];
  a.roots.assign(pos.begin() + 1, pos.end());
  return true;
}

// The whole file in one allocation of its size (no stream buffers: a 119 MiB file costs
// 119 MiB). False when it cannot be read.
bool readFile(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  out.resize(ok ? static_cast<size_t>(st.st_size) : 0);
  size_t done = 0;
  while (ok && done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // shrank while reading: scan what was there
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  ::close(fd);
  return ok;
}

// Regular files below the roots, symlinks never followed (as `yara -r -N`).
std::vector<std::string> listFiles(const std::vector<std::string>& roots) {
  std::vector<std::string> files;
  for (const std::string& root : roots) {
    std::error_code ec;
    if (fs::is_regular_file(fs::symlink_status(root, ec))) {
      files.push_back(root);
      continue;
    }
    auto opts = fs::directory_options::skip_permission_denied;
    for (auto it = fs::recursive_directory_iterator(root, opts, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) continue;
      if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(it->path().string());
    }
  }
  return files;
}

FileExternals externalsOf(const std::string& path, bool empty) {
  FileExternals ext;
  if (empty) return ext;
  const fs::path p(path);
  ext.filename = p.filename().string();
  ext.filepath = path;
  std::string e = p.extension().string();
  if (!e.empty()) e.erase(0, 1);
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ext.extension = e;
  ext.filetype = e;
  for (char& c : ext.filetype) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return ext;
}

struct Totals {
  std::atomic<uint64_t> files{0}, bytes{0}, errors{0}, unreadable{0};
  std::mutex out_mu;
};

// The rules under test: ScanRules, or (--single-set) the whole bundle in one libyara set
// without fast mode, i.e. what the yara CLI does.
struct Rules {
  std::shared_ptr<const ScanRules> split;
  std::optional<YaraRules> single;
  uint32_t count() const { return split ? split->ruleCount() : single->ruleCount(); }
  uint64_t bytes() const { return split ? split->compiledBytes() : single->compiledBytes(); }
};

class ThreadScanner {
 public:
  explicit ThreadScanner(const Rules& rules) {
    Status st;
    if (rules.split) {
      auto s = rules.split->newScanner();
      if (s) split_.emplace(std::move(*s));
      st = s.status();
    } else {
      auto s = YaraScanner::create(*rules.single);
      if (s) single_.emplace(std::move(*s));
      st = s.status();
    }
    if (!st.isOk()) {
      std::cerr << "scanner: " << st.toString() << "\n";
      std::exit(1);
    }
  }
  Result<std::vector<Match>> scan(std::span<const uint8_t> data, const FileExternals& ext) {
    return split_ ? split_->scan(data, ext) : single_->scan(data, ext);
  }

 private:
  std::optional<ScanRules::Scanner> split_;
  std::optional<YaraScanner> single_;
};

void worker(const Rules& rules, const Args& args, const std::vector<std::string>& files,
            std::atomic<size_t>& next, Totals& totals) {
  ThreadScanner scanner(rules);
  for (size_t i = next++; i < files.size(); i = next++) {
    std::string data;
    if (!readFile(files[i], data)) {
      ++totals.unreadable;
      std::lock_guard lock(totals.out_mu);
      std::cerr << "cannot read " << files[i] << "\n";
      continue;
    }
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    auto matches = scanner.scan(bytes, externalsOf(files[i], args.empty_externals));
    ++totals.files;
    totals.bytes += data.size();
    if (!matches) {
      ++totals.errors;
      std::lock_guard lock(totals.out_mu);
      std::cerr << "error scanning " << files[i] << ": " << matches.status().toString() << "\n";
      continue;
    }
    std::lock_guard lock(totals.out_mu);
    for (const Match& m : *matches) std::cout << m.rule << " " << files[i] << "\n";
  }
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The rules under test, built from the bundle directory.
Result<Rules> buildRules(const Args& args) {
  const std::vector<RuleSource> sources = bench::loadRuleDir(args.rules_dir);
  Rules rules;
  if (args.single_set) {
    XIAOAN_ASSIGN_OR_RETURN(YaraRules r, compileRules(sources, nullptr));
    rules.single.emplace(std::move(r));
  } else {
    XIAOAN_ASSIGN_OR_RETURN(rules.split, ScanRules::build(sources, ScanRules::Options{}, nullptr));
  }
  return rules;
}

// Scans every file with args.threads threads; returns the wall time.
double scanAll(const Rules& rules, const Args& args, const std::vector<std::string>& files,
               Totals& totals) {
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < args.threads; ++i) {
    threads.emplace_back(worker, std::cref(rules), std::cref(args), std::cref(files),
                         std::ref(next), std::ref(totals));
  }
  for (std::thread& t : threads) t.join();
  return seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parseArgs(argc, argv, args)) {
    std::cerr << "usage: xiaoan_rules_scan [--threads N] [--single-set] [--empty-externals] "
                 "[--list FILE] RULES_DIR [ROOT...]\n";
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto rules = buildRules(args);
  if (!rules) {
    std::cerr << "rules: " << rules.status().toString() << "\n";
    return 1;
  }
  const double build_s = seconds(t0);
  ::malloc_trim(0);  // idle as the agent holds a bundle: the rules, not their sources
  const double idle_mb = bench::residentMb();
  std::vector<std::string> files = listFiles(args.roots);
  files.insert(files.end(), args.list.begin(), args.list.end());
  Totals totals;
  const double scan_s = scanAll(*rules, args, files, totals);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::fprintf(
      stderr,
      "rules %u (%.1f MB compiled, built in %.2f s, RSS %.1f MB); %llu files, %.1f MiB in %.2f s "
      "(%.0f files/s); %llu errors, %llu unreadable; peak RSS %ld MB\n",
      rules->count(), rules->bytes() / 1e6, build_s, idle_mb,
      static_cast<unsigned long long>(totals.files.load()), totals.bytes.load() / 1048576.0, scan_s,
      totals.files.load() / scan_s, static_cast<unsigned long long>(totals.errors.load()),
      static_cast<unsigned long long>(totals.unreadable.load()), ru.ru_maxrss / 1024);
  return totals.errors.load() == 0 ? 0 : 1;
}
