#include "common/crypto/pki.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include "tests/support/temp_dir.h"

namespace xiaoan::pki {
namespace {

using xiaoan::testing::TempDir;

std::string writeTemp(const std::filesystem::path& dir, const std::string& name,
                      const std::string& data) {
  auto p = dir / name;
  std::ofstream(p) << data;
  return p.string();
}

}  // namespace

TEST_CASE("key round-trips through PEM and matches its certificate") {
  auto key = PrivateKey::generateEcP256();
  REQUIRE(key.isOk());
  auto pem = key->toPem();
  REQUIRE(pem.isOk());
  auto again = PrivateKey::fromPem(*pem);
  REQUIRE(again.isOk());
  CHECK(*again->publicKeyDer() == *key->publicKeyDer());

  auto ca = makeSelfSignedCa(*key, "xiaoan test CA", std::chrono::hours(24));
  REQUIRE(ca.isOk());
  CHECK(*certificateMatchesKey(*ca, *again));
  auto other = PrivateKey::generateEcP256();
  CHECK_FALSE(*certificateMatchesKey(*ca, *other));
}

TEST_CASE("CSR is verified and its key is certified by the CA") {
  TempDir tmp;
  auto ca_key = PrivateKey::generateEcP256();
  auto ca = makeSelfSignedCa(*ca_key, "xiaoan enrollment CA", std::chrono::hours(24 * 3650));
  REQUIRE(ca.isOk());

  auto agent_key = PrivateKey::generateEcP256();
  auto csr = makeCsrPem(*agent_key, "pending");
  REQUIRE(csr.isOk());
  auto info = parseAndVerifyCsr(*csr);
  REQUIRE(info.isOk());
  CHECK(info->subject_cn == "pending");
  CHECK(info->public_key_der == *agent_key->publicKeyDer());

  IssueOptions opts;
  opts.common_name = "0123456789abcdef0123456789abcdef";
  opts.client_auth = true;
  auto cert = issueCertificate(*ca, *ca_key, info->public_key_der, opts);
  REQUIRE(cert.isOk());
  auto ci = inspectCertificate(*cert);
  REQUIRE(ci.isOk());
  CHECK(ci->subject_cn == opts.common_name);
  CHECK(ci->issuer_cn == "xiaoan enrollment CA");
  CHECK(ci->sha256_fingerprint_hex.size() == 64);
  CHECK(ci->not_after > ci->not_before);
  CHECK(*certificateMatchesKey(*cert, *agent_key));

  // An independent verifier (the openssl CLI) accepts the chain for TLS client auth.
  auto ca_path = writeTemp(tmp.fsPath(), "ca.pem", *ca);
  auto cert_path = writeTemp(tmp.fsPath(), "c.pem", *cert);
  std::string cmd =
      "openssl verify -purpose sslclient -CAfile " + ca_path + " " + cert_path + " >/dev/null 2>&1";
  CHECK(std::system(cmd.c_str()) == 0);
  cmd =
      "openssl verify -purpose sslserver -CAfile " + ca_path + " " + cert_path + " >/dev/null 2>&1";
  CHECK(std::system(cmd.c_str()) != 0);
}

TEST_CASE("server certificate carries the requested SANs") {
  TempDir tmp;
  auto ca_key = PrivateKey::generateEcP256();
  auto ca = makeSelfSignedCa(*ca_key, "CA", std::chrono::hours(24));
  auto key = PrivateKey::generateEcP256();
  IssueOptions opts;
  opts.common_name = "collector";
  opts.server_auth = true;
  opts.dns_names = {"localhost", "collector.school.edu.cn"};
  opts.ip_addresses = {"127.0.0.1"};
  auto cert = issueCertificate(*ca, *ca_key, *key->publicKeyDer(), opts);
  REQUIRE(cert.isOk());
  auto ca_path = writeTemp(tmp.fsPath(), "ca.pem", *ca);
  auto cert_path = writeTemp(tmp.fsPath(), "s.pem", *cert);
  for (const char* check : {"-verify_hostname collector.school.edu.cn", "-verify_ip 127.0.0.1"}) {
    std::string cmd = std::string("openssl verify -purpose sslserver ") + check + " -CAfile " +
                      ca_path + " " + cert_path + " >/dev/null 2>&1";
    CHECK_MESSAGE(std::system(cmd.c_str()) == 0, check);
  }
  std::string bad = "openssl verify -verify_hostname evil.example -CAfile " + ca_path + " " +
                    cert_path + " >/dev/null 2>&1";
  CHECK(std::system(bad.c_str()) != 0);
}

TEST_CASE("untrusted CSR and certificate input is rejected with clear codes") {
  CHECK(parseAndVerifyCsr("not a csr").status().code() == ErrorCode::kInvalidArgument);
  CHECK(parseAndVerifyCsr(std::string(20000, 'A')).status().code() == ErrorCode::kTooLarge);
  CHECK(inspectCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .status()
            .code() == ErrorCode::kInvalidArgument);
  CHECK(PrivateKey::fromPem("garbage").status().code() == ErrorCode::kCrypto);

  // A CSR whose signature was tampered with does not verify.
  auto key = PrivateKey::generateEcP256();
  auto csr = *makeCsrPem(*key, "x");
  size_t pos = csr.find("-----END") - 10;
  csr[pos] = csr[pos] == 'A' ? 'B' : 'A';
  CHECK_FALSE(parseAndVerifyCsr(csr).isOk());
}

}  // namespace xiaoan::pki
