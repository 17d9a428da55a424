#include "common/crypto/ed25519.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "common/crypto/pki.h"
#include "platform/file_util.h"

namespace xiaoan::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

// Drains OpenSSL's error queue into the message, so nothing is left for a later TLS call.
Status cryptoError(std::string_view what) {
  return Status(ErrorCode::kCrypto, "ed25519: " + std::string(what) + ": " + pki::opensslErrors());
}

}  // namespace

// The key is held by pki::PrivateKey, which also does the PEM encoding both ways.
struct SigningKey::Impl {
  pki::PrivateKey key;
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

Result<SigningKey> SigningKey::wrap(pki::PrivateKey key) {
  std::string raw(kPublicKeyBytes, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(raw.data()), &len) !=
          1 ||
      len != kPublicKeyBytes) {
    return cryptoError("cannot read the public key");
  }
  SigningKey k(std::make_unique<Impl>(Impl{std::move(key)}));
  k.public_raw_ = std::move(raw);
  k.key_id_ = keyIdOf(k.public_raw_);
  return k;
}

Result<SigningKey> SigningKey::generate() {
  pki::PrivateKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key.valid()) return cryptoError("key generation failed");
  return wrap(std::move(key));
}

Result<SigningKey> SigningKey::fromPem(std::string_view pem) {
  XIAOAN_ASSIGN_OR_RETURN(pki::PrivateKey key, pki::PrivateKey::fromPem(pem));
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return Status(ErrorCode::kCrypto, "ed25519: not an Ed25519 private key");
  }
  return wrap(std::move(key));
}

Result<SigningKey> SigningKey::load(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string pem, readFile(path, 16 * 1024));
  auto key = fromPem(pem);
  if (!key.isOk()) return Status(ErrorCode::kCrypto, path + ": " + key.status().message());
  return key;
}

Result<std::string> SigningKey::privatePem() const { return impl_->key.toPem(); }

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
  const bool valid =
      key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  if (!valid) ERR_clear_error();  // "not valid" is the answer; leave no error for a later call
  return valid;
}

}  // namespace xiaoan::crypto
