#include "agent/scan/quarantine_cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <string_view>
#include <vector>

namespace xiaoan::agent::scan {
namespace {

constexpr char kMagic[4] = {'X', 'A', 'Q', '1'};
constexpr size_t kIvBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = sizeof kMagic + kIvBytes;
constexpr size_t kChunk = 1 << 20;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

Status cryptoError(const std::string& what) { return Status(ErrorCode::kCrypto, what + " failed"); }

Status writeBytes(File& out, const unsigned char* p, size_t n) {
  return out.writeAll(std::string_view(reinterpret_cast<const char*>(p), n));
}

// Reads a file front to back by offset (the caller's File stays const, its position unused).
class SequentialReader {
 public:
  explicit SequentialReader(const File& file) : file_(file) {}
  // Up to n bytes; fewer only at the end of the file.
  Result<size_t> read(unsigned char* p, size_t n) {
    XIAOAN_ASSIGN_OR_RETURN(size_t got, file_.readAt(p, n, offset_));
    offset_ += got;
    return got;
  }

 private:
  const File& file_;
  uint64_t offset_ = 0;
};

// One GCM context plus the plaintext digest, for either direction.
class GcmStream {
 public:
  static Result<GcmStream> start(bool encrypt, std::string_view key, const unsigned char* iv,
                                 std::string_view aad) {
    GcmStream s(encrypt);
    if (!s.ctx_ || !s.md_ || key.size() != kQuarantineKeyBytes) return cryptoError("cipher setup");
    const auto* k = reinterpret_cast<const unsigned char*>(key.data());
    const int ok = encrypt ? EVP_EncryptInit_ex(s.ctx_.get(), EVP_aes_256_gcm(), nullptr, k, iv)
                           : EVP_DecryptInit_ex(s.ctx_.get(), EVP_aes_256_gcm(), nullptr, k, iv);
    if (ok != 1 || EVP_DigestInit_ex(s.md_.get(), EVP_sha256(), nullptr) != 1) {
      return cryptoError("cipher init");
    }
    int n = 0;
    if (!s.update(reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr, &n)) {
      return cryptoError("cipher aad");
    }
    return s;
  }

  // in -> out (out has room for n bytes); digests the plaintext side.
  bool update(const unsigned char* in, size_t n, unsigned char* out, int* out_n) {
    const int len = static_cast<int>(n);
    const bool ok = encrypt_ ? EVP_EncryptUpdate(ctx_.get(), out, out_n, in, len) == 1
                             : EVP_DecryptUpdate(ctx_.get(), out, out_n, in, len) == 1;
    if (!ok || out == nullptr) return ok;
    const unsigned char* plain = encrypt_ ? in : out;
    const size_t plain_n = encrypt_ ? n : static_cast<size_t>(*out_n);
    digest_.bytes += plain_n;
    return EVP_DigestUpdate(md_.get(), plain, plain_n) == 1;
  }

  EVP_CIPHER_CTX* ctx() { return ctx_.get(); }

  Result<StreamDigest> digest() {
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(md_.get(), h, &n) != 1) return cryptoError("sha256");
    digest_.sha256.assign(reinterpret_cast<const char*>(h), n);
    return digest_;
  }

 private:
  explicit GcmStream(bool encrypt)
      : encrypt_(encrypt), ctx_(EVP_CIPHER_CTX_new()), md_(EVP_MD_CTX_new()) {}
  bool encrypt_;
  CipherCtx ctx_;
  MdCtx md_;
  StreamDigest digest_;
};

}  // namespace

Result<StreamDigest> encryptStream(const File& in_file, File& out_file, std::string_view key,
                                   std::string_view aad) {
  unsigned char header[kHeaderBytes];
  std::copy(std::begin(kMagic), std::end(kMagic), header);
  if (RAND_bytes(header + sizeof kMagic, kIvBytes) != 1) return cryptoError("random IV");
  XIAOAN_ASSIGN_OR_RETURN(GcmStream gcm, GcmStream::start(true, key, header + sizeof kMagic, aad));
  SequentialReader reader(in_file);
  XIAOAN_RETURN_IF_ERROR(writeBytes(out_file, header, sizeof header));
  std::vector<unsigned char> in(kChunk), out(kChunk + 16);
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(size_t n, reader.read(in.data(), in.size()));
    if (n == 0) break;
    int out_n = 0;
    if (!gcm.update(in.data(), n, out.data(), &out_n)) return cryptoError("encrypt");
    XIAOAN_RETURN_IF_ERROR(writeBytes(out_file, out.data(), static_cast<size_t>(out_n)));
  }
  int out_n = 0;
  unsigned char tag[kTagBytes];
  if (EVP_EncryptFinal_ex(gcm.ctx(), out.data(), &out_n) != 1 ||
      EVP_CIPHER_CTX_ctrl(gcm.ctx(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) != 1) {
    return cryptoError("encrypt final");
  }
  XIAOAN_RETURN_IF_ERROR(writeBytes(out_file, out.data(), static_cast<size_t>(out_n)));
  XIAOAN_RETURN_IF_ERROR(writeBytes(out_file, tag, sizeof tag));
  return gcm.digest();
}

Result<StreamDigest> decryptStream(const File& in_file, File& out_file, std::string_view key,
                                   std::string_view aad) {
  const Status not_authentic(ErrorCode::kQuarantine, "quarantine file is damaged or tampered with");
  XIAOAN_ASSIGN_OR_RETURN(FileStat st, in_file.stat());
  if (st.size < kHeaderBytes + kTagBytes) return not_authentic;
  uint64_t left = st.size - kHeaderBytes - kTagBytes;
  SequentialReader reader(in_file);
  unsigned char header[kHeaderBytes];
  XIAOAN_ASSIGN_OR_RETURN(size_t got, reader.read(header, sizeof header));
  if (got != sizeof header || !std::equal(std::begin(kMagic), std::end(kMagic), header)) {
    return not_authentic;
  }
  XIAOAN_ASSIGN_OR_RETURN(GcmStream gcm, GcmStream::start(false, key, header + sizeof kMagic, aad));
  std::vector<unsigned char> in(kChunk), out(kChunk + 16);
  while (left > 0) {
    const size_t want = left < in.size() ? static_cast<size_t>(left) : in.size();
    XIAOAN_ASSIGN_OR_RETURN(size_t n, reader.read(in.data(), want));
    if (n != want) return not_authentic;  // shrank while reading
    int out_n = 0;
    if (!gcm.update(in.data(), n, out.data(), &out_n)) return cryptoError("decrypt");
    XIAOAN_RETURN_IF_ERROR(writeBytes(out_file, out.data(), static_cast<size_t>(out_n)));
    left -= n;
  }
  unsigned char tag[kTagBytes];
  XIAOAN_ASSIGN_OR_RETURN(got, reader.read(tag, sizeof tag));
  int out_n = 0;
  if (got != sizeof tag ||
      EVP_CIPHER_CTX_ctrl(gcm.ctx(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(gcm.ctx(), out.data(), &out_n) != 1) {
    return not_authentic;
  }
  return gcm.digest();
}

}  // namespace xiaoan::agent::scan
