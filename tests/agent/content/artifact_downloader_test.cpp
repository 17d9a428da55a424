// The downloader against a real TLS server on loopback (mutual TLS, like the collector).
#include "agent/content/artifact_downloader.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/agent/content/content_fixture.h"
#include "tests/platform/net/tls_test_server.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::policyArtifact;
using xiaoan::testing::httpResponse;
using xiaoan::testing::TempDir;
using xiaoan::testing::TestPki;
using xiaoan::testing::TestRequest;
using xiaoan::testing::TlsTestServer;
using Write = std::function<bool(std::string_view)>;

const std::string kBytes = [] {
  std::string s;
  for (int i = 0; i < 200'000; ++i) s.push_back(static_cast<char>('a' + i % 26));
  return s;
}();

struct Env {
  TempDir dir;
  TestPki pki = TestPki::create("xiaoan test CA");
  std::pair<std::string, std::string> server =
      pki.issue("collector", {"localhost"}, {"127.0.0.1"}, true);
  std::pair<std::string, std::string> agent = pki.issue("agent-1", {}, {}, false);
  ArtifactStore store{dir.str()};
  v1::Artifact artifact = policyArtifact(kBytes, 7);

  Env() { REQUIRE(store.prepare().isOk()); }

  TlsTestServer::Options serverOptions() const { return {server.first, server.second, pki.ca_pem}; }

  ArtifactDownloader downloader(const TlsTestServer& srv) {
    ArtifactDownloaderOptions o;
    o.base_url = srv.url("");
    o.http.ca_file = dir.write("ca.pem", pki.ca_pem);
    o.http.client_cert_file = dir.write("agent.pem", agent.first);
    o.http.client_key_file = dir.write("agent.key", agent.second);
    o.http.connect_timeout = std::chrono::milliseconds(3000);
    o.rate_window_for_test = std::chrono::seconds(1);
    return ArtifactDownloader(o);
  }

  void writePart(const std::string& bytes) {
    dir.write(std::filesystem::relative(store.partPath(artifact), dir.str()).string(), bytes);
  }
  bool partExists() const { return std::filesystem::exists(store.partPath(artifact)); }
};

// "Range: bytes=N-" of a request, or -1.
long long rangeStart(const TestRequest& r) {
  const auto pos = r.headers.find("Range: bytes=");
  return pos == std::string::npos ? -1 : std::stoll(r.headers.substr(pos + 13));
}

// Answers like the collector: 206 from the requested offset, 200 otherwise.
std::string rangeAware(const TestRequest& r, const std::string& bytes) {
  const long long start = rangeStart(r);
  if (start < 0) return httpResponse(200, "application/octet-stream", bytes);
  const auto from = static_cast<size_t>(start);
  return httpResponse(206, "application/octet-stream", bytes.substr(from),
                      "Content-Range: bytes " + std::to_string(from) + "-" +
                          std::to_string(bytes.size() - 1) + "/" + std::to_string(bytes.size()) +
                          "\r\n");
}

TEST_CASE("a download over mutual TLS lands verified under its hash") {
  Env e;
  TlsTestServer srv(e.serverOptions(), [](const TestRequest& r) { return rangeAware(r, kBytes); });
  auto d = e.downloader(srv);
  Status st = d.fetch(e.artifact, e.store);
  REQUIRE_MESSAGE(st.isOk(), st.toString());
  CHECK(*e.store.read(e.artifact, 1 << 20) == kBytes);
  CHECK_FALSE(e.partExists());
  const auto reqs = srv.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].target == "/v1/artifacts/sha256/" + artifactHex(e.artifact));
  CHECK(reqs[0].client_cn == "agent-1");
  CHECK(rangeStart(reqs[0]) == -1);
  // Already there: nothing is fetched again.
  REQUIRE(d.fetch(e.artifact, e.store).isOk());
  CHECK(srv.requests().size() == 1);
}

