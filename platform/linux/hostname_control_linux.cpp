#include <unistd.h>

#include <cerrno>
#include <climits>
#include <sstream>

#include "platform/file_util.h"
#include "platform/hostname_control.h"

namespace xiaoan {
namespace {

constexpr size_t kMaxNameFileBytes = 64 * 1024;
constexpr size_t kMaxPrettyBytes = 255;
constexpr std::string_view kPrettyKey = "PRETTY_HOSTNAME=";

bool validName(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool validPretty(const std::string& s) {
  if (s.size() > kMaxPrettyBytes) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string firstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// machine-info values are shell-style: optionally double- or single-quoted, backslash escapes.
std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    v = v.substr(1, v.size() - 2);
  }
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out.push_back(v[i]);
  }
  return out;
}

std::string quote(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\' || c == '$' || c == '`') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string prettyFrom(const std::string& machine_info) {
  std::istringstream in(machine_info);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(kPrettyKey, 0) == 0) return unquote(firstLine(line.substr(kPrettyKey.size())));
  }
  return {};
}

// machine_info with PRETTY_HOSTNAME replaced (or removed when pretty is empty), other lines kept.
std::string withPretty(const std::string& machine_info, const std::string& pretty) {
  std::istringstream in(machine_info);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind(kPrettyKey, 0) == 0) continue;
    out += line + "\n";
  }
  if (!pretty.empty()) out += std::string(kPrettyKey) + quote(pretty) + "\n";
  return out;
}

Result<std::string> readOptional(const std::string& path) {
  auto r = readFile(path, kMaxNameFileBytes);
  if (!r && r.status().code() == ErrorCode::kNotFound) return std::string();
  return r;
}

class LinuxHostnameControl final : public HostnameControl {
 public:
  explicit LinuxHostnameControl(HostnameControlOptions options) : options_(std::move(options)) {}

  Result<HostNames> read() const override {
    HostNames names;
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return errnoStatus(ErrorCode::kIo, "gethostname");
    names.running = buf;
    auto static_file = readOptional(path("hostname"));
    if (!static_file) return static_file.status();
    names.static_name = firstLine(*static_file);
    auto info = readOptional(path("machine-info"));
    if (!info) return info.status();
    names.pretty = prettyFrom(*info);
    return names;
  }

  Result<RenameOutcome> rename(const std::string& name, const std::string& pretty) override {
    if (!validName(name)) {
      return Status(ErrorCode::kInvalidArgument,
                    "hostname must be 1..63 ASCII letters, digits or '-': " + name);
    }
    if (!validPretty(pretty)) {
      return Status(ErrorCode::kInvalidArgument, "pretty hostname too long or has control bytes");
    }
    if (::sethostname(name.data(), name.size()) != 0) {
      return errnoStatus(errno == EPERM ? ErrorCode::kPermissionDenied : ErrorCode::kIo,
                         "sethostname");
    }
    if (Status s = atomicWriteFile(path("hostname"), name + "\n", 0644); !s) return s;
    auto info = readOptional(path("machine-info"));
    if (!info) return info.status();
    std::string updated = withPretty(*info, pretty);
    if (updated != *info) {
      if (Status s = atomicWriteFile(path("machine-info"), updated, 0644); !s) return s;
    }
    return RenameOutcome{};
  }

 private:
  std::string path(const char* file) const { return options_.config_dir + "/" + file; }

  HostnameControlOptions options_;
};

}  // namespace

std::unique_ptr<HostnameControl> makeHostnameControl(const HostnameControlOptions& options) {
  return std::make_unique<LinuxHostnameControl>(options);
}

}  // namespace xiaoan
