#include "agent/core/enroller.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "agent/core/event_factory.h"
#include "platform/file_util.h"
#include "tests/agent/core/fakes.h"

namespace xiaoan::agent {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeCollector;
using testing::FakeHostInfo;
using testing::TempDir;

// A collector CA that certifies CSRs like the real enrollment endpoint.
struct FakeCa {
  pki::PrivateKey key = std::move(pki::PrivateKey::generateEcP256()).value();
  std::string pem = *pki::makeSelfSignedCa(key, "enrollment CA", std::chrono::hours(24));
  int issued = 0;

  Result<v1::EnrollResponse> enroll(const v1::EnrollRequest& req) {
    XIAOAN_ASSIGN_OR_RETURN(pki::CsrInfo csr, pki::parseAndVerifyCsr(req.csr_pem()));
    pki::IssueOptions o;
    o.common_name = "agent-" + std::to_string(++issued);
    o.client_auth = true;
    XIAOAN_ASSIGN_OR_RETURN(std::string cert,
                            pki::issueCertificate(pem, key, csr.public_key_der, o));
    v1::EnrollResponse r;
    r.set_agent_id(o.common_name);
    r.set_certificate_pem(cert);
    r.set_ca_bundle_pem(pem);
    r.set_terminal_id("term-1");
    r.set_school_id("school-1");
    return r;
  }
};

struct EnrollFixture {
  TempDir dir;
  FakeClock clock;
  FakeHostInfo host;
  FakeCollector collector;
  FakeCa ca;
  std::unique_ptr<Spool> spool;
  StatusModel status{StatusModelOptions{}, clock, [this] { return spool->stats(); }};
  IdentityStore store{dir.str()};
  WakeSignal wake;
  std::string token = "tok.secret";

  EnrollFixture() {
    SpoolOptions o;
    o.dir = dir.str() + "/spool";
    o.clock = &clock;
    spool = std::move(Spool::open(o)).value();
    REQUIRE(store.prepare().isOk());
    collector.on_enroll = [this](const v1::EnrollRequest& r) { return ca.enroll(r); };
  }
  EnrollerOptions options() {
    EnrollerOptions o;
    o.collector_url = "https://c:1";
    o.agent_version = "1.0";
    o.token_source = [this] { return token; };
    o.retry = {10ms, 20ms, 1ms};
    o.rejected_retry = {30ms, 30ms, 30ms};
    return o;
  }
  Enroller enroller() {
    return Enroller(options(), store, collector, host, *spool, status, clock, wake);
  }
};

unsigned modeOf(const std::string& path) {
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  return sb.st_mode & 0777;
}

TEST_CASE("first start: key, CSR with token and facts, certificate stored, identity loads") {
  EnrollFixture f;
  auto loaded = f.store.loadEnrolled();
  REQUIRE(loaded.isOk());
  CHECK_FALSE(loaded->has_value());

  auto id = f.enroller().attempt();
  REQUIRE_MESSAGE(id.isOk(), id.status().toString());
  CHECK(id->agent_id() == "agent-1");
  CHECK(id->terminal_id() == "term-1");
  CHECK(id->school_id() == "school-1");
  const auto& req = f.collector.enrolls.at(0);
  CHECK(req.token() == "tok.secret");
  CHECK(req.agent_version() == "1.0");
  CHECK(req.facts().hostname() == "lab1-pc07");
  REQUIRE(req.facts().interfaces_size() == 1);  // loopback left out
  CHECK(req.facts().interfaces(0).mac() == "52:54:00:12:34:56");

  CHECK(modeOf(f.store.dir()) == 0700);
  CHECK(modeOf(f.store.keyPath()) == 0600);
  CHECK(*readFile(f.store.caPath(), 1 << 20) == f.ca.pem);
  auto again = f.store.loadEnrolled();
  REQUIRE(again.isOk());
  REQUIRE(again->has_value());
  CHECK((*again)->agent_id() == "agent-1");
}

TEST_CASE("a failed attempt keeps the key for the next one") {
  EnrollFixture f;
  f.collector.on_enroll = [](const v1::EnrollRequest&) -> Result<v1::EnrollResponse> {
    return Status(ErrorCode::kCollectorUnreachable, "down");
  };
  CHECK_FALSE(f.enroller().attempt().isOk());
  const std::string key1 = *readFile(f.store.keyPath(), 1 << 16);
  f.collector.on_enroll = [&](const v1::EnrollRequest& r) { return f.ca.enroll(r); };
  REQUIRE(f.enroller().attempt().isOk());
  CHECK(*readFile(f.store.keyPath(), 1 << 16) == key1);
}

TEST_CASE("run() retries with backoff until the collector answers") {
  EnrollFixture f;
  int calls = 0;
  f.collector.on_enroll = [&](const v1::EnrollRequest& r) -> Result<v1::EnrollResponse> {
    if (++calls < 4) return Status(ErrorCode::kCollectorUnreachable, "down");
    return f.ca.enroll(r);
  };
  auto id = f.enroller().run();
  REQUIRE(id.isOk());
  CHECK(calls == 4);
  auto s = f.status.snapshot();
  CHECK(s.enrollment() == v1::ENROLLMENT_STATE_ENROLLED);
  CHECK(s.agent_id() == id->agent_id());
  CHECK(s.errors().empty());
}

TEST_CASE("401 puts the agent in REJECTED with E_ENROLL_REJECTED; a fixed token enrolls") {
  EnrollFixture f;
  f.token = "tok.revoked";
  f.collector.on_enroll = [&](const v1::EnrollRequest& r) -> Result<v1::EnrollResponse> {
    if (r.token() == "tok.revoked") return Status(ErrorCode::kUnauthorized, "HTTP 401");
    return f.ca.enroll(r);
  };
  std::thread t([&] {
    std::this_thread::sleep_for(100ms);
    auto s = f.status.snapshot();
    CHECK(s.enrollment() == v1::ENROLLMENT_STATE_REJECTED);
    REQUIRE(s.errors_size() == 1);
    CHECK(s.errors(0).code() == "E_ENROLL_REJECTED");
    f.token = "tok.good";  // the admin fixes the config (token_source re-reads it)
  });
  auto id = f.enroller().run();
  t.join();
  REQUIRE(id.isOk());
  CHECK(f.collector.enrolls.back().token() == "tok.good");
}

TEST_CASE("no token: no request, E_NOT_ENROLLED, and stop ends the wait") {
  EnrollFixture f;
  f.token = "";
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    f.wake.stop();
  });
  auto r = f.enroller().run();
  stopper.join();
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kCancelled);
  CHECK(f.collector.enrolls.empty());
  auto s = f.status.snapshot();
  REQUIRE(s.errors_size() == 1);
  CHECK(s.errors(0).code() == "E_NOT_ENROLLED");
}