TEST_CASE("an interrupted download resumes with Range and accepts 206") {
  Env e;
  e.writePart(kBytes.substr(0, 123'456));
  TlsTestServer srv(e.serverOptions(), [](const TestRequest& r) { return rangeAware(r, kBytes); });
  auto d = e.downloader(srv);
  Status st = d.fetch(e.artifact, e.store);
  REQUIRE_MESSAGE(st.isOk(), st.toString());
  CHECK(*e.store.read(e.artifact, 1 << 20) == kBytes);
  REQUIRE(srv.requests().size() == 1);
  CHECK(rangeStart(srv.requests()[0]) == 123'456);
}

TEST_CASE("a 200 answer to a Range request starts the file over") {
  Env e;
  e.writePart("garbage that a resume would keep");
  TlsTestServer srv(e.serverOptions(), [](const TestRequest&) {
    return httpResponse(200, "application/octet-stream", kBytes);
  });
  auto d = e.downloader(srv);
  Status st = d.fetch(e.artifact, e.store);
  REQUIRE_MESSAGE(st.isOk(), st.toString());
  CHECK(*e.store.read(e.artifact, 1 << 20) == kBytes);
  CHECK(rangeStart(srv.requests()[0]) > 0);
}

TEST_CASE("a 206 that does not continue where the file stops is refused") {
  Env e;
  e.writePart(kBytes.substr(0, 1000));
  TlsTestServer srv(e.serverOptions(), [](const TestRequest&) {
    return httpResponse(206, "application/octet-stream", kBytes.substr(10),
                        "Content-Range: bytes 10-199999/200000\r\n");
  });
  auto d = e.downloader(srv);
  CHECK(d.fetch(e.artifact, e.store).code() == ErrorCode::kProtocol);
  CHECK_FALSE(e.partExists());
}

TEST_CASE("U7: an endless body stops at the signed length: E_TOO_LARGE, .part deleted") {
  Env e;
  TlsTestServer srv(e.serverOptions(), [](const TestRequest&, const Write& write) {
    if (!write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")) return;
    const std::string chunk(16 * 1024, 'x');
    while (write(chunk)) {
    }
  });
  auto d = e.downloader(srv);
  Status st = d.fetch(e.artifact, e.store);
  CHECK(st.code() == ErrorCode::kTooLarge);
  CHECK_FALSE(e.partExists());
  CHECK_FALSE(std::filesystem::exists(e.store.path(e.artifact)));
}

TEST_CASE("U7: a body slower than the minimum rate is E_DOWNLOAD_TOO_SLOW; .part kept") {
  Env e;
  TlsTestServer srv(e.serverOptions(), [](const TestRequest&, const Write& write) {
    if (!write("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\nConnection: close\r\n\r\n")) return;
    for (size_t sent = 0; sent < kBytes.size(); sent += 16) {
      if (!write(kBytes.substr(sent, 16))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto d = e.downloader(srv);
  const auto start = std::chrono::steady_clock::now();
  Status st = d.fetch(e.artifact, e.store);
  CHECK(st.code() == ErrorCode::kDownloadTooSlow);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK(e.partExists());  // what arrived is kept for the next attempt
  CHECK_FALSE(std::filesystem::exists(e.store.path(e.artifact)));
}

TEST_CASE("U1: tampered bytes of the right length are E_ARTIFACT_HASH and never stored") {
  Env e;
  std::string tampered = kBytes;
  tampered[100] = '!';
  TlsTestServer srv(e.serverOptions(),
                    [&](const TestRequest& r) { return rangeAware(r, tampered); });
  auto d = e.downloader(srv);
  CHECK(d.fetch(e.artifact, e.store).code() == ErrorCode::kArtifactHash);
  CHECK_FALSE(e.partExists());
  CHECK_FALSE(std::filesystem::exists(e.store.path(e.artifact)));
}

TEST_CASE("HTTP errors map to stable codes and leave nothing behind") {
  Env e;
  TlsTestServer srv(e.serverOptions(), [](const TestRequest&) {
    return httpResponse(404, "text/plain", "no such artifact");
  });
  auto d = e.downloader(srv);
  CHECK(d.fetch(e.artifact, e.store).code() == ErrorCode::kNotFound);
  CHECK_FALSE(std::filesystem::exists(e.store.path(e.artifact)));
  CHECK_FALSE(e.partExists());
}

TEST_CASE("a 416 answer drops the .part; other HTTP errors keep it for the next attempt") {
  Env e;
  e.writePart(kBytes.substr(0, 1000));
  long status = 503;
  TlsTestServer srv(e.serverOptions(), [&](const TestRequest&) {
    return httpResponse(static_cast<int>(status), "text/plain", "busy");
  });
  auto d = e.downloader(srv);
  CHECK(d.fetch(e.artifact, e.store).code() == ErrorCode::kOverloaded);
  CHECK(e.partExists());
  status = 416;
  CHECK(d.fetch(e.artifact, e.store).code() == ErrorCode::kHttpStatus);
  CHECK_FALSE(e.partExists());
}

TEST_CASE("the deadline grows with the length") {
  CHECK(ArtifactDownloader::deadlineFor(0) == std::chrono::seconds(60));
  CHECK(ArtifactDownloader::deadlineFor(64 * 1024 * 100) == std::chrono::seconds(160));
}

}  // namespace
}  // namespace xiaoan::agent::content
