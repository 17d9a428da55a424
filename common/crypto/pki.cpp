#include "common/crypto/pki.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "platform/file_util.h"

namespace xiaoan::pki {
namespace {

constexpr size_t kMaxKeyPem = 16 * 1024;
constexpr size_t kMaxCsrPem = 16 * 1024;
constexpr size_t kMaxCertPem = 64 * 1024;

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

Status cryptoError(const std::string& what) {
  return Status(ErrorCode::kCrypto, what + ": " + opensslErrors());
}

BioPtr memBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string commonName(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

Status setCommonName(X509_NAME* name, const std::string& cn) {
  if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    return cryptoError("set common name");
  }
  return Status::ok();
}

Status addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return cryptoError("add extension " + value);
  }
  return Status::ok();
}

Status setRandomSerial(X509* cert) {
  BnPtr bn(BN_new());
  // 127 random bits keeps the DER INTEGER positive and ≤ 16 bytes.
  if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return cryptoError("serial number");
  }
  return Status::ok();
}

Status setValidity(X509* cert, std::chrono::hours validity) {
  // Backdate one hour: terminals' clocks are often a little behind.
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert),
                      static_cast<long>(std::chrono::seconds(validity).count())) == nullptr) {
    return cryptoError("validity");
  }
  return Status::ok();
}

std::string sanValue(const IssueOptions& opts) {
  std::string san;
  for (const auto& d : opts.dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : opts.ip_addresses)
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  return san;
}

Status addLeafExtensions(X509* cert, X509* issuer, const IssueOptions& opts) {
  if (opts.is_ca) {
    XIAOAN_RETURN_IF_ERROR(addExtension(cert, issuer, NID_basic_constraints, "critical,CA:TRUE"));
    return addExtension(cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  XIAOAN_RETURN_IF_ERROR(addExtension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  XIAOAN_RETURN_IF_ERROR(
      addExtension(cert, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  std::string eku;
  if (opts.server_auth) eku = "serverAuth";
  if (opts.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
  if (!eku.empty()) XIAOAN_RETURN_IF_ERROR(addExtension(cert, issuer, NID_ext_key_usage, eku));
  std::string san = sanValue(opts);
  if (!san.empty()) XIAOAN_RETURN_IF_ERROR(addExtension(cert, issuer, NID_subject_alt_name, san));
  return Status::ok();
}

Result<std::string> certToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return cryptoError("write certificate");
  return bioToString(bio.get());
}

Result<X509Ptr> parseCert(std::string_view pem) {
  if (pem.size() > kMaxCertPem) return Status(ErrorCode::kTooLarge, "certificate PEM too large");
  BioPtr bio = memBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status(ErrorCode::kInvalidArgument, "bad certificate: " + opensslErrors());
  return cert;
}

// The signing digest for a key: Ed25519 signs without a separate digest.
const EVP_MD* digestFor(EVP_PKEY* key) {
  return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

bool acceptableKey(EVP_PKEY* key) {
  switch (EVP_PKEY_get_id(key)) {
    case EVP_PKEY_ED25519:
      return true;
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      return EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
             std::string_view(group) == "prime256v1";
    }
    case EVP_PKEY_RSA:
      return EVP_PKEY_get_bits(key) >= 2048;
    default:
      return false;
  }
}

std::chrono::system_clock::time_point asn1Time(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

std::string opensslErrors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

PrivateKey::~PrivateKey() { EVP_PKEY_free(key_); }

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : key_(std::exchange(other.key_, nullptr)) {}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(key_);
    key_ = std::exchange(other.key_, nullptr);
  }
  return *this;
}

Result<PrivateKey> PrivateKey::generateEcP256() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return cryptoError("generate P-256 key");
  return PrivateKey(key);
}

Result<PrivateKey> PrivateKey::fromPem(std::string_view pem) {
  if (pem.size() > kMaxKeyPem) return Status(ErrorCode::kTooLarge, "private key PEM too large");
  BioPtr bio = memBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return Status(ErrorCode::kCrypto, "bad private key: " + opensslErrors());
  return PrivateKey(key);
}

Result<std::string> PrivateKey::toPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return cryptoError("write private key");
  }
  return bioToString(bio.get());
}

Result<std::string> PrivateKey::publicKeyDer() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_, &der);
  if (len <= 0) return cryptoError("encode public key");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<std::string> makeCsrPem(const PrivateKey& key, const std::string& common_name) {
  ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1) return cryptoError("new CSR");
  XIAOAN_RETURN_IF_ERROR(setCommonName(X509_REQ_get_subject_name(req.get()), common_name));
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), digestFor(key.get())) <= 0) {
    return cryptoError("sign CSR");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) return cryptoError("write CSR");
  return bioToString(bio.get());
}

