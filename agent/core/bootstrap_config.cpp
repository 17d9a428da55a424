#include "agent/core/bootstrap_config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>

#include "common/crypto/pki.h"
#include "common/proto_json.h"
#include "platform/file_util.h"

namespace xiaoan::agent {
namespace {

constexpr size_t kMaxCaBundleBytes = 1024 * 1024;
constexpr size_t kMaxTokenBytes = 1024;
constexpr size_t kMaxUnixPathBytes = 107;  // sizeof(sockaddr_un::sun_path) - 1

Status invalid(std::string_view field, const std::string& why) {
  return Status(ErrorCode::kConfigInvalid, std::string(field) + ": " + why);
}

bool validPort(std::string_view port) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && ptr == port.data() + port.size() && value >= 1 && value <= 65535;
}

struct HostPort {
  std::string_view host;  // with the brackets of an [IPv6] literal
  std::string_view port;  // empty: default
};

// "https://host[:port][/]" with a DNS name, IPv4 or [IPv6] host; nothing else (no user info,
// path, query) so that the agent's endpoints are always <url>/v1/...
Result<HostPort> splitCollectorUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme)
    return invalid("collector_url", "must start with https://");
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@ \t") != std::string_view::npos) {
    return invalid("collector_url", "must be https://host[:port] without path, query or user");
  }
  HostPort hp{rest, {}};
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return invalid("collector_url", "unterminated [IPv6]");
    hp.host = rest.substr(0, close + 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return invalid("collector_url", "bad port");
    if (!after.empty()) hp.port = after.substr(1);
  } else if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    hp.host = rest.substr(0, colon);
    hp.port = rest.substr(colon + 1);
    if (hp.port.empty()) return invalid("collector_url", "empty port");
  }
  if (hp.host.empty() || hp.host == "[]") return invalid("collector_url", "missing host");
  if (!hp.port.empty() && !validPort(hp.port))
    return invalid("collector_url", "port must be 1..65535");
  return hp;
}

Status validateCollectorUrl(std::string_view url) { return splitCollectorUrl(url).status(); }

Status validateCaBundle(const std::string& path) {
  if (path.empty()) return invalid("ca_bundle", "required (PEM file with the collector CA)");
  auto pem = readFile(path, kMaxCaBundleBytes);
  if (!pem.isOk()) return invalid("ca_bundle", pem.status().toString());
  auto cert = pki::inspectCertificate(*pem);
  if (!cert.isOk()) return invalid("ca_bundle", path + " holds no usable PEM certificate");
  return Status::ok();
}

Status validateToken(const std::string& token) {
  if (token.empty()) return Status::ok();  // needed only until enrolled
  if (token.size() > kMaxTokenBytes) return invalid("enrollment_token", "too long");
  auto bad = std::find_if(token.begin(), token.end(),
                          [](unsigned char c) { return c <= 0x20 || c >= 0x7f; });
  if (bad != token.end()) return invalid("enrollment_token", "must be printable ASCII");
  auto dot = token.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == token.size()) {
    return invalid("enrollment_token", "must look like <token_id>.<secret>");
  }
  return Status::ok();
}

Status validatePath(std::string_view field, const std::string& path, size_t max_len) {
  if (path.empty() || path.front() != '/') return invalid(field, "must be an absolute path");
  if (path.size() > max_len) return invalid(field, "path too long");
  return Status::ok();
}

}  // namespace

Result<v1::AgentBootstrapConfig> parseBootstrapConfig(std::string_view json) {
  if (json.size() > kMaxConfigBytes) {
    return Status(ErrorCode::kConfigInvalid, "config larger than 64 KiB");
  }
  v1::AgentBootstrapConfig config;
  Status st = parseStrictJson(json, &config);
  if (!st.isOk()) return Status(ErrorCode::kConfigInvalid, st.message());
  return config;
}

void applyBootstrapDefaults(v1::AgentBootstrapConfig& c) {
  if (c.state_dir().empty()) c.set_state_dir(kDefaultStateDir);
  if (c.status_socket().empty()) c.set_status_socket(kDefaultStatusSocket);
  if (c.spool_max_bytes() == 0) c.set_spool_max_bytes(kDefaultSpoolMaxBytes);
  if (c.checkin_interval_seconds() == 0) c.set_checkin_interval_seconds(kDefaultCheckinSeconds);
  if (c.max_upload_events_per_second() == 0) {
    c.set_max_upload_events_per_second(kDefaultUploadEventsPerSecond);
  }
  if (c.log_level().empty()) c.set_log_level("info");
  if (c.trust_root().empty() && !c.ca_bundle().empty()) {
    c.set_trust_root(
        (std::filesystem::path(c.ca_bundle()).parent_path() / kDefaultTrustRootName).string());
  }
  if (c.download_min_bytes_per_second() == 0) {
    c.set_download_min_bytes_per_second(kDefaultDownloadMinBytesPerSecond);
  }
  if (c.builtin_signatures_dir().empty())
    c.set_builtin_signatures_dir(kDefaultBuiltinSignaturesDir);
  // Store the URL without a trailing slash so that endpoints join cleanly.
  std::string url = c.collector_url();
  while (url.size() > 8 && url.back() == '/') url.pop_back();
  c.set_collector_url(url);
}

