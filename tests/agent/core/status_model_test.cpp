#include "agent/core/status_model.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "agent/core/status_writer.h"
#include "common/proto_time.h"
#include "tests/agent/core/fakes.h"

namespace xiaoan::agent {
namespace {

using std::chrono::seconds;
using testing::FakeClock;

struct ModelFixture {
  FakeClock clock;
  SpoolStats stats;
  StatusModel model;
  ModelFixture() : model(options(), clock, [this] { return stats; }) {
    SpoolStreamStats sec;
    sec.stream = "security";
    sec.pending_records = 2;
    sec.bytes = 300;
    sec.oldest_pending = clock.now() - seconds(90);
    SpoolStreamStats act;
    act.stream = "activity";
    act.pending_records = 10;
    act.bytes = 1200;
    act.dropped_records = 4;
    stats.streams = {sec, act};
    stats.total_bytes = 1500;
    stats.max_bytes = 1 << 20;
  }
  StatusModelOptions options() {
    StatusModelOptions o;
    o.agent_version = "1.2.3";
    o.collector_url = "https://c:8443";
    o.pid = 4242;
    o.started_at = clock.now();
    o.spool_max_bytes = 1 << 20;
    o.checkin_interval_seconds = 60;
    return o;
  }
};

std::vector<std::string> codes(const v1::AgentStatus& s) {
  std::vector<std::string> out;
  for (const auto& e : s.errors()) out.push_back(e.code());
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& code) {
  return std::find(v.begin(), v.end(), code) != v.end();
}

TEST_CASE("a fresh agent is not enrolled, connection unknown, spool figures filled") {
  ModelFixture f;
  auto s = f.model.snapshot();
  CHECK(s.agent_version() == "1.2.3");
  CHECK(s.daemon_running());
  CHECK(s.pid() == 4242);
  CHECK(s.collector_url() == "https://c:8443");
  CHECK(s.enrollment() == v1::ENROLLMENT_STATE_NOT_ENROLLED);
  CHECK(s.connection() == v1::CONNECTION_STATE_UNSPECIFIED);
  CHECK(s.checkin_interval_seconds() == 60);
  CHECK(s.policy_version() == 0);
  REQUIRE(s.spool_size() == 2);
  CHECK(s.spool(0).priority() == v1::PRIORITY_SECURITY);
  CHECK(s.spool(0).pending_records() == 2);
  CHECK(fromTimestamp(s.spool(0).oldest_pending()) == f.clock.now() - seconds(90));
  CHECK(s.spool(1).priority() == v1::PRIORITY_ACTIVITY);
  CHECK(s.spool(1).dropped_records() == 4);
  CHECK_FALSE(s.spool(1).has_oldest_pending());
  CHECK(s.spool_bytes() == 1500);
  CHECK(s.spool_max_bytes() == (1 << 20));
  CHECK(codes(s) == std::vector<std::string>{"E_NOT_ENROLLED"});
  CHECK(fromTimestamp(s.generated_at()) == f.clock.now());
}

TEST_CASE("enrolled and connected is healthy") {
  ModelFixture f;
  f.model.setEnrollment(v1::ENROLLMENT_STATE_ENROLLED, "agent-1", "term-9");
  f.model.reportSuccess(Channel::kCheckin);
  f.clock.advance(seconds(5));
  f.model.reportSuccess(Channel::kUpload);
  auto s = f.model.snapshot();
  CHECK(s.agent_id() == "agent-1");
  CHECK(s.terminal_id() == "term-9");
  CHECK(s.connection() == v1::CONNECTION_STATE_CONNECTED);
  CHECK(s.errors().empty());
  CHECK_FALSE(s.has_last_error());
  CHECK(fromTimestamp(s.last_upload()) - fromTimestamp(s.last_checkin()) == seconds(5));
}

TEST_CASE("unreachable collector: OFFLINE since the first failure, not degraded") {
  ModelFixture f;
  f.model.setEnrollment(v1::ENROLLMENT_STATE_ENROLLED, "agent-1", "");
  f.model.reportSuccess(Channel::kCheckin);
  f.clock.advance(seconds(10));
  const auto first_failure = f.clock.now();
  f.model.reportFailure(Channel::kCheckin, Status(ErrorCode::kCollectorUnreachable, "refused"));
  f.clock.advance(seconds(100));
  f.model.reportFailure(Channel::kUpload, Status(ErrorCode::kTimeout, "slow"));
  auto s = f.model.snapshot();
  CHECK(s.connection() == v1::CONNECTION_STATE_OFFLINE);
  CHECK(fromTimestamp(s.offline_since()) == first_failure);
  CHECK(s.last_error().code() == "E_TIMEOUT");
  CHECK(s.errors().empty());
  // Back: one success proves the collector is reachable again.
  f.model.reportSuccess(Channel::kCheckin);
  s = f.model.snapshot();
  CHECK(s.connection() == v1::CONNECTION_STATE_CONNECTED);
  CHECK_FALSE(s.has_offline_since());
}

TEST_CASE("TLS pin mismatch is ERROR and degraded, and wins over offline") {
  ModelFixture f;
  f.model.setEnrollment(v1::ENROLLMENT_STATE_ENROLLED, "agent-1", "");
  f.model.reportFailure(Channel::kCheckin, Status(ErrorCode::kTlsPinMismatch, "proxy"));
  f.model.reportFailure(Channel::kEnroll, Status(ErrorCode::kTlsPinMismatch, "proxy again"));
  f.clock.advance(seconds(1));
  f.model.reportFailure(Channel::kUpload, Status(ErrorCode::kCollectorUnreachable, "x"));
  auto s = f.model.snapshot();
  CHECK(s.connection() == v1::CONNECTION_STATE_ERROR);
  CHECK(s.last_error().code() == "E_TLS_PIN_MISMATCH");
  CHECK(codes(s) == std::vector<std::string>{"E_TLS_PIN_MISMATCH"});
  CHECK(f.model.errors().size() == 1);
  // An upload that gets through clears the offline failure but not the TLS error of check-in.
  f.model.reportSuccess(Channel::kUpload);
  s = f.model.snapshot();
  CHECK(s.connection() == v1::CONNECTION_STATE_ERROR);
  CHECK(s.last_error().code() == "E_TLS_PIN_MISMATCH");
  f.model.reportSuccess(Channel::kCheckin);
  CHECK(f.model.snapshot().connection() == v1::CONNECTION_STATE_ERROR);  // enroll still failed
  f.model.reportSuccess(Channel::kEnroll);
  CHECK(f.model.snapshot().connection() == v1::CONNECTION_STATE_CONNECTED);
}

TEST_CASE("enrollment rejected shows E_ENROLL_REJECTED once") {
  ModelFixture f;
  f.model.reportFailure(Channel::kEnroll, Status(ErrorCode::kUnauthorized, "HTTP 401 (revoked)"));
  f.model.setEnrollment(v1::ENROLLMENT_STATE_REJECTED, "", "");
  auto s = f.model.snapshot();
  CHECK(s.enrollment() == v1::ENROLLMENT_STATE_REJECTED);
  CHECK(codes(s) == std::vector<std::string>{"E_ENROLL_REJECTED"});
  CHECK(s.errors(0).message().find("revoked") != std::string::npos);
  CHECK(s.connection() == v1::CONNECTION_STATE_ERROR);
}

TEST_CASE("a missing token is one E_NOT_ENROLLED with the reason") {
  ModelFixture f;
  f.model.reportFailure(Channel::kEnroll, Status(ErrorCode::kNotEnrolled, "no enrollment_token"));
  auto s = f.model.snapshot();
  REQUIRE(codes(s) == std::vector<std::string>{"E_NOT_ENROLLED"});
  CHECK(s.errors(0).message().find("no enrollment_token") != std::string::npos);
}

TEST_CASE("spool full, corrupt records and other conditions are degraded reasons") {
  ModelFixture f;
  f.model.setEnrollment(v1::ENROLLMENT_STATE_ENROLLED, "agent-1", "");
  f.stats.full = true;
  f.stats.corrupt_records_skipped = 3;
  f.model.setCondition("spool_ack", Status(ErrorCode::kIo, "disk"));
  auto c = codes(f.model.snapshot());
  CHECK(has(c, "E_SPOOL_FULL"));
  CHECK(has(c, "E_SPOOL_CORRUPT"));
  CHECK(has(c, "E_IO"));
  CHECK(f.model.snapshot().spool_corrupt_records() == 3);
  f.model.setCondition("spool_ack", Status::ok());
  CHECK_FALSE(has(codes(f.model.snapshot()), "E_IO"));
}

TEST_CASE("a restart keeps last check-in, last upload and offline since") {
  ModelFixture f;
  v1::AgentStatus previous;
  *previous.mutable_last_checkin() = toTimestamp(f.clock.now() - seconds(3600));
  *previous.mutable_last_upload() = toTimestamp(f.clock.now() - seconds(3500));
  *previous.mutable_offline_since() = toTimestamp(f.clock.now() - seconds(3000));
  f.model.restorePersisted(previous);
  auto s = f.model.snapshot();
  CHECK(s.last_checkin().seconds() == previous.last_checkin().seconds());
  CHECK(s.last_upload().seconds() == previous.last_upload().seconds());
  CHECK(s.offline_since().seconds() == previous.offline_since().seconds());
  // Still offline after a failure in this run: the original time stays.
  f.model.reportFailure(Channel::kCheckin, Status(ErrorCode::kCollectorUnreachable, "x"));
  CHECK(f.model.snapshot().offline_since().seconds() == previous.offline_since().seconds());
}

TEST_CASE("the status file is written 0644, only on change, and read back") {
  ModelFixture f;
  testing::TempDir dir;
  const std::string path = dir.str() + "/status.pb";
  StatusWriter writer(f.model, path, std::chrono::milliseconds(50));
  REQUIRE(writer.writeIfChanged().isOk());
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0644);
  // Only generated_at differs: no rewrite.
  f.clock.advance(seconds(10));
  ::unlink(path.c_str());
  REQUIRE(writer.writeIfChanged().isOk());
  CHECK(::stat(path.c_str(), &sb) != 0);
  f.model.setEnrollment(v1::ENROLLMENT_STATE_ENROLLED, "agent-7", "t");
  REQUIRE(writer.writeIfChanged().isOk());
  auto back = loadPersistedStatus(path);
  REQUIRE(back.isOk());
  CHECK(back->agent_id() == "agent-7");
  CHECK(back->daemon_running());

