#include "platform/net/http_client.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/platform/net/tls_test_server.h"
#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using testing::httpResponse;
using testing::TempDir;
using testing::TestPki;
using testing::TestRequest;
using testing::TlsTestServer;

// One trusted CA with a loopback server certificate, plus material for the failure cases.
struct Fixture {
  TempDir dir;
  TestPki pki = TestPki::create("xiaoan test CA");
  std::pair<std::string, std::string> server =
      pki.issue("collector", {"localhost"}, {"127.0.0.1"}, true);
  std::string ca_file = dir.write("ca.pem", pki.ca_pem);

  HttpClientOptions options() const {
    HttpClientOptions o;
    o.ca_file = ca_file;
    o.connect_timeout = std::chrono::milliseconds(3000);
    o.total_timeout = std::chrono::milliseconds(5000);
    return o;
  }
};

TlsTestServer::Options serverOptions(const std::pair<std::string, std::string>& leaf) {
  return {leaf.first, leaf.second, ""};
}

std::string echoHandler(const TestRequest& r) {
  return httpResponse(200, "application/x-protobuf", "echo:" + r.body);
}

TEST_CASE("POST succeeds against a server certified by the pinned CA") {
  Fixture f;
  TlsTestServer srv(serverOptions(f.server), echoHandler);
  HttpClient client(f.options());
  auto r = client.post(srv.url("/v1/events"), "application/x-protobuf", "hello");
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(r->status == 200);
  CHECK(r->body == "echo:hello");
  CHECK(r->content_type == "application/x-protobuf");
  auto reqs = srv.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].target == "/v1/events");
  CHECK(reqs[0].headers.find("Content-Type: application/x-protobuf") != std::string::npos);
  CHECK_FALSE(reqs[0].had_client_cert);

  // The same client works for a second request (fresh connection after Connection: close).
  auto again = client.get(srv.url("/x"));
  REQUIRE(again.isOk());
  CHECK(again->body == "echo:");
}

TEST_CASE("a server certificate from another CA is E_TLS_PIN_MISMATCH and sends nothing") {
  Fixture f;
  TestPki other = TestPki::create("intercepting proxy CA");
  TlsTestServer srv(serverOptions(other.issue("collector", {"localhost"}, {"127.0.0.1"}, true)),
                    echoHandler);
  HttpClient client(f.options());
  auto r = client.post(srv.url("/v1/events"), "application/x-protobuf", "secret");
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kTlsPinMismatch);
  CHECK(srv.requests().empty());
}

TEST_CASE("a host name not in the certificate is E_TLS_PIN_MISMATCH") {
  Fixture f;
  auto wrong_host = f.pki.issue("elsewhere", {"elsewhere.example"}, {"10.9.9.9"}, true);
  TlsTestServer srv(serverOptions(wrong_host), echoHandler);
  HttpClient client(f.options());
  auto r = client.get(srv.url("/"));
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kTlsPinMismatch);
  // And via "localhost", which the certificate does not name either.
  auto r2 = client.get(srv.url("/", "localhost"));
  REQUIRE_FALSE(r2.isOk());
  CHECK(r2.status().code() == ErrorCode::kTlsPinMismatch);
  CHECK(srv.requests().empty());
}

TEST_CASE("a missing or empty CA file never falls back to the system store") {
  Fixture f;
  TlsTestServer srv(serverOptions(f.server), echoHandler);
  HttpClientOptions o = f.options();
  o.ca_file = "";
  HttpClient no_ca(o);
  auto r = no_ca.get(srv.url("/"));
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kConfigInvalid);
  o.ca_file = (f.dir.fsPath() / "missing.pem").string();
  HttpClient missing(o);
  auto r2 = missing.get(srv.url("/"));
  REQUIRE_FALSE(r2.isOk());
  CHECK(r2.status().code() == ErrorCode::kConfigInvalid);
  CHECK(srv.requests().empty());
}

TEST_CASE("connection refused is E_COLLECTOR_UNREACHABLE") {
  Fixture f;
  HttpClient client(f.options());
  auto r = client.get("https://127.0.0.1:" + std::to_string(testing::unusedPort()) + "/");
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kCollectorUnreachable);
}

TEST_CASE("a peer that never answers is E_TIMEOUT within the total time-out") {
  Fixture f;
  testing::SilentListener silent;
  HttpClientOptions o = f.options();
  o.total_timeout = std::chrono::milliseconds(300);
  HttpClient client(o);
  auto start = std::chrono::steady_clock::now();
  auto r = client.get("https://127.0.0.1:" + std::to_string(silent.port()) + "/");
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kTimeout);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("responses above the cap are E_TOO_LARGE, with or without Content-Length") {
  Fixture f;
  const std::string big(64 * 1024, 'x');
  TlsTestServer with_length(serverOptions(f.server), [&](const TestRequest&) {
    return httpResponse(200, "application/x-protobuf", big);
  });
  TlsTestServer chunked(serverOptions(f.server), [&](const TestRequest&) {
    std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < 16; ++i) out += "1000\r\n" + std::string(4096, 'y') + "\r\n";
    return out + "0\r\n\r\n";
  });
  HttpClientOptions o = f.options();
  o.max_response_bytes = 16 * 1024;
  HttpClient client(o);
  auto r = client.get(with_length.url("/"));
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kTooLarge);
  auto r2 = client.get(chunked.url("/"));
  REQUIRE_FALSE(r2.isOk());
  CHECK(r2.status().code() == ErrorCode::kTooLarge);

  o.max_response_bytes = 64 * 1024;  // exactly the body size is fine
  HttpClient exact(o);
  auto r3 = exact.get(with_length.url("/"));
  REQUIRE(r3.isOk());
  CHECK(r3->body.size() == big.size());
}

