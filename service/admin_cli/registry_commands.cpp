// `registry import|export|list --school S`: the school's IP allocation table as CSV (issue 11).
// The collector parses and checks the file (encodings, headers, every bad line); this side
// reads and writes files and renders the answers.
#include "common/text/text_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "platform/file_util.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/school_args.h"

namespace xiaoan::admin {
namespace {

// The collector refuses more; reading stops a little above so the refusal is the collector's.
constexpr size_t kMaxRegistryFileBytes = size_t{8} << 20;

OptionSpec requiredSchoolOption() {
  return {"school", true, "S", "学校 ID（必需）", "school id (required)"};
}
OptionSpec roomOption() { return {"room", true, "R", "只含该机房", "only this room"}; }

std::string valueOr(const ParsedArgs& args, const char* name) {
  const std::string* v = args.value(name);
  return v == nullptr ? "" : *v;
}

void printReport(const AdminContext& ctx, const v1::RegistryImportReport& r) {
  for (const auto& i : r.issues()) {
    std::string where = i.line() == 0 ? tr(ctx.lang, "文件", "file")
                                      : tr(ctx.lang, "第 " + std::to_string(i.line()) + " 行",
                                           "line " + std::to_string(i.line()));
    if (!i.column().empty()) where += " [" + i.column() + "]";
    ctx.err() << where << ": "
              << sanitizeForTerminal(ctx.lang == Lang::kEn ? i.message_en() : i.message_zh())
              << "\n";
  }
  const std::string rows = std::to_string(r.rows());
  const std::string counts = std::to_string(r.added()) + "/" + std::to_string(r.changed()) + "/" +
                             std::to_string(r.removed());
  std::string rooms;
  for (const auto& room : r.rooms_created()) rooms += (rooms.empty() ? "" : ", ") + room;
  ctx.out() << tr(
      ctx.lang, "编码 " + r.encoding() + "，" + rows + " 行，新增/修改/删除 " + counts,
      "encoding " + r.encoding() + ", " + rows + " rows, added/changed/removed " + counts);
  if (!rooms.empty()) {
    ctx.out() << tr(ctx.lang, "，新机房 ", ", new rooms ") << sanitizeForTerminal(rooms);
  }
  ctx.out() << "\n";
  if (!r.issues().empty()) {
    ctx.out() << tr(ctx.lang, std::to_string(r.issues_size()) + " 处错误，未写入任何内容\n",
                    std::to_string(r.issues_size()) + " problems, nothing written\n");
  } else if (r.dry_run()) {
    ctx.out() << tr(ctx.lang, "检查通过（试运行，未写入）\n", "valid (dry run, nothing written)\n");
  } else {
    ctx.out() << tr(ctx.lang, "已导入\n", "imported\n");
  }
}

class RegistryImportCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"registry", "import"},
        "FILE --school S [--dry-run] [--encoding auto|utf8|gbk] [--create-rooms]",
        "导入学校的 IP 分配表（CSV，替换整个登记表；有任何错误则不写入）",
        "import the school's IP allocation table (CSV; replaces the whole registry; nothing is "
        "written when any line is bad)",
        {requiredSchoolOption(),
         {"dry-run", false, "", "只检查，不写入", "check only, write nothing"},
         {"encoding", true, "E", "文件编码 auto（默认）、utf8 或 gbk",
          "file encoding: auto (default), utf8 or gbk"},
         {"create-rooms", false, "", "创建文件中不存在的机房（默认报错）",
          "create rooms the file names that do not exist (default: an error)"}},
        1,
        1};
    return kSpec;
  }
  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    const std::string* school = requireSchool(ctx, args, code);
    if (school == nullptr) return code;
    std::string encoding = valueOr(args, "encoding");
    if (!encoding.empty() && encoding != "auto" && encoding != "utf8" && encoding != "gbk") {
      return reportUsage(ctx, tr(ctx.lang, "--encoding 只能是 auto、utf8 或 gbk",
                                 "--encoding is auto, utf8 or gbk"));
    }
    auto csv = readFile(args.positionals[0], kMaxRegistryFileBytes + 1);
    if (!csv.isOk()) {
      printError(ctx, csv.status());
      return kExitFailure;
    }
    RegistryImportOptions options{args.flag("dry-run"), encoding, args.flag("create-rooms")};
    auto report = ctx.api->importRegistry(*school, *csv, options);
    if (!report.isOk()) return reportApiFailure(ctx, report.status());
    if (ctx.json) {
      int printed = printJson(ctx, *report);
      return report->issues().empty() ? printed : kExitUsage;
    }
    printReport(ctx, *report);
    return report->issues().empty() ? kExitOk : kExitUsage;
  }
};

class RegistryExportCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"registry", "export"},
        "--school S [--room R] [--out FILE]",
        "导出登记表为 CSV（UTF-8 带 BOM，Excel 可直接打开）",
        "export the registry as CSV (UTF-8 with BOM, opens in Excel)",
        {requiredSchoolOption(),
         roomOption(),
         {"out", true, "FILE", "写入文件（默认标准输出）", "write to FILE (default stdout)"}}};
    return kSpec;
  }
  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    const std::string* school = requireSchool(ctx, args, code);
    if (school == nullptr) return code;
    auto csv = ctx.api->exportRegistry(*school, valueOr(args, "room"));
    if (!csv.isOk()) return reportApiFailure(ctx, csv.status());
    const std::string* out = args.value("out");
    if (out == nullptr) {
      ctx.out() << *csv;
      return kExitOk;
    }
    if (Status st = atomicWriteFile(*out, *csv, 0644); !st.isOk()) {
      printError(ctx, st);
      return kExitFailure;
    }
    return kExitOk;
  }
};

class RegistryListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{{"registry", "list"},
                                        "--school S [--room R]",
                                        "列出登记表（座位/使用人、MAC、IP、匹配的终端）",
                                        "list the registry (seat/owner, MAC, IP, matched terminal)",
                                        {requiredSchoolOption(), roomOption()}};
    return kSpec;
  }
  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    const std::string* school = requireSchool(ctx, args, code);
    if (school == nullptr) return code;
    auto list = ctx.api->listRegistry(*school, valueOr(args, "room"));
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({tr(ctx.lang, "机房", "room"), tr(ctx.lang, "座位", "seat"),
                     tr(ctx.lang, "使用人", "owner"), "MAC", "IPv4",
                     tr(ctx.lang, "网关", "gateway"), "DNS", tr(ctx.lang, "命名规则", "naming"),
                     tr(ctx.lang, "终端", "terminal")});
    for (const auto& e : list->entries()) {
      std::string terminal = e.terminal_id().empty() ? "-" : e.terminal_id();
      if (e.claimants() > 1) {
        terminal += tr(ctx.lang, "（冲突 ", " (conflict ") + std::to_string(e.claimants()) + ")";
      }
      table.addRow({e.room().empty() ? "-" : e.room(),
                    e.seat() == 0 ? "-" : std::to_string(e.seat()),
                    e.owner().empty() ? "-" : e.owner(), e.mac(), e.ipv4(),
                    e.gateway().empty() ? "-" : e.gateway(), commaList(e.dns()),
                    e.naming().empty() ? "-" : e.naming(), terminal});
    }
    const auto n = std::to_string(list->entries_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 条\n", n + " entries\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeRegistryImportCommand() {
  return std::make_unique<RegistryImportCommand>();
}
std::unique_ptr<AdminCommand> makeRegistryExportCommand() {
  return std::make_unique<RegistryExportCommand>();
}
std::unique_ptr<AdminCommand> makeRegistryListCommand() {
  return std::make_unique<RegistryListCommand>();
}

}  // namespace xiaoan::admin