  writer.start();
  f.model.setTerminalId("term-2");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(loadPersistedStatus(path)->terminal_id() == "term-2");
  writer.stopAndWriteFinal();
  CHECK_FALSE(loadPersistedStatus(path)->daemon_running());
}

TEST_CASE("a corrupt status file is reported, not fatal") {
  testing::TempDir dir;
  auto path = dir.write("status.pb", std::string("\xff\xff\xff garbage", 12));
  auto r = loadPersistedStatus(path);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kProtocol);
  CHECK(loadPersistedStatus(dir.str() + "/none").status().code() == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace xiaoan::agent

namespace xiaoan::agent {
namespace {

TEST_CASE("content: STALE is judged at every snapshot, by the time floor") {
  ModelFixture f;
  v1::ContentStatus c;
  c.set_root_version(1);
  *c.mutable_expires() = toTimestamp(f.clock.now() + seconds(3600));
  *c.mutable_time_floor() = toTimestamp(f.clock.now() - seconds(60));
  f.model.setContent(c, 7);
  auto s = f.model.snapshot();
  CHECK(s.policy_version() == 7);
  CHECK_FALSE(s.content().stale());
  CHECK(s.content().time_floor().seconds() == toTimestamp(f.clock.now()).seconds());
  auto hasExpired = [](const v1::AgentStatus& st) {
    for (const auto& e : st.errors()) {
      if (e.code() == "E_META_EXPIRED") return true;
    }
    return false;
  };
  CHECK_FALSE(hasExpired(s));

  // No new check-in needed: time passing makes it STALE, reported as E_META_EXPIRED.
  f.clock.advance(seconds(3601));
  s = f.model.snapshot();
  CHECK(s.content().stale());
  CHECK(hasExpired(s));

  // A clock set back does not make it fresh again: the floor is the newest signed time seen.
  *c.mutable_time_floor() = toTimestamp(f.clock.now());
  f.model.setContent(c, 7);
  f.clock.advance(-seconds(7200));
  CHECK(f.model.snapshot().content().stale());
}

TEST_CASE("content: without a root nothing is STALE") {
  ModelFixture f;
  v1::ContentStatus c;
  *c.mutable_expires() = toTimestamp(f.clock.now() - seconds(10));
  f.model.setContent(c, 0);
  CHECK_FALSE(f.model.snapshot().content().stale());
  CHECK(f.model.snapshot().policy_version() == 0);
}

TEST_CASE("the browsing part is asked for at each snapshot, and absent without a contributor") {
  ModelFixture f;
  CHECK_FALSE(f.model.snapshot().has_browsing());
  uint64_t visits = 0;
  f.model.addBrowsingContributor([&](v1::BrowsingStatus& b) {
    b.set_enabled(true);
    b.set_visits_read(++visits);
  });
  // Each part (collection, blocking, sessions) fills its own fields.
  f.model.addBrowsingContributor([](v1::BrowsingStatus& b) { b.set_open_sessions(2); });
  CHECK(f.model.snapshot().browsing().visits_read() == 1);
  CHECK(f.model.snapshot().browsing().enabled());
  CHECK(f.model.browsing().visits_read() == 3);
  CHECK(f.model.browsing().open_sessions() == 2);
}

TEST_CASE("the antivirus part is asked for at each snapshot, and absent without a source") {
  ModelFixture f;
  CHECK_FALSE(f.model.snapshot().has_scan());
  uint64_t files = 0;
  f.model.setScanSource([&] {
    v1::ScanStatus s;
    s.set_bundle_version(12);
    s.set_files_scanned(++files);
    return s;
  });
  CHECK(f.model.snapshot().scan().bundle_version() == 12);
  CHECK(f.model.snapshot().scan().files_scanned() == 2);
  CHECK(f.model.scan().files_scanned() == 3);
}

}  // namespace
}  // namespace xiaoan::agent
