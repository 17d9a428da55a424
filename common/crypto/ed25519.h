#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace xiaoan::pki {
class PrivateKey;
}  // namespace xiaoan::pki

namespace xiaoan::crypto {

// SHA-256 of `data` as 32 raw bytes.
std::string sha256(std::string_view data);

// An Ed25519 private key (OpenSSL EVP_PKEY, freed on destruction). Move-only.
class SigningKey {
 public:
  static Result<SigningKey> generate();
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"); E_CRYPTO when it is not an Ed25519 key,
  // E_TOO_LARGE over 16 KiB.
  static Result<SigningKey> fromPem(std::string_view pem);
  // Reads a PEM file of at most 16 KiB.
  static Result<SigningKey> load(const std::string& path);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  Result<std::string> privatePem() const;
  // Raw 32-byte public key.
  const std::string& publicRaw() const { return public_raw_; }
  // Lower-case hex SHA-256 of publicRaw(): how metadata names the key.
  const std::string& keyId() const { return key_id_; }
  // 64-byte signature over `message`.
  Result<std::string> sign(std::string_view message) const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  static Result<SigningKey> wrap(pki::PrivateKey key);
  std::unique_ptr<Impl> impl_;
  std::string public_raw_;
  std::string key_id_;
};

// Lower-case hex SHA-256 of a raw public key.
std::string keyIdOf(std::string_view public_raw);

// True when `signature` is a valid Ed25519 signature of `message` by `public_raw` (32 bytes).
// Any malformed input is simply "not valid".
bool ed25519Verify(std::string_view public_raw, std::string_view message,
                   std::string_view signature);

}  // namespace xiaoan::crypto
