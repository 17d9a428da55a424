// The check-in loop with a real content manager: trust versions and policy version go up,
// CheckinResponse.trust comes down, and the policy's interval wins over the collector's field.
#include "agent/core/checkin_loop.h"

#include <doctest/doctest.h>

#include "tests/agent/content/content_fixture.h"
#include "tests/agent/core/fakes.h"

namespace xiaoan::agent {
namespace {

using content::testing::policyBytes;
using content::testing::policyUpdate;
using content::testing::ServedArtifacts;
using content::testing::TrustFixture;
using testing::FakeClock;
using testing::FakeCollector;
using testing::FakeHostInfo;
using testing::TempDir;

// Plays the daemon's side of the content channel: events recorded, status into the model,
// the policy's interval into the loop.
struct CheckinFixture final : content::ContentReporter, content::ContentConsumer {
  TempDir dir;
  TrustFixture f;
  FakeClock clock{f.now};
  FakeHostInfo host;
  std::unique_ptr<Spool> spool;
  FakeCollector collector;
  StatusModel status{StatusModelOptions{}, clock, [this] { return spool->stats(); }};
  WakeSignal wake;
  ServedArtifacts served;
  std::unique_ptr<content::ContentManager> content;
  std::unique_ptr<CheckinLoop> loop;
  std::vector<v1::ContentUpdateEvent> events;

  CheckinFixture() {
    SpoolOptions o;
    o.dir = dir.str() + "/spool";
    o.clock = &clock;
    spool = std::move(Spool::open(o)).value();
    dir.write("root.pb", f.signedRoot(1).SerializeAsString());
    content = std::make_unique<content::ContentManager>(
        content::ContentManagerOptions{dir.str(), dir.sub("root.pb")}, clock, served, *this, *this);
    CheckinOptions co;
    co.interval_seconds = 60;
    loop = std::make_unique<CheckinLoop>(co, collector, host, *spool, status, wake, nullptr,
                                         content.get(), nullptr);
    content->start(f.agent_id);
  }

  void reportEvent(v1::ContentUpdateEvent e) override { events.push_back(std::move(e)); }
  void setCondition(const std::string&, const Status&) override {}
  void reportStatus(const v1::ContentStatus& c, uint64_t v) override { status.setContent(c, v); }
  void runPolicy(const v1::Policy& p) override {
    loop->setPolicyInterval(p.agent().checkin_interval_seconds());
  }
  bool runsSignatures() const override { return false; }
  Status loadSignatures(std::string_view, const v1::Artifact&) override {
    return Status(ErrorCode::kUnsupported, "no scanner");
  }
  content::RunningArtifact runningSignatures() const override { return {}; }

  // A check-in answer carrying policy `version` with `interval`, and the collector's own
  // interval field.
  v1::CheckinResponse answer(uint64_t version, uint32_t interval, uint32_t field_interval) {
    const std::string bytes = policyBytes(version, f.agent_id, interval);
    served.serve(crypto::sha256(bytes), bytes);
    v1::CheckinResponse r;
    r.set_checkin_interval_seconds(field_interval);
    *r.mutable_trust() = policyUpdate(f, version, version, version, bytes);
    return r;
  }
};

TEST_CASE("without a policy the collector's interval is used") {
  CheckinFixture x;
  x.collector.on_checkin = [](const v1::CheckinRequest&) {
    v1::CheckinResponse r;
    r.set_checkin_interval_seconds(30);
    return Result<v1::CheckinResponse>(r);
  };
  REQUIRE(x.loop->checkinOnce().isOk());
  CHECK(x.loop->intervalSeconds() == 30);
  REQUIRE(x.collector.checkins.size() == 1);
  CHECK(x.collector.checkins[0].trust().root() == 1);
  CHECK(x.collector.checkins[0].policy_version() == 0);
}

TEST_CASE("CheckinResponse.trust applies the policy, whose interval then wins") {
  CheckinFixture x;
  x.collector.on_checkin = [&](const v1::CheckinRequest& req) {
    return Result<v1::CheckinResponse>(x.answer(req.policy_version() + 1, 300, 30));
  };
  REQUIRE(x.loop->checkinOnce().isOk());
  CHECK(x.content->policyVersion() == 1);
  CHECK(x.loop->intervalSeconds() == 300);
  CHECK(x.status.snapshot().checkin_interval_seconds() == 300);
  CHECK(x.status.snapshot().policy_version() == 1);

  REQUIRE(x.loop->checkinOnce().isOk());
  REQUIRE(x.collector.checkins.size() == 2);
  const auto& second = x.collector.checkins[1];
  CHECK(second.policy_version() == 1);
  CHECK(second.trust().root() == 1);
  CHECK(second.trust().timestamp() == 1);
  CHECK(second.trust().content_targets() == 1);
  CHECK(x.content->policyVersion() == 2);
  CHECK(x.events.size() == 2);
}

TEST_CASE("a rejected update does not fail the check-in; the old policy keeps its interval") {
  CheckinFixture x;
  x.collector.on_checkin = [&](const v1::CheckinRequest&) {
    return Result<v1::CheckinResponse>(x.answer(1, 300, 30));
  };
  REQUIRE(x.loop->checkinOnce().isOk());
  x.collector.on_checkin = [&](const v1::CheckinRequest&) {
    v1::CheckinResponse r = x.answer(2, 600, 30);
    r.mutable_trust()->mutable_timestamp()->mutable_signatures(0)->mutable_sig()->at(0) ^= 1;
    return Result<v1::CheckinResponse>(r);
  };
  CHECK(x.loop->checkinOnce().isOk());
  CHECK(x.loop->intervalSeconds() == 300);
  CHECK(x.content->policyVersion() == 1);
  CHECK(x.status.snapshot().content().last_rejection().code() == "E_META_SIGNATURE");
}

TEST_CASE("the check-in says which signature bundle is loaded and when the last full scan was") {
  CheckinFixture x;
  x.status.setScanSource([] {
    v1::ScanStatus s;
    s.set_bundle_version(7);
    s.mutable_last_full_scan()->set_seconds(1'799'000'000);
    return s;
  });
  x.collector.on_checkin = [](const v1::CheckinRequest&) {
    return Result<v1::CheckinResponse>(v1::CheckinResponse());
  };
  REQUIRE(x.loop->checkinOnce().isOk());
  REQUIRE(x.collector.checkins.size() == 1);
  CHECK(x.collector.checkins[0].signatures_version() == 7);
  CHECK(x.collector.checkins[0].last_full_scan().seconds() == 1'799'000'000);
}

}  // namespace
}  // namespace xiaoan::agent
