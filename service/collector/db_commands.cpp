#include "service/collector/db_commands.h"

#include <iostream>

#include "common/text/tr.h"
#include "platform/clock.h"
#include "service/collector/cli_support.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/db_backup.h"
#include "service/collector/db_identity.h"

namespace xiaoan::collector {
namespace {

namespace po = boost::program_options;

std::string checkName(DbCheck level) {
  return level == DbCheck::kFull ? "integrity_check" : "quick_check";
}

void addDataDir(po::options_description& desc, std::string& data_dir, Lang lang) {
  desc.add_options()("data-dir", po::value(&data_dir)->required(),
                     tr(lang, "收集服务的数据目录", "collector data directory").c_str());
}

}  // namespace

bool parseDbCheck(const std::string& text, DbCheck& out) {
  if (text == "quick") out = DbCheck::kQuick;
  if (text == "full") out = DbCheck::kFull;
  return text == "quick" || text == "full";
}

int runBackupCommand(const std::vector<std::string>& args, Lang lang) {
  std::string data_dir;
  std::string out;
  po::options_description desc("xiaoan-collector backup", helpWidth(lang));
  addCommonOptions(desc, lang);
  addDataDir(desc, data_dir, lang);
  desc.add_options()("out", po::value(&out)->required(),
                     tr(lang, "备份文件（不能已存在）；收集服务运行时也可备份",
                        "backup file to create (must not exist); works while the collector serves")
                         .c_str());
  po::variables_map vm;
  int code = kExitOk;
  if (!parseArgs(args, desc, vm, code)) return code;
  auto result = backupDatabase(data_dir, out, lang);
  if (!result.isOk()) return fail(result.status(), lang);
  std::cout << tr(lang, "已备份数据库（标识 ", "database backed up (id ") << result->db_id
            << tr(lang, "，", ", ") << result->bytes
            << tr(lang, " 字节，已通过完整性检查）到 ", " bytes, integrity checked) to ") << out
            << std::endl;
  return kExitOk;
}

int runRestoreCommand(const std::vector<std::string>& args, Lang lang) {
  std::string data_dir;
  std::string from;
  po::options_description desc("xiaoan-collector restore", helpWidth(lang));
  addCommonOptions(desc, lang);
  addDataDir(desc, data_dir, lang);
  desc.add_options()("from", po::value(&from)->required(),
                     tr(lang, "由 xiaoan-collector backup 生成的备份文件；须先停止收集服务",
                        "backup made by xiaoan-collector backup; stop the collector first")
                         .c_str());
  po::variables_map vm;
  int code = kExitOk;
  if (!parseArgs(args, desc, vm, code)) return code;
  SystemClock clock;
  auto result = restoreDatabase(data_dir, from, clock.now(), lang);
  if (!result.isOk()) return fail(result.status(), lang);
  if (lang == Lang::kZhCn) {
    std::cout << "已从 " << from << " 恢复数据库（标识 " << result->db_id << "）\n";
  } else {
    std::cout << "restored the database (id " << result->db_id << ") from " << from << "\n";
  }
  if (!result->aside_dir.empty()) {
    std::cout << tr(lang, "原数据库保留在 ", "the replaced database is kept in ")
              << result->aside_dir << "\n";
  }
  std::cout << std::flush;
  return kExitOk;
}

int runCheckCommand(const std::vector<std::string>& args, Lang lang) {
  std::string data_dir;
  po::options_description desc("xiaoan-collector check", helpWidth(lang));
  addCommonOptions(desc, lang);
  addDataDir(desc, data_dir, lang);
  desc.add_options()("full", tr(lang, "完整检查（PRAGMA integrity_check，大库需数分钟）",
                                "full check (PRAGMA integrity_check; minutes on a large database)")
                                 .c_str());
  po::variables_map vm;
  int code = kExitOk;
  if (!parseArgs(args, desc, vm, code)) return code;
  const DbCheck level = vm.count("full") != 0 ? DbCheck::kFull : DbCheck::kQuick;
  auto id = verifyDatabaseIdentity(data_dir, lang);
  if (!id.isOk()) return fail(id.status(), lang);
  Status st = checkDatabaseFile(dbPath(data_dir), /*read_only=*/false, level, lang);
  if (!st.isOk()) return fail(st, lang);
  std::cout << tr(lang, "数据库正常（", "database ok (") << checkName(level)
            << tr(lang, "，标识 ", ", id ")
            << (id->empty()
                    ? tr(lang, "尚无，下次启动时记录", "none yet, recorded at the next start")
                    : *id)
            << tr(lang, "）", ")") << std::endl;
  return kExitOk;
}

}  // namespace xiaoan::collector
