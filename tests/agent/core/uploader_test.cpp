#include "agent/core/uploader.h"

#include <doctest/doctest.h>

#include "agent/core/event_factory.h"
#include "agent/core/notifying_spool.h"
#include "tests/agent/core/fakes.h"

namespace xiaoan::agent {
namespace {

using namespace std::chrono_literals;
using testing::ackAll;
using testing::FakeClock;
using testing::FakeCollector;
using testing::TempDir;

struct UploadFixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Spool> spool;
  FakeCollector collector;
  StatusModel status{StatusModelOptions{}, clock, [this] { return spool->stats(); }};
  WakeSignal wake;
  EventFactory events{clock, "boot", [] { return std::string("agent-1"); }};

  UploadFixture() {
    SpoolOptions o;
    o.dir = dir.str() + "/spool";
    o.clock = &clock;
    auto s = Spool::open(o);
    REQUIRE_MESSAGE(s.isOk(), s.status().toString());
    spool = std::move(s).value();
    collector.on_events = ackAll;
  }
  void append(v1::Priority p, int n) {
    for (int i = 0; i < n; ++i) {
      v1::Event e = events.make(p);
      e.mutable_diagnostic()->set_index(static_cast<uint32_t>(i));
      REQUIRE(spool->append(std::move(e)).isOk());
    }
  }
  uint64_t pending(std::string_view stream) {
    for (const auto& s : spool->stats().streams) {
      if (s.stream == stream) return s.pending_records;
    }
    return 0;
  }
  UploaderOptions options() {
    UploaderOptions o;
    o.max_events_per_second = 0;
    o.backoff = {10ms, 50ms, 1ms};
    o.seed = 1;
    return o;
  }
};

TEST_CASE("security is sent before activity, in batches, and acked data leaves the spool") {
  UploadFixture f;
  f.append(v1::PRIORITY_ACTIVITY, 700);
  f.append(v1::PRIORITY_SECURITY, 3);
  Uploader up(f.options(), *f.spool, f.collector, f.status, f.wake);
  auto s1 = up.step();
  REQUIRE(s1.kind == Uploader::Step::kSent);
  CHECK(s1.events == 3);
  auto s2 = up.step();
  CHECK(s2.events == 500);  // batch cap
  auto s3 = up.step();
  CHECK(s3.events == 200);
  CHECK(up.step().kind == Uploader::Step::kIdle);
  REQUIRE(f.collector.batches.size() == 3);
  CHECK(f.collector.batches[0].events(0).stream() == "security");
  CHECK(f.collector.batches[1].events(0).stream() == "activity");
  // In order, contiguous, nothing twice.
  uint64_t expect = f.collector.batches[1].events(0).seq();
  for (size_t b = 1; b < 3; ++b) {
    for (const auto& e : f.collector.batches[b].events()) CHECK(e.seq() == expect++);
  }
  CHECK(f.pending("security") == 0);
  CHECK(f.pending("activity") == 0);
  CHECK(f.status.snapshot().connection() == v1::CONNECTION_STATE_CONNECTED);
}

TEST_CASE("batches respect the byte cap") {
  UploadFixture f;
  for (int i = 0; i < 40; ++i) {
    v1::Event e = f.events.make(v1::PRIORITY_ACTIVITY);
    e.mutable_diagnostic()->set_text(std::string(64 * 1024, 'x'));
    REQUIRE(f.spool->append(std::move(e)).isOk());
  }
  Uploader up(f.options(), *f.spool, f.collector, f.status, f.wake);
  auto s = up.step();
  REQUIRE(s.kind == Uploader::Step::kSent);
  CHECK(s.events < 40);
  CHECK(f.collector.batches[0].ByteSizeLong() <= 1100 * 1024);
}

TEST_CASE("nothing is deleted when the upload fails or nothing is acked") {
  UploadFixture f;
  f.append(v1::PRIORITY_ACTIVITY, 10);
  f.collector.on_events = [](const v1::EventBatch&) -> Result<v1::EventBatchResponse> {
    return Status(ErrorCode::kCollectorUnreachable, "down");
  };
  Uploader up(f.options(), *f.spool, f.collector, f.status, f.wake);
  auto s = up.step();
  CHECK(s.kind == Uploader::Step::kFailed);
  CHECK(s.error.code() == ErrorCode::kCollectorUnreachable);
  CHECK(f.pending("activity") == 10);
  CHECK(f.status.snapshot().connection() == v1::CONNECTION_STATE_OFFLINE);

  // A 200 that acknowledges nothing is a protocol error, not progress.
  f.collector.on_events = [](const v1::EventBatch&) -> Result<v1::EventBatchResponse> {
    return v1::EventBatchResponse();
  };
  s = up.step();
  CHECK(s.kind == Uploader::Step::kFailed);
  CHECK(s.error.code() == ErrorCode::kProtocol);
  CHECK(f.pending("activity") == 10);

  // A partial ack deletes only what was acknowledged.
  f.collector.on_events = [](const v1::EventBatch& b) -> Result<v1::EventBatchResponse> {
    v1::EventBatchResponse r;
    auto* a = r.add_acks();
    a->set_stream(b.events(0).stream());
    a->set_epoch(b.events(0).epoch());
    a->set_seq(b.events(3).seq());
    return r;
  };
  s = up.step();
  CHECK(s.kind == Uploader::Step::kSent);
  CHECK(f.pending("activity") == 6);
  // The next batch starts right after the ack: resend of nothing acked.
  f.collector.on_events = ackAll;
  up.step();
  CHECK(f.collector.batches.back().events(0).seq() == f.collector.batches.front().events(4).seq());
  CHECK(f.pending("activity") == 0);
}

TEST_CASE("the thread drains on append, honours 503 Retry-After and stops promptly") {
  UploadFixture f;
  NotifyingSpool spool(*f.spool, f.wake);
  std::atomic<int> calls{0};
  f.collector.on_events = [&](const v1::EventBatch& b) -> Result<v1::EventBatchResponse> {
    if (calls++ == 0) return Status(ErrorCode::kOverloaded, "HTTP 503");
    return ackAll(b);
  };
  f.collector.retry_after = 1s;
  UploaderOptions o = f.options();
  o.idle_recheck = 1h;  // only wake-ups may trigger sends
  Uploader up(o, spool, f.collector, f.status, f.wake);
  up.start();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) REQUIRE(spool.append(f.events.make(v1::PRIORITY_ACTIVITY)).isOk());
  // First attempt fails with 503 at once; the retry waits >= Retry-After (1 s).
  while (f.pending("activity") != 0 && std::chrono::steady_clock::now() - t0 < 5s) {
    std::this_thread::sleep_for(10ms);
  }
  const auto drained = std::chrono::steady_clock::now() - t0;
  CHECK(f.pending("activity") == 0);
  CHECK(drained >= 1s);
  CHECK(drained < 2s);
  CHECK(calls.load() >= 2);

