#include "platform/crypto/ed25519.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "platform/file_util.h"

namespace xiaoan::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

Status cryptoError(std::string_view what) {
  return Status(ErrorCode::kCrypto, "ed25519: " + std::string(what));
}

Result<std::string> rawPublicOf(EVP_PKEY* key) {
  std::string raw(kPublicKeyBytes, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len) != 1 ||
      len != kPublicKeyBytes) {
    return cryptoError("cannot read the public key");
  }
  return raw;
}

}  // namespace

struct SigningKey::Impl {
  PkeyPtr key;
};

std::string sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string keyIdOf(std::string_view public_raw) { return toHex(sha256(public_raw)); }

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

Result<SigningKey> SigningKey::generate() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return cryptoError("key generation failed");
  XIAOAN_ASSIGN_OR_RETURN(std::string raw, rawPublicOf(key.get()));
  SigningKey k(std::make_unique<Impl>(Impl{std::move(key)}));
  k.public_raw_ = std::move(raw);
  k.key_id_ = keyIdOf(k.public_raw_);
  return k;
}

Result<SigningKey> SigningKey::fromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return cryptoError("out of memory");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return cryptoError("not an Ed25519 private key in PEM");
  }
  XIAOAN_ASSIGN_OR_RETURN(std::string raw, rawPublicOf(key.get()));
  SigningKey k(std::make_unique<Impl>(Impl{std::move(key)}));
  k.public_raw_ = std::move(raw);
  k.key_id_ = keyIdOf(k.public_raw_);
  return k;
}

Result<SigningKey> SigningKey::load(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string pem, readFile(path, 16 * 1024));
  auto key = fromPem(pem);
  if (!key.isOk()) return Status(ErrorCode::kCrypto, path + ": " + key.status().message());
  return key;
}

Result<std::string> SigningKey::privatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return cryptoError("cannot encode the private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> SigningKey::sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string sig(kSignatureBytes, '\0');
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != kSignatureBytes) {
    return cryptoError("signing failed");
  }
  return sig;
}

bool ed25519Verify(std::string_view public_raw, std::string_view message,
                   std::string_view signature) {
  if (public_raw.size() != kPublicKeyBytes || signature.size() != kSignatureBytes) return false;
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                          reinterpret_cast<const unsigned char*>(public_raw.data()),
                                          public_raw.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace xiaoan::crypto
