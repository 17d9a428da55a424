#pragma once

// Hand-written fakes and helpers for agent/core tests.

#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>

#include "agent/core/collector_api.h"
#include "platform/clock.h"
#include "platform/host_info.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_host_info.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::testing {

using xiaoan::testing::FakeClock;
using xiaoan::testing::FakeHostInfo;
using xiaoan::testing::TempDir;

// A collector whose answers are scripted per call; records what it was sent.
class FakeCollector final : public CollectorApi {
 public:
  std::function<Result<v1::EnrollResponse>(const v1::EnrollRequest&)> on_enroll;
  std::function<Result<v1::CheckinResponse>(const v1::CheckinRequest&)> on_checkin;
  std::function<Result<v1::EventBatchResponse>(const v1::EventBatch&)> on_events;
  std::optional<std::chrono::seconds> retry_after;

  Result<v1::EnrollResponse> enroll(const v1::EnrollRequest& r) override {
    enrolls.push_back(r);
    return on_enroll(r);
  }
  Result<v1::CheckinResponse> checkin(const v1::CheckinRequest& r) override {
    checkins.push_back(r);
    return on_checkin(r);
  }
  Result<v1::EventBatchResponse> sendEvents(const v1::EventBatch& b) override {
    std::lock_guard lock(mu);
    batches.push_back(b);
    return on_events(b);
  }
  std::optional<std::chrono::seconds> lastRetryAfter() const override { return retry_after; }

  std::vector<v1::EnrollRequest> enrolls;
  std::vector<v1::CheckinRequest> checkins;
  std::mutex mu;
  std::vector<v1::EventBatch> batches;
};

// Acks every event of a batch, like a collector that committed it.
inline Result<v1::EventBatchResponse> ackAll(const v1::EventBatch& b) {
  v1::EventBatchResponse r;
  std::map<std::pair<std::string, uint64_t>, uint64_t> top;
  for (const auto& e : b.events()) {
    auto& s = top[{e.stream(), e.epoch()}];
    s = std::max(s, e.seq());
  }
  for (const auto& [key, seq] : top) {
    auto* a = r.add_acks();
    a->set_stream(key.first);
    a->set_epoch(key.second);
    a->set_seq(seq);
  }
  r.set_stored(static_cast<uint32_t>(b.events_size()));
  return r;
}

}  // namespace xiaoan::agent::testing