Status validateBootstrapConfig(const v1::AgentBootstrapConfig& c) {
  if (c.collector_url().empty()) return invalid("collector_url", "required");
  XIAOAN_RETURN_IF_ERROR(validateCollectorUrl(c.collector_url()));
  XIAOAN_RETURN_IF_ERROR(validateCaBundle(c.ca_bundle()));
  XIAOAN_RETURN_IF_ERROR(validateToken(c.enrollment_token()));
  XIAOAN_RETURN_IF_ERROR(validatePath("state_dir", c.state_dir(), 4096));
  XIAOAN_RETURN_IF_ERROR(validatePath("status_socket", c.status_socket(), kMaxUnixPathBytes));
  if (c.spool_max_bytes() < 1024 * 1024) return invalid("spool_max_bytes", "minimum is 1 MiB");
  if (c.spool_max_bytes() > (1ull << 40)) return invalid("spool_max_bytes", "maximum is 1 TiB");
  if (c.checkin_interval_seconds() < 10 || c.checkin_interval_seconds() > 86400) {
    return invalid("checkin_interval_seconds", "must be 10..86400");
  }
  if (c.max_upload_events_per_second() > 1'000'000) {
    return invalid("max_upload_events_per_second", "maximum is 1000000");
  }
  // A missing root file is not a config error: the agent runs and reports E_TRUST_ROOT_MISSING.
  if (c.trust_root().empty() || c.trust_root().size() > 4096) {
    return invalid("trust_root", "must name the pinned root metadata file");
  }
  if (c.download_min_bytes_per_second() > 100'000'000) {
    return invalid("download_min_bytes_per_second", "maximum is 100000000");
  }
  // A missing directory is not a config error either: the agent runs and reports
  // E_RULES_MISSING until a signature bundle arrives.
  XIAOAN_RETURN_IF_ERROR(validatePath("builtin_signatures_dir", c.builtin_signatures_dir(), 4096));
  static constexpr std::array kLevels = {"trace", "debug", "info", "warn", "error"};
  if (std::find(kLevels.begin(), kLevels.end(), c.log_level()) == kLevels.end()) {
    return invalid("log_level", "must be trace, debug, info, warn or error");
  }
  return Status::ok();
}

Result<v1::AgentBootstrapConfig> readBootstrapConfig(const std::string& path) {
  auto text = readFile(path, kMaxConfigBytes);
  if (!text.isOk()) {
    return Status(text.status().code(), "cannot read " + path + ": " + text.status().toString(),
                  text.status().sysErrno());
  }
  auto config = parseBootstrapConfig(*text);
  if (!config.isOk()) {
    return Status(ErrorCode::kConfigInvalid, path + ": " + config.status().message());
  }
  return config;
}

Result<v1::AgentBootstrapConfig> loadBootstrapConfig(const std::string& path) {
  auto config = readBootstrapConfig(path);
  if (!config.isOk()) {
    return Status(ErrorCode::kConfigInvalid, config.status().message(), config.status().sysErrno());
  }
  applyBootstrapDefaults(*config);
  Status st = validateBootstrapConfig(*config);
  if (!st.isOk()) return Status(ErrorCode::kConfigInvalid, path + ": " + st.message());
  return config;
}

Result<CollectorEndpoint> collectorEndpoint(std::string_view url) {
  XIAOAN_ASSIGN_OR_RETURN(HostPort hp, splitCollectorUrl(url));
  CollectorEndpoint e;
  e.host = std::string(hp.host);
  if (e.host.size() >= 2 && e.host.front() == '[') e.host = e.host.substr(1, e.host.size() - 2);
  if (!hp.port.empty()) {
    unsigned port = 0;
    std::from_chars(hp.port.data(), hp.port.data() + hp.port.size(), port);
    e.port = static_cast<uint16_t>(port);
  }
  return e;
}

}  // namespace xiaoan::agent
