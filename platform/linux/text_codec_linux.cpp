#include <iconv.h>

#include <cerrno>

#include "platform/text_codec.h"

namespace xiaoan {
namespace {

// One iconv conversion descriptor, closed on destruction.
class IconvHandle {
 public:
  IconvHandle(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~IconvHandle() {
    if (ok()) iconv_close(cd_);
  }
  IconvHandle(const IconvHandle&) = delete;
  IconvHandle& operator=(const IconvHandle&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// Converts all of `in`; `offset` receives the input offset of an invalid or unconvertible
// sequence. Output grows in steps; 4 bytes of output per input byte always suffice between
// UTF-8 and GBK/GB18030, so the loop ends.
Result<std::string> convert(const char* to, const char* from, std::string_view in) {
  if (in.size() > kMaxTextCodecBytes) {
    return Status(ErrorCode::kTooLarge, "text larger than " + std::to_string(kMaxTextCodecBytes) +
                                            " bytes cannot be converted");
  }
  IconvHandle cd(to, from);
  if (!cd.ok()) {
    return Status(ErrorCode::kUnsupported,
                  std::string("iconv cannot convert ") + from + " to " + to);
  }
  std::string out(in.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(in.data());  // iconv's signature; it does not write
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  while (src_left > 0) {
    if (iconv(cd.get(), &src, &src_left, &dst, &dst_left) != static_cast<size_t>(-1)) continue;
    int err = errno;
    size_t offset = in.size() - src_left;
    if (err == EILSEQ || err == EINVAL) {
      return Status(ErrorCode::kInvalidArgument,
                    std::string(err == EILSEQ ? "invalid or unconvertible" : "incomplete") +
                        " sequence at byte " + std::to_string(offset));
    }
    return Status(ErrorCode::kInternal, "iconv output buffer too small");
  }
  out.resize(out.size() - dst_left);
  return out;
}

const char* iconvName(Charset charset) { return charset == Charset::kGbk ? "GBK" : "GB18030"; }

class IconvTextCodec final : public TextCodec {
 public:
  Result<std::string> toUtf8(std::string_view bytes, Charset from) const override {
    return convert("UTF-8", iconvName(from), bytes);
  }
  Result<std::string> fromUtf8(std::string_view utf8, Charset to) const override {
    return convert(iconvName(to), "UTF-8", utf8);
  }
};

}  // namespace

std::unique_ptr<TextCodec> makeTextCodec() { return std::make_unique<IconvTextCodec>(); }

std::string_view charsetName(Charset charset) {
  return charset == Charset::kGbk ? "GBK" : "GB18030";
}

}  // namespace xiaoan
