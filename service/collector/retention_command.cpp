#include "service/collector/retention_command.h"

#include <cstdio>
#include <iostream>

#include "platform/clock.h"
#include "service/collector/cli_support.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/retention_job.h"
#include "service/collector/store/sqlite_store.h"

namespace xiaoan::collector {
namespace {

namespace po = boost::program_options;

constexpr uint32_t kMaxBatchRows = 2000;

void printReport(const RetentionReport& r, bool json, Lang lang) {
  char hold[32];
  std::snprintf(hold, sizeof hold, "%.1f", static_cast<double>(r.max_hold_ns) / 1e6);
  if (json) {
    std::cout << "{\"deleted\":" << r.deleted << ",\"transactions\":" << r.transactions
              << ",\"max_hold_ms\":" << hold << ",\"tables\":{";
    bool first = true;
    for (const auto& [name, c] : r.tables) {
      std::cout << (first ? "" : ",") << "\"" << name << "\":{\"deleted\":" << c.deleted
                << ",\"scanned\":" << c.scanned << "}";
      first = false;
    }
    std::cout << "}}" << std::endl;
    return;
  }
  for (const auto& [name, c] : r.tables) {
    std::cout << name << ": " << tr(lang, "删除 ", "deleted ") << c.deleted
              << tr(lang, " 行（检查 ", " rows (examined ") << c.scanned << tr(lang, " 行）", ")")
              << "\n";
  }
  std::cout << tr(lang, "共删除 ", "deleted ") << r.deleted << tr(lang, " 行，", " rows in ")
            << r.transactions
            << tr(lang, " 个事务，单次最长占用写锁 ", " transactions, longest writer hold ") << hold
            << " ms" << std::endl;
}

}  // namespace

int runRetentionCommand(const std::vector<std::string>& args, Lang lang) {
  if (args.empty() || args.front() != "run") {
    std::cerr << "usage: xiaoan-collector retention run --data-dir D [--batch N] [--json]\n";
    return kExitUsage;
  }
  std::string data_dir;
  uint32_t batch = kMaxBatchRows;
  po::options_description desc("xiaoan-collector retention run", helpWidth(lang));
  addCommonOptions(desc, lang);
  desc.add_options()("data-dir", po::value(&data_dir)->required(),
                     tr(lang, "收集服务的数据目录", "collector data directory").c_str())(
      "batch", po::value(&batch)->default_value(kMaxBatchRows),
      tr(lang, "每个写事务最多删除的行数（1–2000）", "rows deleted per write transaction (1-2000)")
          .c_str())("json", po::bool_switch(), tr(lang, "以 JSON 输出", "print JSON").c_str());
  po::variables_map vm;
  int code = kExitOk;
  if (!parseArgs(std::vector<std::string>(args.begin() + 1, args.end()), desc, vm, code)) {
    return code;
  }
  if (batch < 1 || batch > kMaxBatchRows) {
    std::cerr << tr(lang, "xiaoan-collector: --batch 应为 1 到 2000\n",
                    "xiaoan-collector: --batch must be 1 to 2000\n");
    return kExitUsage;
  }
  auto store = SqliteStore::open(dbPath(data_dir), false);
  if (!store.isOk()) return fail(store.status(), lang);
  SystemClock clock;
  RetentionOptions options;
  options.batch_rows = batch;
  RetentionRunner runner(**store, clock, options);
  auto report = runner.runPass("xiaoan-collector", true);
  if (!report.isOk()) return fail(report.status(), lang);
  printReport(*report, vm["json"].as<bool>(), lang);
  return kExitOk;
}

}  // namespace xiaoan::collector
