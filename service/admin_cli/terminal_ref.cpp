#include "service/admin_cli/terminal_ref.h"

#include <algorithm>

#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_exit_code.h"

namespace xiaoan::admin {

std::optional<std::string> resolveTerminalArg(const AdminContext& ctx, const std::string& ref,
                                              int& exit_code) {
  const bool is_id =
      !ref.empty() && ref.size() <= 64 && std::all_of(ref.begin(), ref.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      });
  if (is_id) return ref;  // a terminal id as enrollment makes them: no round trip
  auto found = ctx.api->resolveTerminal(ref);
  if (!found.isOk()) {
    exit_code = reportApiFailure(ctx, found.status());
    return std::nullopt;
  }
  const std::string r = sanitizeForTerminal(ref);
  if (found->terminal_ids_size() == 1) return found->terminal_ids(0);
  if (found->terminal_ids_size() == 0) {
    printError(ctx, Status(ErrorCode::kNotFound,
                           tr(ctx.lang, "没有终端对应 " + r, "no terminal answers to " + r)));
    exit_code = kExitFailure;
    return std::nullopt;
  }
  std::string ids;
  for (const auto& id : found->terminal_ids()) ids += (ids.empty() ? "" : ", ") + id;
  exit_code = reportUsage(ctx, tr(ctx.lang, r + " 对应多台终端（" + ids + "），请用终端 ID",
                                  r + " names several terminals (" + ids + "): use a terminal id"));
  return std::nullopt;
}

}  // namespace xiaoan::admin