Result<CsrInfo> parseAndVerifyCsr(std::string_view csr_pem) {
  if (csr_pem.size() > kMaxCsrPem) return Status(ErrorCode::kTooLarge, "CSR too large");
  BioPtr bio = memBio(csr_pem);
  ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return Status(ErrorCode::kInvalidArgument, "bad CSR: " + opensslErrors());
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr || !acceptableKey(key)) {
    ERR_clear_error();
    return Status(ErrorCode::kInvalidArgument, "CSR key type or size not accepted");
  }
  if (X509_REQ_verify(req.get(), key) != 1) {
    ERR_clear_error();
    return Status(ErrorCode::kInvalidArgument, "CSR self-signature does not verify");
  }
  CsrInfo info;
  info.subject_cn = commonName(X509_REQ_get_subject_name(req.get()));
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return cryptoError("encode CSR public key");
  info.public_key_der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return info;
}

Result<std::string> makeSelfSignedCa(const PrivateKey& key, const std::string& common_name,
                                     std::chrono::hours validity) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return cryptoError("new CA certificate");
  XIAOAN_RETURN_IF_ERROR(setRandomSerial(cert.get()));
  XIAOAN_RETURN_IF_ERROR(setValidity(cert.get(), validity));
  XIAOAN_RETURN_IF_ERROR(setCommonName(X509_get_subject_name(cert.get()), common_name));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return cryptoError("CA subject/key");
  }
  IssueOptions opts;
  opts.is_ca = true;
  XIAOAN_RETURN_IF_ERROR(addLeafExtensions(cert.get(), cert.get(), opts));
  XIAOAN_RETURN_IF_ERROR(addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), digestFor(key.get())) <= 0) return cryptoError("sign CA");
  return certToPem(cert.get());
}

Result<std::string> issueCertificate(std::string_view ca_cert_pem, const PrivateKey& ca_key,
                                     std::string_view public_key_der, const IssueOptions& opts) {
  XIAOAN_ASSIGN_OR_RETURN(X509Ptr ca, parseCert(ca_cert_pem));
  const auto* p = reinterpret_cast<const unsigned char*>(public_key_der.data());
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(public_key_der.size())));
  if (!pub) return Status(ErrorCode::kInvalidArgument, "bad public key: " + opensslErrors());
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return cryptoError("new certificate");
  XIAOAN_RETURN_IF_ERROR(setRandomSerial(cert.get()));
  XIAOAN_RETURN_IF_ERROR(setValidity(cert.get(), opts.validity));
  XIAOAN_RETURN_IF_ERROR(setCommonName(X509_get_subject_name(cert.get()), opts.common_name));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) != 1 ||
      X509_set_pubkey(cert.get(), pub.get()) != 1) {
    return cryptoError("certificate subject/key");
  }
  XIAOAN_RETURN_IF_ERROR(addLeafExtensions(cert.get(), ca.get(), opts));
  XIAOAN_RETURN_IF_ERROR(
      addExtension(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), ca_key.get(), digestFor(ca_key.get())) <= 0) {
    return cryptoError("sign certificate");
  }
  return certToPem(cert.get());
}

Result<CertInfo> inspectCertificate(std::string_view cert_pem) {
  XIAOAN_ASSIGN_OR_RETURN(X509Ptr cert, parseCert(cert_pem));
  CertInfo info;
  info.subject_cn = commonName(X509_get_subject_name(cert.get()));
  info.issuer_cn = commonName(X509_get_issuer_name(cert.get()));
  BnPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  if (serial) {
    char* hex = BN_bn2hex(serial.get());
    info.serial_hex = hex;
    OPENSSL_free(hex);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &md_len) != 1) return cryptoError("digest");
  info.sha256_fingerprint_hex = toHex(std::string_view(reinterpret_cast<char*>(md), md_len));
  info.not_before = asn1Time(X509_get0_notBefore(cert.get()));
  info.not_after = asn1Time(X509_get0_notAfter(cert.get()));
  return info;
}

Result<bool> certificateMatchesKey(std::string_view cert_pem, const PrivateKey& key) {
  XIAOAN_ASSIGN_OR_RETURN(X509Ptr cert, parseCert(cert_pem));
  int r = X509_check_private_key(cert.get(), key.get());
  ERR_clear_error();
  return r == 1;
}

}  // namespace xiaoan::pki
