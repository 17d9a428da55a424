#include "agent/core/identity_store.h"

#include <cstdio>

#include "common/proto_time.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent {
namespace {

constexpr size_t kMaxPemBytes = 64 * 1024;
constexpr size_t kMaxIdentityBytes = 16 * 1024;

}  // namespace

IdentityStore::IdentityStore(const std::string& state_dir) : dir_(state_dir + "/identity") {}

Status IdentityStore::prepare() {
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir_, 0700));
  // makeDirs leaves an existing directory as it is: the private key needs it 0700.
  return setPathMode(dir_, 0700);
}

void IdentityStore::setAside(const std::string& path, const std::string& why) {
  const std::string bad = path + ".bad";
  componentLogger(LogComponent::kAgentIdentity)->warn("{}: {}; moved to {}", path, why, bad);
  std::rename(path.c_str(), bad.c_str());
}

Result<std::optional<v1::AgentIdentity>> IdentityStore::loadEnrolled() {
  auto bytes = readFile(identityPath(), kMaxIdentityBytes);
  if (!bytes.isOk()) {
    if (bytes.status().code() == ErrorCode::kNotFound) return std::optional<v1::AgentIdentity>();
    if (bytes.status().code() != ErrorCode::kTooLarge) return bytes.status();
    setAside(identityPath(), "too large");
    return std::optional<v1::AgentIdentity>();
  }
  v1::AgentIdentity identity;
  if (!identity.ParseFromString(*bytes) || identity.agent_id().empty()) {
    setAside(identityPath(), "does not parse");
    return std::optional<v1::AgentIdentity>();
  }
  auto key_pem = readFile(keyPath(), kMaxPemBytes);
  auto cert_pem = readFile(certPath(), kMaxPemBytes);
  std::optional<pki::PrivateKey> key;
  if (key_pem.isOk()) {
    if (auto k = pki::PrivateKey::fromPem(*key_pem); k.isOk()) key = std::move(k).value();
  }
  if (!key || !cert_pem.isOk()) {
    setAside(identityPath(), "key or certificate missing or unreadable");
    return std::optional<v1::AgentIdentity>();
  }
  auto matches = pki::certificateMatchesKey(*cert_pem, *key);
  if (!matches.isOk() || !*matches) {
    setAside(certPath(), "certificate does not match agent.key");
    setAside(identityPath(), "certificate does not match agent.key");
    return std::optional<v1::AgentIdentity>();
  }
  return std::optional<v1::AgentIdentity>(std::move(identity));
}

Result<pki::PrivateKey> IdentityStore::loadOrCreateKey() {
  auto pem = readFile(keyPath(), kMaxPemBytes);
  if (pem.isOk()) {
    auto key = pki::PrivateKey::fromPem(*pem);
    if (key.isOk()) return key;
    setAside(keyPath(), "unusable key: " + key.status().toString());
  } else if (pem.status().code() != ErrorCode::kNotFound) {
    setAside(keyPath(), pem.status().toString());
  }
  XIAOAN_ASSIGN_OR_RETURN(pki::PrivateKey key, pki::PrivateKey::generateEcP256());
  XIAOAN_ASSIGN_OR_RETURN(std::string key_pem, key.toPem());
  XIAOAN_RETURN_IF_ERROR(atomicWriteFile(keyPath(), key_pem, 0600));
  componentLogger(LogComponent::kAgentIdentity)
      ->info("generated a new EC P-256 key in {}", keyPath());
  return key;
}

Result<v1::AgentIdentity> IdentityStore::saveEnrollment(const v1::EnrollResponse& response,
                                                        const pki::PrivateKey& key,
                                                        const std::string& collector_url,
                                                        std::chrono::system_clock::time_point now) {
  auto matches = pki::certificateMatchesKey(response.certificate_pem(), key);
  if (!matches.isOk() || !*matches) {
    return Status(ErrorCode::kProtocol, "enrollment answer holds a certificate for another key");
  }
  auto info = pki::inspectCertificate(response.certificate_pem());
  if (!info.isOk()) return Status(ErrorCode::kProtocol, "enrollment certificate does not parse");
  v1::AgentIdentity identity;
  // The certificate is the truth about who we are (DESIGN.md §3).
  identity.set_agent_id(info->subject_cn);
  if (identity.agent_id() != response.agent_id()) {
    componentLogger(LogComponent::kAgentIdentity)
        ->warn("enroll answer says agent id {} but the certificate says {}", response.agent_id(),
               info->subject_cn);
  }
  identity.set_terminal_id(response.terminal_id());
  identity.set_school_id(response.school_id());
  identity.set_collector_url(collector_url);
  *identity.mutable_enrolled_at() = toTimestamp(now);
  XIAOAN_RETURN_IF_ERROR(atomicWriteFile(certPath(), response.certificate_pem(), 0644));
  if (!response.ca_bundle_pem().empty()) {
    XIAOAN_RETURN_IF_ERROR(atomicWriteFile(caPath(), response.ca_bundle_pem(), 0644));
  }
  XIAOAN_RETURN_IF_ERROR(atomicWriteFile(identityPath(), identity.SerializeAsString(), 0600));
  return identity;
}

Status IdentityStore::updateTerminalId(const std::string& terminal_id) {
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, readFile(identityPath(), kMaxIdentityBytes));
  v1::AgentIdentity identity;
  if (!identity.ParseFromString(bytes)) {
    return Status(ErrorCode::kProtocol, identityPath() + " does not parse");
  }
  if (identity.terminal_id() == terminal_id) return Status::ok();
  identity.set_terminal_id(terminal_id);
  return atomicWriteFile(identityPath(), identity.SerializeAsString(), 0600);
}

}  // namespace xiaoan::agent