TEST_CASE("a certificate for another key is refused") {
  EnrollFixture f;
  f.collector.on_enroll = [&](const v1::EnrollRequest&) -> Result<v1::EnrollResponse> {
    auto other = std::move(pki::PrivateKey::generateEcP256()).value();
    v1::EnrollRequest forged;
    forged.set_csr_pem(*pki::makeCsrPem(other, "x"));
    return f.ca.enroll(forged);
  };
  auto r = f.enroller().attempt();
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kProtocol);
  CHECK_FALSE(f.store.loadEnrolled()->has_value());
}

TEST_CASE("damaged identity state is set aside and the agent enrolls again") {
  EnrollFixture f;
  REQUIRE(f.enroller().attempt().isOk());
  // A restore card or a bad disk garbles the certificate.
  REQUIRE(atomicWriteFile(f.store.certPath(), "garbage", 0644).isOk());
  auto loaded = f.store.loadEnrolled();
  REQUIRE(loaded.isOk());
  CHECK_FALSE(loaded->has_value());
  CHECK(::access((f.store.identityPath() + ".bad").c_str(), F_OK) == 0);
  REQUIRE(f.enroller().attempt().isOk());
  CHECK((*f.store.loadEnrolled())->agent_id() == "agent-2");

  // A garbled identity.pb too.
  REQUIRE(atomicWriteFile(f.store.identityPath(), std::string("\xff\x01", 2), 0600).isOk());
  CHECK_FALSE(f.store.loadEnrolled()->has_value());
  // And a garbled key is replaced by a new one.
  REQUIRE(atomicWriteFile(f.store.keyPath(), "not a key", 0600).isOk());
  auto key = f.store.loadOrCreateKey();
  REQUIRE(key.isOk());
  CHECK(key->valid());
}

TEST_CASE("acks in the enrollment answer are applied to the spool") {
  EnrollFixture f;
  EventFactory events(f.clock, "b", [] { return std::string(); });
  AppendResult last;
  for (int i = 0; i < 5; ++i) last = *f.spool->append(events.make(v1::PRIORITY_ACTIVITY));
  f.collector.on_enroll = [&](const v1::EnrollRequest& r) -> Result<v1::EnrollResponse> {
    auto resp = f.ca.enroll(r);
    auto* a = resp->add_acks();
    a->set_stream("activity");
    a->set_epoch(last.epoch);
    a->set_seq(last.seq - 2);  // the collector already has all but the last two
    auto* other = resp->add_acks();
    other->set_stream("activity");
    other->set_epoch(last.epoch + 1);  // an old epoch: ignored
    other->set_seq(1000);
    return resp;
  };
  REQUIRE(f.enroller().attempt().isOk());
  auto pending = f.spool->readPending("activity", 100, 1 << 20, 0);
  REQUIRE(pending.isOk());
  REQUIRE(pending->size() == 2);
  CHECK(pending->front().seq() == last.seq - 1);
}

}  // namespace
}  // namespace xiaoan::agent
