#include "service/admin_cli/policy_args.h"

#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/terminal_ref.h"

namespace xiaoan::admin {

std::vector<OptionSpec> layerOptions() {
  return {{"school", true, "S", "学校层（学校 ID）", "the school layer (school id)"},
          {"room", true, "S/R", "机房层（学校 ID/机房名）", "the room layer (school id/room)"},
          {"terminal", true, "T", "终端层（终端 ID、学校/机房/座位、学校/使用人或主机名）",
           "the terminal layer (id, school/room/seat, school/owner or hostname)"}};
}

std::optional<LayerRef> layerFromArgs(const AdminContext& ctx, const ParsedArgs& args,
                                      int& exit_code) {
  std::vector<LayerRef> given;
  if (const std::string* s = args.value("school")) {
    given.push_back({"school", *s, v1::POLICY_SCOPE_SCHOOL});
  }
  if (const std::string* r = args.value("room")) {
    given.push_back({"room", *r, v1::POLICY_SCOPE_ROOM});
  }
  if (const std::string* t = args.value("terminal")) {
    given.push_back({"terminal", *t, v1::POLICY_SCOPE_TERMINAL});
  }
  if (given.size() != 1 || given[0].id.empty()) {
    exit_code = reportUsage(ctx, tr(ctx.lang, "需要 --school S、--room S/R 或 --terminal T 之一",
                                    "exactly one of --school S, --room S/R, --terminal T"));
    return std::nullopt;
  }
  if (given[0].scope == "terminal" && ctx.api != nullptr) {
    // A terminal may be named by school/room/seat, school/owner or hostname too.
    auto id = resolveTerminalArg(ctx, given[0].id, exit_code);
    if (!id) return std::nullopt;
    given[0].id = *id;
  }
  if (given[0].scope == "room" && given[0].id.find('/') == std::string::npos) {
    exit_code = reportUsage(ctx, tr(ctx.lang, "--room 的格式为 学校ID/机房名，例如 xmsyxx/机房2",
                                    "--room is school_id/room, e.g. xmsyxx/lab2"));
    return std::nullopt;
  }
  return given[0];
}

std::string layerName(const AdminContext& ctx, const LayerRef& layer) {
  std::string id = sanitizeForTerminal(layer.id);
  if (layer.scope == "school") return tr(ctx.lang, "学校 ", "school ") + id;
  if (layer.scope == "room") return tr(ctx.lang, "机房 ", "room ") + id;
  return tr(ctx.lang, "终端 ", "terminal ") + id;
}

int reportFieldIssues(const AdminContext& ctx, const std::vector<policy::FieldIssue>& issues) {
  ctx.err() << errorCodeName(ErrorCode::kInvalidArgument) << ": "
            << tr(ctx.lang, "策略无效，未做任何更改：", "policy invalid, nothing changed:") << "\n";
  for (const auto& i : issues) {
    ctx.err() << "  " << sanitizeForTerminal(i.field.empty() ? "(input)" : i.field) << ": "
              << sanitizeForTerminal(i.message) << "\n";
  }
  return kExitUsage;
}

int reportPutFailure(const AdminContext& ctx, const Status& status,
                     const std::vector<v1::FieldError>& field_errors) {
  if (field_errors.empty()) return reportApiFailure(ctx, status);
  std::vector<policy::FieldIssue> issues;
  for (const auto& e : field_errors) issues.push_back({e.field(), e.message()});
  return reportFieldIssues(ctx, issues);
}

}  // namespace xiaoan::admin
