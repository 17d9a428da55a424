// `compliance [--school S] [--room R] [--terminal T] [--json|--csv]`: per school and room how
// many terminals are compliant, in violation (by kind), isolated, pending reboot, silent,
// unregistered or in a conflict, then the offending seats with the reason in one line.
#include "common/text/csv_line.h"
#include "common/text/text_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/terminal_ref.h"

namespace xiaoan::admin {
namespace {

std::string kinds(const v1::ComplianceCounts& c) {
  std::string out;
  for (const auto& k : c.by_kind()) {
    std::string name = v1::ViolationKind_Name(k.kind());
    constexpr std::string_view kPrefix = "VIOLATION_KIND_";
    if (name.rfind(kPrefix, 0) == 0) name.erase(0, kPrefix.size());
    for (char& ch : name) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    out += (out.empty() ? "" : " ") + name + "=" + std::to_string(k.terminals());
  }
  return out.empty() ? "-" : out;
}

std::vector<std::string> countCells(const v1::ComplianceCounts& c) {
  return {std::to_string(c.terminals()),
          std::to_string(c.compliant()),
          std::to_string(c.violation()),
          std::to_string(c.isolated()),
          std::to_string(c.pending_reboot()),
          std::to_string(c.silent()),
          std::to_string(c.unregistered()),
          std::to_string(c.conflicts()),
          kinds(c)};
}

std::vector<std::string> countHeader(Lang lang) {
  return {tr(lang, "终端", "terminals"),        tr(lang, "合规", "compliant"),
          tr(lang, "违规", "violation"),        tr(lang, "已隔离", "isolated"),
          tr(lang, "待重启", "pending reboot"), tr(lang, "失联", "silent"),
          tr(lang, "未登记", "unregistered"),   tr(lang, "冲突", "conflicts"),
          tr(lang, "违规类型", "by kind")};
}

std::string seatOf(const v1::ComplianceOffender& o) {
  if (o.seat() != 0) return (o.room().empty() ? "" : o.room() + " #") + std::to_string(o.seat());
  return o.owner().empty() ? "-" : o.owner();
}

int printCsv(const AdminContext& ctx, const v1::ComplianceReport& r) {
  std::vector<std::string> header = {tr(ctx.lang, "学校", "school"), tr(ctx.lang, "机房", "room")};
  auto counts = countHeader(ctx.lang);
  header.insert(header.end(), counts.begin(), counts.end());
  ctx.out() << csvLine(header) << "\r\n";
  for (const auto& g : r.groups()) {
    std::vector<std::string> row = {g.school_id(), g.room()};
    auto cells = countCells(g.counts());
    row.insert(row.end(), cells.begin(), cells.end());
    ctx.out() << csvLine(row) << "\r\n";
  }
  ctx.out() << "\r\n"
            << csvLine({tr(ctx.lang, "学校", "school"), tr(ctx.lang, "座位/使用人", "seat/owner"),
                        tr(ctx.lang, "主机名", "hostname"), tr(ctx.lang, "终端 ID", "terminal id"),
                        tr(ctx.lang, "类别", "category"), tr(ctx.lang, "原因", "reason")})
            << "\r\n";
  for (const auto& o : r.offenders()) {
    ctx.out() << csvLine({o.school_id(), seatOf(o), o.hostname(), o.terminal_id(), o.category(),
                          ctx.lang == Lang::kEn ? o.reason_en() : o.reason_zh()})
              << "\r\n";
  }
  return kExitOk;
}

int printText(const AdminContext& ctx, const v1::ComplianceReport& r) {
  std::vector<std::string> header = {tr(ctx.lang, "学校", "school"), tr(ctx.lang, "机房", "room")};
  auto counts = countHeader(ctx.lang);
  header.insert(header.end(), counts.begin(), counts.end());
  TextTable groups(header);
  for (const auto& g : r.groups()) {
    std::vector<std::string> row = {g.school_id(), g.room().empty() ? "-" : g.room()};
    auto cells = countCells(g.counts());
    row.insert(row.end(), cells.begin(), cells.end());
    groups.addRow(row);
  }
  ctx.out() << groups.render();
  if (r.offenders().empty()) {
    ctx.out() << tr(ctx.lang, "没有需要处理的终端\n", "no terminal needs attention\n");
    return kExitOk;
  }
  TextTable offenders({tr(ctx.lang, "学校", "school"), tr(ctx.lang, "座位/使用人", "seat/owner"),
                       tr(ctx.lang, "主机名", "hostname"), tr(ctx.lang, "类别", "category"),
                       tr(ctx.lang, "原因", "reason")});
  for (const auto& o : r.offenders()) {
    offenders.addRow({o.school_id(), seatOf(o), o.hostname(), o.category(),
                      ctx.lang == Lang::kEn ? o.reason_en() : o.reason_zh()});
  }
  ctx.out() << "\n" << offenders.render();
  return kExitOk;
}

class ComplianceCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"compliance"},
        "[--school S] [--room R] [--terminal T] [--csv]",
        "IP/MAC 绑定与命名合规：按学校和机房统计，并列出需处理的座位及原因",
        "binding and naming compliance per school and room, and the seats to fix with the reason",
        {{"school", true, "S", "只含该学校", "only this school"},
         {"room", true, "R", "只含该机房", "only this room"},
         {"terminal", true, "T", "只列出该终端（终端 ID、学校/机房/座位、学校/使用人或主机名）",
          "only this terminal (id, school/room/seat, school/owner or hostname)"},
         {"csv", false, "", "输出 CSV", "print CSV"}}};
    return kSpec;
  }
  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string* school = args.value("school");
    const std::string* room = args.value("room");
    std::string only;
    if (const std::string* t = args.value("terminal")) {
      int code = kExitOk;
      auto id = resolveTerminalArg(ctx, *t, code);
      if (!id) return code;
      only = *id;
    }
    auto report = ctx.api->compliance(school ? *school : "", room ? *room : "");
    if (!report.isOk()) return reportApiFailure(ctx, report.status());
    if (!only.empty()) {
      auto* list = report->mutable_offenders();
      list->erase(std::remove_if(list->begin(), list->end(),
                                 [&](const auto& o) { return o.terminal_id() != only; }),
                  list->end());
    }
    if (ctx.json) return printJson(ctx, *report);
    return args.flag("csv") ? printCsv(ctx, *report) : printText(ctx, *report);
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeComplianceCommand() {
  return std::make_unique<ComplianceCommand>();
}

}  // namespace xiaoan::admin