TEST_CASE("redirects are not followed") {
  Fixture f;
  TlsTestServer srv(serverOptions(f.server), [](const TestRequest& r) {
    if (r.target == "/elsewhere") return httpResponse(200, "text/plain", "followed");
    return httpResponse(302, "text/plain", "", "Location: /elsewhere\r\n");
  });
  HttpClient client(f.options());
  auto r = client.post(srv.url("/v1/checkin"), "application/x-protobuf", "x");
  REQUIRE(r.isOk());
  CHECK(r->status == 302);
  CHECK(srv.requests().size() == 1);
}

TEST_CASE("error statuses come back as responses, with Retry-After parsed") {
  Fixture f;
  TlsTestServer srv(serverOptions(f.server), [](const TestRequest&) {
    return httpResponse(503, "application/x-protobuf", "busy", "Retry-After: 7\r\n");
  });
  HttpClient client(f.options());
  auto r = client.post(srv.url("/v1/events"), "application/x-protobuf", "x");
  REQUIRE(r.isOk());
  CHECK(r->status == 503);
  REQUIRE(r->retry_after_seconds.has_value());
  CHECK(*r->retry_after_seconds == 7);
}

TEST_CASE("plain http:// URLs are refused") {
  Fixture f;
  HttpClient client(f.options());
  auto r = client.get("http://127.0.0.1:" + std::to_string(testing::unusedPort()) + "/");
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("mutual TLS: the client certificate is presented when configured") {
  Fixture f;
  auto client_leaf = f.pki.issue("agent-123", {}, {}, false);
  TlsTestServer srv({f.server.first, f.server.second, f.pki.ca_pem}, echoHandler);
  HttpClientOptions o = f.options();
  o.client_cert_file = f.dir.write("agent.pem", client_leaf.first);
  o.client_key_file = f.dir.write("agent.key", client_leaf.second);
  HttpClient client(o);
  auto r = client.post(srv.url("/v1/checkin"), "application/x-protobuf", "c");
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  auto reqs = srv.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].had_client_cert);
  CHECK(reqs[0].client_cn == "agent-123");
  // A second request on the same client (TLS session resumption) still presents the identity.
  auto r2 = client.post(srv.url("/v1/checkin"), "application/x-protobuf", "d");
  REQUIRE_MESSAGE(r2.isOk(), r2.status().toString());
  CHECK(srv.requests().at(1).client_cn == "agent-123");

  HttpClient anonymous(f.options());
  auto denied = anonymous.post(srv.url("/v1/checkin"), "application/x-protobuf", "c");
  REQUIRE_FALSE(denied.isOk());
  CHECK(denied.status().code() == ErrorCode::kTlsHandshake);
  CHECK(srv.requests().size() == 2);
}

TEST_CASE("download streams a 2xx body to the sink; other answers never reach it") {
  Fixture f;
  const std::string body(300 * 1024, 'd');
  TlsTestServer srv(serverOptions(f.server), [&](const TestRequest& r) {
    if (r.target == "/missing") return httpResponse(404, "text/plain", std::string(100'000, 'e'));
    return httpResponse(206, "application/octet-stream", body,
                        "Content-Range: bytes 5-307204/307205\r\n");
  });
  HttpClientOptions o = f.options();
  o.max_response_bytes = 1024;  // the in-memory cap does not apply to streamed bodies
  HttpClient client(o);
  std::string got;
  std::optional<DownloadHead> head;
  DownloadSink sink{[&](const DownloadHead& h) {
                      head = h;
                      return Status::ok();
                    },
                    [&](std::string_view piece) {
                      got.append(piece);
                      return Status::ok();
                    }};
  DownloadOptions d;
  d.resume_from = 5;
  auto r = client.download(srv.url("/a"), d, sink);
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(r->status == 206);
  CHECK(r->body.empty());
  CHECK(got == body);
  REQUIRE(head.has_value());
  CHECK(head->status == 206);
  CHECK(head->range_start == 5u);
  CHECK(srv.requests().at(0).headers.find("Range: bytes=5-") != std::string::npos);

  got.clear();
  head.reset();
  auto missing = client.download(srv.url("/missing"), {}, sink);
  REQUIRE(missing.isOk());
  CHECK(missing->status == 404);
  CHECK(missing->body.size() == 64 * 1024);  // kept for the error, capped
  CHECK(got.empty());
  CHECK_FALSE(head.has_value());

  // A sink error stops the transfer and is what download() returns.
  sink.on_data = [](std::string_view) { return Status(ErrorCode::kTooLarge, "enough"); };
  auto stopped = client.download(srv.url("/a"), {}, sink);
  REQUIRE_FALSE(stopped.isOk());
  CHECK(stopped.status().code() == ErrorCode::kTooLarge);
  CHECK(stopped.status().message() == "enough");
}

TEST_CASE("HTTP error statuses of our APIs map to stable codes") {
  CHECK(errorCodeForHttpStatus(400) == ErrorCode::kProtocol);
  CHECK(errorCodeForHttpStatus(401) == ErrorCode::kUnauthorized);
  CHECK(errorCodeForHttpStatus(403) == ErrorCode::kForbidden);
  CHECK(errorCodeForHttpStatus(413) == ErrorCode::kTooLarge);
  CHECK(errorCodeForHttpStatus(503) == ErrorCode::kOverloaded);
  CHECK(errorCodeForHttpStatus(404) == ErrorCode::kHttpStatus);
  CHECK(errorCodeForHttpStatus(500) == ErrorCode::kHttpStatus);
}

}  // namespace
}  // namespace xiaoan
