#include "agent/core/bootstrap_config.h"

#include <doctest/doctest.h>

#include "common/crypto/pki.h"
#include "tests/agent/core/fakes.h"

namespace xiaoan::agent {
namespace {

using testing::TempDir;

struct ConfigFixture {
  TempDir dir;
  std::string ca;
  ConfigFixture() {
    auto key = pki::PrivateKey::generateEcP256();
    ca = dir.write("ca.pem", *pki::makeSelfSignedCa(*key, "test CA", std::chrono::hours(24)));
  }
  std::string json(const std::string& extra = "") const {
    return R"({"collector_url": "https://collector.example.edu.cn:8443", "ca_bundle": ")" + ca +
           R"(", "enrollment_token": "tok1.s3cret")" + extra + "}";
  }
  Result<v1::AgentBootstrapConfig> load(const std::string& text) const {
    return loadBootstrapConfig(dir.write("agent.json", text));
  }
};

void expectInvalid(const Result<v1::AgentBootstrapConfig>& r, const std::string& field) {
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kConfigInvalid);
  CHECK_MESSAGE(r.status().message().find(field) != std::string::npos, r.status().message());
}

TEST_CASE("a minimal config loads with defaults") {
  ConfigFixture f;
  auto c = f.load(f.json());
  REQUIRE_MESSAGE(c.isOk(), c.status().toString());
  CHECK(c->collector_url() == "https://collector.example.edu.cn:8443");
  CHECK(c->state_dir() == "/var/lib/xiaoan");
  CHECK(c->status_socket() == "/run/xiaoan/agent.sock");
  CHECK(c->spool_max_bytes() == 256ull * 1024 * 1024);
  CHECK(c->checkin_interval_seconds() == 60);
  CHECK(c->max_upload_events_per_second() == 2000);
  CHECK(c->log_level() == "info");
  CHECK(c->trust_root() == f.dir.sub("root.pb"));  // next to the CA bundle
  CHECK(c->download_min_bytes_per_second() == 1024);
  CHECK(c->builtin_signatures_dir() == "/usr/share/xiaoan/signatures");
}

TEST_CASE("explicit settings are kept and a trailing slash is dropped") {
  ConfigFixture f;
  auto c = f.load(R"({"collector_url": "https://[::1]:9443/", "ca_bundle": ")" + f.ca +
                  R"(", "state_dir": "/srv/xa", "status_socket": "/tmp/a.sock",
                     "spool_max_bytes": "1048576", "checkin_interval_seconds": 10,
                     "max_upload_events_per_second": 5, "log_level": "debug"})");
  REQUIRE_MESSAGE(c.isOk(), c.status().toString());
  CHECK(c->collector_url() == "https://[::1]:9443");
  CHECK(c->state_dir() == "/srv/xa");
  CHECK(c->spool_max_bytes() == 1048576);
  CHECK(c->checkin_interval_seconds() == 10);
  CHECK(c->enrollment_token().empty());  // optional once enrolled

  auto t = f.load(f.json(R"(, "trust_root": "/etc/xiaoan/trust/root-v3.pb",
                              "download_min_bytes_per_second": 4096)"));
  REQUIRE_MESSAGE(t.isOk(), t.status().toString());
  CHECK(t->trust_root() == "/etc/xiaoan/trust/root-v3.pb");
  CHECK(t->download_min_bytes_per_second() == 4096);

  auto rules = f.load(f.json(R"(, "builtin_signatures_dir": "/opt/rules")"));
  REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
  CHECK(rules->builtin_signatures_dir() == "/opt/rules");
  auto relative = f.load(f.json(R"(, "builtin_signatures_dir": "rules")"));
  REQUIRE_FALSE(relative.isOk());
  CHECK(relative.status().message().find("builtin_signatures_dir") != std::string::npos);
}

TEST_CASE("unknown fields and broken JSON are rejected") {
  ConfigFixture f;
  expectInvalid(f.load(f.json(R"(, "colector_url": "x")")), "colector_url");
  expectInvalid(f.load("{not json"), "JSON");
  expectInvalid(f.load(""), "JSON");
  expectInvalid(f.load(R"({"checkin_interval_seconds": "soon"})"), "JSON");
}

