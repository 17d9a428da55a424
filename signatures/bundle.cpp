#include "signatures/bundle.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <set>

#include "platform/file_util.h"

namespace xiaoan::sig {
namespace {

namespace fs = std::filesystem;

// The publisher's free text is shown in lists; it has no business being large.
constexpr size_t kMaxDescriptionBytes = 4096;
// How much of a bad name goes into an error message.
constexpr size_t kMaxQuotedName = 120;

// Length of the well-formed UTF-8 sequence at s[i], 0 when there is none. Follows the Unicode
// standard's table of well-formed byte sequences (3-7): the lead byte fixes the length and the
// range of the first continuation byte, which rules out overlong forms, surrogates and code
// points past U+10FFFF with one comparison.
size_t utf8SequenceAt(std::string_view s, size_t i) {
  const auto b = static_cast<uint8_t>(s[i]);
  if (b < 0x80) return 1;
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto c = static_cast<uint8_t>(s[i + k]);
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return 0;
  }
  return len;
}

bool wellFormedUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t len = utf8SequenceAt(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void appendHexByte(std::string& out, uint8_t c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// `s` with every byte that is not part of well-formed UTF-8 written as \xNN: diagnostics quote
// rule text, which need not be UTF-8, and go into protobuf strings, which must be.
std::string validUtf8(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t len = utf8SequenceAt(s, i);
    if (len == 0) {
      appendHexByte(out, static_cast<uint8_t>(s[i++]));
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

// A name as it may be printed: quoted, control and non-ASCII bytes as \xNN, cut when long.
std::string printableName(std::string_view name) {
  std::string out = "\"";
  for (char ch : name.substr(0, kMaxQuotedName)) {
    const auto c = static_cast<uint8_t>(ch);
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
      appendHexByte(out, c);
    } else {
      out += ch;
    }
  }
  if (name.size() > kMaxQuotedName) out += "...";
  return out + "\"";
}

Status invalid(std::string_view name, const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, "rule file " + printableName(name) + ": " + why);
}

bool hasRuleExtension(std::string_view name) {
  return name.ends_with(".yar") || name.ends_with(".yara");
}

// One '/'-separated segment of a file name.
Status checkSegment(std::string_view name, std::string_view segment) {
  if (segment.empty()) return invalid(name, "empty path segment (leading, trailing or double '/')");
  if (segment == "." || segment == "..") return invalid(name, "'.' and '..' are not allowed");
  return Status::ok();
}

Status checkName(std::string_view name) {
  if (name.empty()) return invalid(name, "empty name");
  if (name.size() > kMaxRuleFileName) {
    return invalid(name, "name longer than " + std::to_string(kMaxRuleFileName) + " bytes");
  }
  if (!wellFormedUtf8(name)) return invalid(name, "name is not valid UTF-8");
  for (char ch : name) {
    const auto c = static_cast<uint8_t>(ch);
    if (c == '\\') return invalid(name, "backslash in name (use '/')");
    if (c < 0x20 || c == 0x7F) return invalid(name, "control character or NUL in name");
  }
  size_t start = 0;
  for (size_t slash = name.find('/');; slash = name.find('/', start)) {
    XIAOAN_RETURN_IF_ERROR(checkSegment(name, name.substr(start, slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!hasRuleExtension(name)) return invalid(name, "not a .yar or .yara file");
  const std::string_view base = name.substr(name.rfind('/') + 1);
  if (base == ".yar" || base == ".yara") return invalid(name, "no name before the extension");
  return Status::ok();
}

Status checkContent(const v1::RuleFile& file) {
  if (file.content().size() > kMaxRuleFileBytes) {
    return Status(ErrorCode::kTooLarge, "rule file " + printableName(file.name()) +
                                            " is larger than " + std::to_string(kMaxRuleFileBytes) +
                                            " bytes");
  }
  // libyara compiles NUL-terminated text: whatever follows a NUL would be dropped silently.
  if (std::memchr(file.content().data(), '\0', file.content().size()) != nullptr) {
    return invalid(file.name(), "contains a NUL byte");
  }
  return Status::ok();
}

Status checkBundleFields(const v1::SignatureBundle& bundle) {
  if (bundle.files_size() == 0) {
    return Status(ErrorCode::kInvalidArgument, "the signature bundle holds no rule files");
  }
  if (static_cast<uint64_t>(bundle.files_size()) > kMaxBundleFiles) {
    return Status(ErrorCode::kTooLarge, "the signature bundle holds " +
                                            std::to_string(bundle.files_size()) +
                                            " files, more than " + std::to_string(kMaxBundleFiles));
  }
  if (bundle.description().size() > kMaxDescriptionBytes || !wellFormedUtf8(bundle.description())) {
    return Status(ErrorCode::kInvalidArgument,
                  "the bundle description must be valid UTF-8 of at most " +
                      std::to_string(kMaxDescriptionBytes) + " bytes");
  }
  return Status::ok();
}

}  // namespace

Status checkBundleShape(const v1::SignatureBundle& bundle) {
  XIAOAN_RETURN_IF_ERROR(checkBundleFields(bundle));
  std::set<std::string_view> seen;
  uint64_t total = 0;
  for (const auto& file : bundle.files()) {
    XIAOAN_RETURN_IF_ERROR(checkName(file.name()));
    if (!seen.insert(file.name()).second) return invalid(file.name(), "appears twice");
    XIAOAN_RETURN_IF_ERROR(checkContent(file));
    total += file.content().size();
  }
  // Whatever is published must also load on the agent, which caps the serialized form.
  if (total > kMaxBundleBytes || bundle.ByteSizeLong() > kMaxBundleBytes) {
    return Status(ErrorCode::kTooLarge, "the signature bundle is larger than " +
                                            std::to_string(kMaxBundleBytes) + " bytes");
  }
  return Status::ok();
}

Result<v1::SignatureBundle> parseBundle(std::string_view bytes) {
  // The cap comes first: a parse would hold a copy of everything the input claims to carry.
  if (bytes.size() > kMaxBundleBytes) {
    return Status(ErrorCode::kTooLarge, "signature bundle of " + std::to_string(bytes.size()) +
                                            " bytes, more than " + std::to_string(kMaxBundleBytes));
  }
  v1::SignatureBundle bundle;
  if (!bundle.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status(ErrorCode::kInvalidArgument, "not a signature bundle (does not parse)");
  }
  XIAOAN_RETURN_IF_ERROR(checkBundleShape(bundle));
  return bundle;
}

namespace {

// The rule files found under a directory, bundle name -> path, sorted by name.
using FileList = std::vector<std::pair<std::string, std::string>>;

Status ioError(const std::string& what, const std::error_code& ec) {
  return Status(ErrorCode::kIo, what + ": " + ec.message(), ec.value());
}

bool hiddenEntry(const fs::path& p) { return p.filename().string().starts_with("."); }

// Decides what one directory entry contributes. Symlinks are refused wherever they are, so
// a published bundle holds exactly the files an admin sees, never something they point at.
Status visitEntry(const fs::directory_entry& entry, const fs::path& root, FileList& out) {
  const std::string rel = entry.path().lexically_relative(root).generic_string();
  std::error_code ec;
  const fs::file_status st = entry.symlink_status(ec);
  if (ec) return ioError("stat " + entry.path().string(), ec);
  if (fs::is_symlink(st)) {
    return invalid(rel, "is a symbolic link; copy the file into the directory instead");
  }
  if (fs::is_directory(st)) return Status::ok();
  std::string lower = rel;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!hasRuleExtension(lower)) return Status::ok();  // README.md, samples, etc.
  if (!hasRuleExtension(rel)) return invalid(rel, "use a lower-case .yar or .yara extension");
  if (!fs::is_regular_file(st)) return invalid(rel, "is not a regular file");
  if (out.size() >= kMaxBundleFiles) {
    return Status(ErrorCode::kTooLarge, "more than " + std::to_string(kMaxBundleFiles) +
                                            " rule files under " + root.string());
  }
  out.emplace_back(rel, entry.path().string());
  return Status::ok();
}

Result<FileList> listRuleFiles(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    if (!fs::exists(root, ec)) return Status(ErrorCode::kNotFound, root.string() + " not found");
    return Status(ErrorCode::kInvalidArgument, root.string() + " is not a directory");
  }
  FileList files;
  fs::recursive_directory_iterator it(root, ec), end;
  if (ec) return ioError("open " + root.string(), ec);
  for (; it != end; it.increment(ec)) {
    if (hiddenEntry(it->path())) {  // .git, editor swap files
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    XIAOAN_RETURN_IF_ERROR(visitEntry(*it, root, files));
  }
  if (ec) return ioError("read directory under " + root.string(), ec);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Result<v1::SignatureBundle> bundleFromDirectory(const std::string& dir) {
  XIAOAN_ASSIGN_OR_RETURN(FileList files, listRuleFiles(dir));
  v1::SignatureBundle bundle;
  uint64_t total = 0;
  for (const auto& [name, path] : files) {
    // Caps while reading: neither one file nor all of them is read past its limit.
    const uint64_t room = std::min<uint64_t>(kMaxRuleFileBytes, kMaxBundleBytes - total);
    auto text = readFile(path, room);
    if (!text.isOk() && text.status().code() == ErrorCode::kTooLarge) {
      return Status(ErrorCode::kTooLarge,
                    "rule file " + printableName(name) + " is larger than " + std::to_string(room) +
                        " bytes (" + std::to_string(kMaxRuleFileBytes) + " a file, " +
                        std::to_string(kMaxBundleBytes) + " the whole bundle)");
    }
    if (!text.isOk()) return text.status();
    total += text->size();
    auto* file = bundle.add_files();
    file->set_name(name);
    file->set_content(std::move(*text));
  }
  XIAOAN_RETURN_IF_ERROR(checkBundleShape(bundle));
  return bundle;
}

std::vector<RuleSource> sourcesOf(const v1::SignatureBundle& bundle) {
  std::vector<RuleSource> out;
  out.reserve(static_cast<size_t>(bundle.files_size()));
  for (const auto& file : bundle.files()) out.push_back({file.name(), file.content()});
  return out;
}

v1::RuleDiagnostic toProto(const CompileDiagnostic& d) {
  v1::RuleDiagnostic out;
  out.set_file(validUtf8(d.file));
  out.set_line(d.line);
  out.set_message(validUtf8(d.message));
  out.set_warning(d.warning);
  return out;
}

}  // namespace xiaoan::sig
