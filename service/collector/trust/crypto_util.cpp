#include "service/collector/trust/crypto_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <charconv>
#include <vector>

#include "platform/file_util.h"

namespace xiaoan::collector {
namespace {

constexpr size_t kMaxBase64Input = 4096;
constexpr size_t kSaltBytes = 16;
constexpr size_t kDerivedBytes = 32;
constexpr unsigned kMaxIterations = 10'000'000;

Result<std::string> pbkdf2(std::string_view password, std::string_view salt, unsigned iterations) {
  std::string out(kDerivedBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    return Status(ErrorCode::kCrypto, "PBKDF2 failed");
  }
  return out;
}

std::vector<std::string_view> splitDollar(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find('$', start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return toHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> randomHexId(size_t bytes) {
  XIAOAN_ASSIGN_OR_RETURN(std::string raw, randomBytes(bytes));
  return toHex(raw);
}

Result<std::string> base64Decode(std::string_view text) {
  if (text.empty()) return std::string();
  if (text.size() > kMaxBase64Input || text.size() % 4 != 0) {
    return Status(ErrorCode::kInvalidArgument, "malformed base64");
  }
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return Status(ErrorCode::kInvalidArgument, "malformed base64");
  // EVP_DecodeBlock keeps the zero bytes that padding stands for; drop them.
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

Result<std::string> hexDecode(std::string_view hex) {
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return Status(ErrorCode::kInvalidArgument, "odd-length hex");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]);
    int lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return Status(ErrorCode::kInvalidArgument, "not a hex digit");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Result<std::string> hashPassword(std::string_view password, unsigned iterations) {
  XIAOAN_ASSIGN_OR_RETURN(std::string salt, randomBytes(kSaltBytes));
  XIAOAN_ASSIGN_OR_RETURN(std::string derived, pbkdf2(password, salt, iterations));
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + toHex(salt) + "$" + toHex(derived);
}

bool verifyPassword(std::string_view password, std::string_view encoded) {
  auto parts = splitDollar(encoded);
  if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
  unsigned iterations = 0;
  auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || ptr != parts[1].data() + parts[1].size() || iterations == 0 ||
      iterations > kMaxIterations) {
    return false;
  }
  auto salt = hexDecode(parts[2]);
  auto expected = hexDecode(parts[3]);
  if (!salt || !expected || expected->size() != kDerivedBytes) return false;
  auto derived = pbkdf2(password, *salt, iterations);
  return derived.isOk() && constantTimeEquals(*derived, *expected);
}

Result<std::string> randomPassword(size_t length) {
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  while (out.size() < length) {
    XIAOAN_ASSIGN_OR_RETURN(std::string raw, randomBytes(64));
    for (unsigned char c : raw) {
      // Rejection sampling keeps the distribution uniform over the alphabet.
      if (c >= 256 / kAlphabet.size() * kAlphabet.size()) continue;
      out.push_back(kAlphabet[c % kAlphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

}  // namespace xiaoan::collector