TEST_CASE("required fields must be present") {
  ConfigFixture f;
  expectInvalid(f.load(R"({"ca_bundle": ")" + f.ca + R"("})"), "collector_url");
  expectInvalid(f.load(R"({"collector_url": "https://a:1"})"), "ca_bundle");
}

TEST_CASE("collector_url must be https://host[:port]") {
  ConfigFixture f;
  for (const char* url : {"http://collector:8443", "collector:8443", "https://", "https://:8443",
                          "https://a:0", "https://a:70000", "https://a:", "https://a/v1",
                          "https://user@a", "https://a?x=1", "https://[::1"}) {
    CAPTURE(url);
    expectInvalid(f.load(R"({"collector_url": ")" + std::string(url) + R"(", "ca_bundle": ")" +
                         f.ca + R"("})"),
                  "collector_url");
  }
}

TEST_CASE("ca_bundle must be a readable PEM certificate") {
  ConfigFixture f;
  const std::string missing = (f.dir.fsPath() / "nope.pem").string();
  expectInvalid(f.load(R"({"collector_url": "https://a", "ca_bundle": ")" + missing + R"("})"),
                "ca_bundle");
  const std::string junk = f.dir.write("junk.pem", "hello");
  expectInvalid(f.load(R"({"collector_url": "https://a", "ca_bundle": ")" + junk + R"("})"),
                "ca_bundle");
}

TEST_CASE("ranges, paths, token format and log level are checked") {
  ConfigFixture f;
  expectInvalid(f.load(f.json(R"(, "checkin_interval_seconds": 5)")), "checkin_interval_seconds");
  expectInvalid(f.load(f.json(R"(, "checkin_interval_seconds": 90000)")),
                "checkin_interval_seconds");
  expectInvalid(f.load(f.json(R"(, "spool_max_bytes": 1000)")), "spool_max_bytes");
  expectInvalid(f.load(f.json(R"(, "state_dir": "relative/dir")")), "state_dir");
  expectInvalid(f.load(f.json(R"(, "status_socket": "/)" + std::string(120, 'x') + R"(")")),
                "status_socket");
  expectInvalid(f.load(f.json(R"(, "log_level": "loud")")), "log_level");
  expectInvalid(f.load(R"({"collector_url": "https://a", "ca_bundle": ")" + f.ca +
                       R"(", "enrollment_token": "PUT-THE-SCHOOL-TOKEN-HERE"})"),
                "enrollment_token");
  expectInvalid(f.load(f.json(R"(, "max_upload_events_per_second": 2000000)")),
                "max_upload_events_per_second");
  expectInvalid(f.load(f.json(R"(, "download_min_bytes_per_second": 200000000)")),
                "download_min_bytes_per_second");
}

TEST_CASE("oversized and missing config files are E_CONFIG_INVALID") {
  ConfigFixture f;
  std::string big = f.json();
  big.insert(1, std::string(70 * 1024, ' '));
  expectInvalid(f.load(big), "agent.json");
  expectInvalid(loadBootstrapConfig((f.dir.fsPath() / "absent.json").string()), "absent.json");
}

TEST_CASE("the collector endpoint of the URL: host without brackets, port or 443") {
  auto e = collectorEndpoint("https://collector.xmedu.cn:8443");
  REQUIRE(e.isOk());
  CHECK(e->host == "collector.xmedu.cn");
  CHECK(e->port == 8443);
  e = collectorEndpoint("https://10.1.0.5/");
  REQUIRE(e.isOk());
  CHECK(e->host == "10.1.0.5");
  CHECK(e->port == 443);
  e = collectorEndpoint("https://[fd00::5]:9443");
  REQUIRE(e.isOk());
  CHECK(e->host == "fd00::5");
  CHECK(e->port == 9443);
  CHECK(collectorEndpoint("http://x").status().code() == ErrorCode::kConfigInvalid);
  CHECK(collectorEndpoint("https://x:0").status().code() == ErrorCode::kConfigInvalid);
}

}  // namespace
}  // namespace xiaoan::agent
