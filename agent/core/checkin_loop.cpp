#include "agent/core/checkin_loop.h"

#include <algorithm>

#include "agent/core/host_facts.h"
#include "agent/core/notifying_spool.h"
#include "common/proto_time.h"
#include "platform/logging.h"

namespace xiaoan::agent {
namespace {

constexpr uint32_t kMinIntervalSeconds = 10;
constexpr uint32_t kMaxIntervalSeconds = 86400;

v1::Priority priorityOf(const std::string& stream) {
  return stream == kSecurityStream ? v1::PRIORITY_SECURITY : v1::PRIORITY_ACTIVITY;
}

}  // namespace

CheckinLoop::CheckinLoop(CheckinOptions options, CollectorApi& api, const HostInfo& host_info,
                         Spool& spool, StatusModel& status, WakeSignal& wake,
                         WakeSignal* uploader_wake, content::ContentManager* content,
                         std::function<void(const std::string&)> on_terminal_id)
    : options_(std::move(options)),
      api_(api),
      host_info_(host_info),
      spool_(spool),
      status_(status),
      wake_(wake),
      uploader_wake_(uploader_wake),
      content_(content),
      on_terminal_id_(std::move(on_terminal_id)),
      interval_seconds_(options_.interval_seconds),
      rng_(options_.seed) {}

CheckinLoop::~CheckinLoop() { stop(); }

uint32_t CheckinLoop::intervalSeconds() const {
  const uint32_t policy = policy_interval_seconds_.load();
  return policy != 0 ? policy : interval_seconds_.load();
}

void CheckinLoop::setPolicyInterval(std::optional<uint32_t> seconds) {
  policy_interval_seconds_ =
      seconds ? std::clamp(*seconds, kMinIntervalSeconds, kMaxIntervalSeconds) : 0;
  status_.setCheckinInterval(intervalSeconds());
}

void CheckinLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void CheckinLoop::stop() {
  wake_.stop();
  if (thread_.joinable()) thread_.join();
}

v1::CheckinRequest CheckinLoop::buildRequest() const {
  v1::CheckinRequest req;
  req.set_agent_version(options_.agent_version);
  *req.mutable_facts() = collectHostFacts(host_info_);
  for (const auto& st : spool_.stats().streams) {
    auto* c = req.add_spool();
    c->set_priority(priorityOf(st.stream));
    c->set_pending_records(st.pending_records);
    c->set_bytes(st.bytes);
    if (st.oldest_pending) *c->mutable_oldest_pending() = toTimestamp(*st.oldest_pending);
    c->set_dropped_records(st.dropped_records);
  }
  if (content_ != nullptr) {
    *req.mutable_trust() = content_->trustVersions();
    req.set_policy_version(content_->policyVersion());
  }
  for (auto& e : status_.errors()) *req.add_errors() = std::move(e);
  *req.mutable_started_at() = toTimestamp(options_.started_at);
  const v1::ScanStatus scan = status_.scan();
  req.set_signatures_version(scan.bundle_version());
  if (scan.has_last_full_scan()) *req.mutable_last_full_scan() = scan.last_full_scan();
  if (v1::ComplianceStatus c = status_.compliance(); c.state() != v1::COMPLIANCE_STATE_UNSPECIFIED)
    *req.mutable_compliance() = std::move(c);
  return req;
}

Status CheckinLoop::checkinOnce() {
  auto response = api_.checkin(buildRequest());
  if (!response.isOk()) {
    status_.reportFailure(Channel::kCheckin, response.status());
    // Unreachable for long, the trusted metadata expires: that must show too.
    if (content_ != nullptr) content_->checkFreshness();
    return response.status();
  }
  if (response->checkin_interval_seconds() != 0) {
    interval_seconds_ =
        std::clamp(response->checkin_interval_seconds(), kMinIntervalSeconds, kMaxIntervalSeconds);
    status_.setCheckinInterval(intervalSeconds());
  }
  for (const auto& ack : response->acks()) {
    Status st = spool_.ack(ack.stream(), ack.epoch(), ack.seq());
    status_.setCondition("spool_ack", st);
  }
  if (!response->terminal_id().empty() && response->terminal_id() != terminal_id_) {
    terminal_id_ = response->terminal_id();
    status_.setTerminalId(terminal_id_);
    if (on_terminal_id_) on_terminal_id_(terminal_id_);
  }
  status_.reportSuccess(Channel::kCheckin);
  if (uploader_wake_ != nullptr) uploader_wake_->notify(kWakeRecovered);
  if (content_ != nullptr) {
    // Rejections are reported by the content manager; the check-in itself succeeded.
    if (response->has_trust()) (void)content_->handleUpdate(response->trust());
    content_->checkFreshness();
  }
  return Status::ok();
}

void CheckinLoop::run() {
  auto log = componentLogger(LogComponent::kAgentCheckin);
  Backoff retry(options_.retry, rng_());
  while (!wake_.stopped()) {
    Status st = checkinOnce();
    auto interval = jitterAround(std::chrono::seconds(intervalSeconds()), options_.jitter, rng_);
    std::chrono::milliseconds delay = interval;
    if (st.isOk()) {
      if (retry.attempts() > 0) log->info("check-in succeeded again");
      retry.reset();
    } else {
      const auto retry_after = api_.lastRetryAfter();
      delay = retry.next(retry_after);
      if (!retry_after) delay = std::min(delay, interval);
      log->warn("check-in failed: {}; next in {} s", st.toString(),
                std::chrono::duration_cast<std::chrono::seconds>(delay).count());
    }
    if (wake_.sleepFor(delay)) break;
  }
}

}  // namespace xiaoan::agent
