#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

// Keep OpenSSL out of our public headers.
typedef struct evp_pkey_st EVP_PKEY;  // NOLINT

namespace xiaoan::pki {

// Move-only owner of an EVP_PKEY.
class PrivateKey {
 public:
  PrivateKey() = default;
  explicit PrivateKey(EVP_PKEY* key) : key_(key) {}
  ~PrivateKey();
  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  // A new ECDSA P-256 key from the OS CSPRNG.
  static Result<PrivateKey> generateEcP256();
  // Parses a PEM private key (PKCS#8 or traditional), at most 16 KiB.
  static Result<PrivateKey> fromPem(std::string_view pem);

  // Unencrypted PKCS#8 PEM.
  Result<std::string> toPem() const;
  // SubjectPublicKeyInfo DER of the public half.
  Result<std::string> publicKeyDer() const;

  EVP_PKEY* get() const { return key_; }
  bool valid() const { return key_ != nullptr; }

 private:
  EVP_PKEY* key_ = nullptr;
};

// A PKCS#10 request for `common_name` signed with `key`.
Result<std::string> makeCsrPem(const PrivateKey& key, const std::string& common_name);

struct CsrInfo {
  std::string subject_cn;
  std::string public_key_der;  // SubjectPublicKeyInfo DER
};

// Parses a CSR (untrusted input: at most 16 KiB of PEM), checks its self-signature and that
// its key is EC P-256 or Ed25519 or RSA >= 2048. E_INVALID_ARGUMENT otherwise.
Result<CsrInfo> parseAndVerifyCsr(std::string_view csr_pem);

struct IssueOptions {
  std::string common_name;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries (v4 or v6 text)
  std::chrono::hours validity{24 * 365};
  bool is_ca = false;
  bool server_auth = false;
  bool client_auth = false;
};

// A self-signed CA certificate (PEM) for `key`.
Result<std::string> makeSelfSignedCa(const PrivateKey& key, const std::string& common_name,
                                     std::chrono::hours validity);

// Issues a certificate (PEM) for `public_key_der` (SubjectPublicKeyInfo DER), signed by the CA.
// Serial numbers are 128-bit random. notBefore is backdated 1 hour for clock skew.
Result<std::string> issueCertificate(std::string_view ca_cert_pem, const PrivateKey& ca_key,
                                     std::string_view public_key_der, const IssueOptions& opts);

struct CertInfo {
  std::string subject_cn;
  std::string issuer_cn;
  std::string serial_hex;
  std::string sha256_fingerprint_hex;  // over the DER encoding
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// Parses the first certificate of a PEM text (at most 64 KiB).
Result<CertInfo> inspectCertificate(std::string_view cert_pem);

// True when `cert_pem`'s public key matches `key`.
Result<bool> certificateMatchesKey(std::string_view cert_pem, const PrivateKey& key);

// Drains the OpenSSL error queue into one line (for wrapping into Status).
std::string opensslErrors();

}  // namespace xiaoan::pki
