#include "agent/ctl/ctl_context.h"

#include "agent/ctl/localize.h"
#include "platform/text_width.h"

namespace xiaoan::ctl {

void printError(const CtlContext& ctx, const Status& status) {
  ctx.err() << errorCodeName(status.code()) << ": " << errorCodeLine(status.code(), ctx.lang);
  if (!status.message().empty()) {
    ctx.err() << tr(ctx.lang, "（", " (") << sanitizeForTerminal(status.message())
              << tr(ctx.lang, "）", ")");
  }
  ctx.err() << "\n";
}

}  // namespace xiaoan::ctl
