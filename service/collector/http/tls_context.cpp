#include "service/collector/http/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/crypto/pki.h"

namespace xiaoan::collector {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: forward secret (ECDHE) and AEAD only. CBC suites (MAC-then-encrypt: Lucky13
// and padding-oracle history) and static RSA key exchange are not offered. Both key types are
// listed so a future RSA server key keeps working.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// TLS 1.3 suites are all AEAD; OpenSSL's default set, stated so a changed default cannot
// widen it.
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Fixed id: lets TLS session resumption work with client certificates.
constexpr unsigned char kSessionIdContext[] = "xiaoan-collector";

Status configureClientVerification(ssl::context& ctx, const std::string& ca_file) {
  ctx.load_verify_file(ca_file);
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str());
  if (names == nullptr) {
    return Status(ErrorCode::kCrypto, "read client CA " + ca_file + ": " + pki::opensslErrors());
  }
  SSL_CTX_set_client_CA_list(ctx.native_handle(), names);
  // VERIFY_PEER without FAIL_IF_NO_PEER_CERT: /v1/enroll has no certificate yet; the handlers
  // of mTLS endpoints refuse requests without a verified one.
  ctx.set_verify_mode(ssl::verify_peer);
  SSL_CTX_set_purpose(ctx.native_handle(), X509_PURPOSE_SSL_CLIENT);
  SSL_CTX_set_session_id_context(ctx.native_handle(), kSessionIdContext,
                                 sizeof kSessionIdContext - 1);
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<ssl::context>> makeServerTlsContext(const TlsServerFiles& files) {
  try {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
      return Status(ErrorCode::kCrypto, "cannot require TLS 1.2");
    }
    if (SSL_CTX_set_cipher_list(ctx->native_handle(), kTls12Ciphers) != 1 ||
        SSL_CTX_set_ciphersuites(ctx->native_handle(), kTls13Suites) != 1) {
      return Status(ErrorCode::kCrypto,
                    "cannot restrict TLS cipher suites: " + pki::opensslErrors());
    }
    // An idle keep-alive connection gives its read and write buffers back (some 34 KiB).
    SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    ctx->use_certificate_chain_file(files.cert_chain_pem_file);
    ctx->use_private_key_file(files.private_key_pem_file, ssl::context::pem);
    if (!files.client_ca_pem_file.empty()) {
      XIAOAN_RETURN_IF_ERROR(configureClientVerification(*ctx, files.client_ca_pem_file));
    } else {
      ctx->set_verify_mode(ssl::verify_none);
    }
    return ctx;
  } catch (const boost::system::system_error& e) {
    return Status(ErrorCode::kCrypto, std::string("TLS setup: ") + e.what());
  }
}

std::optional<std::string> verifiedPeerCommonName(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return std::nullopt;
  std::optional<std::string> out;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    X509_NAME* name = X509_get_subject_name(cert);
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    X509_NAME_ENTRY* entry = idx >= 0 ? X509_NAME_get_entry(name, idx) : nullptr;
    unsigned char* utf8 = nullptr;
    int len = entry != nullptr ? ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry)) : -1;
    if (len > 0) out = std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  X509_free(cert);
  return out;
}

}  // namespace xiaoan::collector
