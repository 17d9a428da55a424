#include "service/admin_cli/list_args.h"

#include "common/text/tr.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/time_args.h"

namespace xiaoan::admin {

OptionSpec sinceOption() {
  return {"since", true, "TIME", "起始时间（RFC 3339）或多久以前（24h、7d）",
          "start time (RFC 3339) or how long ago (24h, 7d)"};
}

OptionSpec limitOption(uint64_t default_limit, uint64_t max_limit, const std::string& what_en) {
  const std::string max = std::to_string(max_limit);
  const std::string def = std::to_string(default_limit);
  return {"limit", true, "N", "最多条数（1–" + max + "，默认 " + def + "）",
          "at most N " + what_en + " (1-" + max + ", default " + def + ")"};
}

int sinceAndLimit(const AdminContext& ctx, const ParsedArgs& args, uint64_t max_limit,
                  std::string* since, uint32_t* limit) {
  if (const std::string* text = args.value("since")) {
    auto at = parseSince(*text, ctx.nowSeconds());
    if (!at) {
      return reportUsage(
          ctx, tr(ctx.lang, "--since 应为 RFC 3339 时间（2026-11-01T00:00:00Z）或 24h、7d 等",
                  "--since must be an RFC 3339 time (2026-11-01T00:00:00Z) or like 24h, 7d"));
    }
    *since = *at;
  }
  if (const std::string* text = args.value("limit")) {
    auto n = parseUint(*text, 1, max_limit);
    const std::string max = std::to_string(max_limit);
    if (!n)
      return reportUsage(ctx,
                         tr(ctx.lang, "--limit 应为 1 到 " + max, "--limit must be 1 to " + max));
    *limit = static_cast<uint32_t>(*n);
  }
  return kExitOk;
}

}  // namespace xiaoan::admin
