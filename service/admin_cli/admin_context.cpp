#include "service/admin_cli/admin_context.h"

#include "common/proto_json.h"
#include "common/text/text_width.h"
#include "common/text/time_format.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_exit_code.h"

namespace xiaoan::admin {

void printError(const AdminContext& ctx, const Status& status) {
  ctx.err() << errorCodeName(status.code()) << ": " << errorCodeLine(status.code(), ctx.lang);
  if (!status.message().empty()) {
    ctx.err() << tr(ctx.lang, "（", " (") << sanitizeForTerminal(status.message())
              << tr(ctx.lang, "）", ")");
  }
  ctx.err() << "\n";
}

int reportApiFailure(const AdminContext& ctx, const Status& status) {
  printError(ctx, status);
  return apiExitCode(status);
}

int reportUsage(const AdminContext& ctx, const std::string& message) {
  printError(ctx, Status(ErrorCode::kInvalidArgument, message));
  ctx.err() << tr(ctx.lang, "运行 xiaoan-admin --help 查看用法。\n",
                  "run xiaoan-admin --help for usage.\n");
  return kExitUsage;
}

int printJson(const AdminContext& ctx, const google::protobuf::Message& message) {
  auto json = toStableJson(message);
  if (!json.isOk()) {
    printError(ctx, json.status());
    return kExitFailure;
  }
  ctx.out() << *json;
  return kExitOk;
}

std::string tableTime(const google::protobuf::Timestamp& t, bool set) {
  return set ? formatLocalTime(t.seconds()) : "-";
}

std::string commaList(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out.empty() ? "-" : out;
}

}  // namespace xiaoan::admin
