#include "agent/core/uploader.h"

#include "agent/core/notifying_spool.h"
#include "platform/logging.h"

namespace xiaoan::agent {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

Uploader::Uploader(UploaderOptions options, Spool& spool, CollectorApi& api, StatusModel& status,
                   WakeSignal& wake)
    : options_(options),
      spool_(spool),
      api_(api),
      status_(status),
      wake_(wake),
      backoff_(options.backoff, options.seed),
      max_events_per_second_(options.max_events_per_second) {}

Uploader::~Uploader() { stop(); }

void Uploader::start() {
  thread_ = std::thread([this] { run(); });
}

void Uploader::stop() {
  wake_.stop();
  if (thread_.joinable()) thread_.join();
}

Uploader::Step Uploader::step() {
  for (std::string_view stream : {kSecurityStream, kActivityStream}) {
    auto events =
        spool_.readPending(stream, options_.max_batch_events, options_.max_batch_bytes, 0);
    if (!events.isOk()) {
      status_.setCondition("spool_read", events.status());
      return {Step::kFailed, 0, events.status(), std::nullopt};
    }
    status_.setCondition("spool_read", Status::ok());
    if (!events->empty()) return sendStream(stream, std::move(events).value());
  }
  return {};
}

Uploader::Step Uploader::sendStream(std::string_view stream, std::vector<v1::Event> events) {
  const uint64_t epoch = events.front().epoch();
  const uint64_t first_seq = events.front().seq();
  const size_t n = events.size();
  v1::EventBatch batch;
  batch.mutable_events()->Reserve(static_cast<int>(n));
  for (auto& e : events) *batch.add_events() = std::move(e);
  auto response = api_.sendEvents(batch);
  if (!response.isOk()) {
    status_.reportFailure(Channel::kUpload, response.status());
    return {Step::kFailed, 0, response.status(), api_.lastRetryAfter()};
  }
  bool progress = false;
  for (const auto& ack : response->acks()) {
    Status st = spool_.ack(ack.stream(), ack.epoch(), ack.seq());
    status_.setCondition("spool_ack", st);
    if (ack.stream() == stream && ack.epoch() == epoch && ack.seq() >= first_seq) progress = true;
  }
  if (!progress) {
    // Resending the same batch forever would hammer the collector: treat as a failure.
    Status err(ErrorCode::kProtocol, "collector acknowledged none of " + std::to_string(n) + " " +
                                         std::string(stream) + " events from seq " +
                                         std::to_string(first_seq));
    status_.reportFailure(Channel::kUpload, err);
    return {Step::kFailed, 0, err, std::nullopt};
  }
  status_.reportSuccess(Channel::kUpload);
  return {Step::kSent, n, Status::ok(), std::nullopt};
}

void Uploader::run() {
  auto log = componentLogger(LogComponent::kAgentUpload);
  while (!wake_.stopped()) {
    const auto started = steady_clock::now();
    Step s = step();
    if (s.kind == Step::kSent) {
      backoff_.reset();
      const uint32_t rate = max_events_per_second_.load();
      if (rate == 0) continue;
      // Bounded drain rate: this batch may not take less than n / rate seconds.
      const auto budget = std::chrono::duration_cast<steady_clock::duration>(
          std::chrono::duration<double>(static_cast<double>(s.events) / rate));
      const auto left = started + budget - steady_clock::now();
      if (left > steady_clock::duration::zero() && wake_.sleepFor(left)) break;
    } else if (s.kind == Step::kIdle) {
      wake_.waitFor(kWakeAppended | kWakeRecovered, options_.idle_recheck);
    } else {
      const milliseconds delay = backoff_.next(s.retry_after);
      log->warn("upload failed: {}; retry in {} ms", s.error.toString(), delay.count());
      wake_.waitFor(kWakeRecovered, delay);
    }
  }
}

}  // namespace xiaoan::agent
