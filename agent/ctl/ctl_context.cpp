#include "agent/ctl/ctl_context.h"

#include "agent/ctl/daemon_client.h"
#include "agent/ctl/exit_code.h"
#include "common/proto_json.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {

void printError(const CtlContext& ctx, const Status& status) {
  ctx.err() << errorCodeName(status.code()) << ": " << errorCodeLine(status.code(), ctx.lang);
  if (!status.message().empty()) {
    ctx.err() << tr(ctx.lang, "（", " (") << sanitizeForTerminal(status.message())
              << tr(ctx.lang, "）", ")");
  }
  ctx.err() << "\n";
}

std::optional<v1::ControlResponse> askDaemon(const CtlContext& ctx,
                                             const v1::ControlRequest& request,
                                             std::chrono::milliseconds timeout, int* exit_code) {
  auto answer = callDaemon(ctx.socket_path, request, timeout);
  if (!answer.isOk()) {
    printError(ctx, answer.status());
    *exit_code = exitCodeFor(answer.status());
    return std::nullopt;
  }
  if (answer->has_error() && !answer->error().code().empty()) {
    Status refused(errorCodeFromName(answer->error().code()), answer->error().message());
    printError(ctx, refused);
    *exit_code =
        refused.code() == ErrorCode::kPermissionDenied ? kExitPermissionDenied : kExitFailure;
    return std::nullopt;
  }
  return std::move(answer).value();
}

int printJson(const CtlContext& ctx, const google::protobuf::Message& message) {
  auto json = toStableJson(message);
  if (!json.isOk()) {
    printError(ctx, json.status());
    return kExitFailure;
  }
  ctx.out() << *json;
  return kExitHealthy;
}

}  // namespace xiaoan::ctl