  // Idle now; a new append is sent promptly without polling.
  f.collector.retry_after.reset();
  const int before = calls.load();
  const auto t1 = std::chrono::steady_clock::now();
  REQUIRE(spool.append(f.events.make(v1::PRIORITY_SECURITY)).isOk());
  while (calls.load() == before && std::chrono::steady_clock::now() - t1 < 2s) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(std::chrono::steady_clock::now() - t1 < 500ms);
  const auto t2 = std::chrono::steady_clock::now();
  up.stop();
  CHECK(std::chrono::steady_clock::now() - t2 < 500ms);
}

TEST_CASE("a recovered connection cuts a long backoff short") {
  UploadFixture f;
  NotifyingSpool spool(*f.spool, f.wake);
  std::atomic<bool> up_again{false};
  f.collector.on_events = [&](const v1::EventBatch& b) -> Result<v1::EventBatchResponse> {
    if (!up_again) return Status(ErrorCode::kCollectorUnreachable, "down");
    return ackAll(b);
  };
  UploaderOptions o = f.options();
  o.backoff = {60s, 60s, 60s};  // would wait a minute
  Uploader up(o, spool, f.collector, f.status, f.wake);
  REQUIRE(spool.append(f.events.make(v1::PRIORITY_ACTIVITY)).isOk());
  up.start();
  std::this_thread::sleep_for(100ms);
  CHECK(f.pending("activity") == 1);
  up_again = true;
  f.wake.notify(kWakeRecovered);
  const auto t0 = std::chrono::steady_clock::now();
  while (f.pending("activity") != 0 && std::chrono::steady_clock::now() - t0 < 3s) {
    std::this_thread::sleep_for(5ms);
  }
  CHECK(f.pending("activity") == 0);
  up.stop();
}

TEST_CASE("the drain rate is bounded") {
  UploadFixture f;
  f.append(v1::PRIORITY_ACTIVITY, 300);
  UploaderOptions o = f.options();
  o.max_batch_events = 100;
  o.max_events_per_second = 500;  // 300 events -> at least ~0.4 s after the first batch
  Uploader up(o, *f.spool, f.collector, f.status, f.wake);
  const auto t0 = std::chrono::steady_clock::now();
  up.start();
  while (f.pending("activity") != 0 && std::chrono::steady_clock::now() - t0 < 5s) {
    std::this_thread::sleep_for(5ms);
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  up.stop();
  CHECK(f.pending("activity") == 0);
  CHECK(took >= 380ms);
}

}  // namespace
}  // namespace xiaoan::agent
