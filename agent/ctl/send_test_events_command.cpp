#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

constexpr uint64_t kMaxCount = 1'000'000;  // control.proto: count 1..1000000
constexpr size_t kMaxRequestIdBytes = 128;
constexpr size_t kMaxTextBytes = 4096;

// `xiaoanctl diagnose send-test-events`: the agent appends N diagnostic events through its
// normal pipeline, so that an admin (and our tests) can prove the path end to end.
class SendTestEventsCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{
        {"diagnose", "send-test-events"},
        "--count N [--priority security|activity] [--request-id ID] [--text T] [--json]",
        "通过正常上报管道追加 N 条测试事件（需要 root）",
        "append N test events through the normal pipeline (root only)",
        {{"count", true, "N", "事件条数（1–1000000）", "number of events (1-1000000)"},
         {"priority", true, "security|activity", "优先级类别（默认 activity）",
          "priority class (default activity)"},
         {"request-id", true, "ID", "写入每条事件的请求 ID（默认随机）",
          "request id put in every event (default random)"},
         {"text", true, "T", "写入每条事件的文字", "text put in every event"}},
        0,
        /*needs_root=*/true,
        /*needs_agent=*/true};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& args) override {
    auto request = buildRequest(ctx.lang, args);
    if (!request.isOk()) {
      printError(ctx, request.status());
      return kExitUsage;
    }
    int exit_code = kExitHealthy;
    auto answer = askDaemon(ctx, *request, ctx.io.daemon_timeout, &exit_code);
    if (!answer) return exit_code;
    if (!answer->has_test_events()) {
      printError(ctx, Status(ErrorCode::kProtocol, "agent answered without test_events"));
      return kExitFailure;
    }
    return show(ctx, answer->test_events());
  }

 private:
  static Result<v1::ControlRequest> buildRequest(Lang lang, const ParsedArgs& args) {
    v1::ControlRequest request;
    auto* r = request.mutable_send_test_events();
    const std::string* count = args.value("count");
    auto n = count ? parseUint(*count, 1, kMaxCount) : std::nullopt;
    if (!n) {
      return Status(ErrorCode::kInvalidArgument,
                    tr(lang, "--count 必须是 1 到 1000000 之间的整数",
                       "--count must be a whole number from 1 to 1000000"));
    }
    r->set_count(static_cast<uint32_t>(*n));
    const std::string* priority = args.value("priority");
    if (priority == nullptr || *priority == "activity") {
      r->set_priority(v1::PRIORITY_ACTIVITY);
    } else if (*priority == "security") {
      r->set_priority(v1::PRIORITY_SECURITY);
    } else {
      return Status(ErrorCode::kInvalidArgument, tr(lang, "--priority 只能是 security 或 activity",
                                                    "--priority must be security or activity"));
    }
    if (const auto* id = args.value("request-id")) r->set_request_id(*id);
    if (const auto* text = args.value("text")) r->set_text(*text);
    if (r->request_id().size() > kMaxRequestIdBytes || r->text().size() > kMaxTextBytes) {
      return Status(ErrorCode::kInvalidArgument,
                    tr(lang, "--request-id 最长 128 字节，--text 最长 4096 字节",
                       "--request-id is limited to 128 bytes, --text to 4096 bytes"));
    }
    return request;
  }

  static int show(CtlContext& ctx, const v1::SendTestEventsResponse& r) {
    if (ctx.json) return printJson(ctx, r);
    const std::string n = std::to_string(r.appended());
    const std::string range = std::to_string(r.first_seq()) + "–" + std::to_string(r.last_seq());
    const std::string stream = sanitizeForTerminal(r.stream());
    const std::string id = sanitizeForTerminal(r.request_id());
    ctx.out() << tr(ctx.lang, "已追加 " + n + " 条测试事件（" + stream + "，序号 " + range + "）\n",
                    "appended " + n + " test events (" + stream + ", seq " + range + ")\n")
              << tr(ctx.lang, "请求 ID：" + id + "\n", "request id: " + id + "\n");
    return kExitHealthy;
  }
};

}  // namespace

std::unique_ptr<Command> makeSendTestEventsCommand() {
  return std::make_unique<SendTestEventsCommand>();
}

}  // namespace xiaoan::ctl
