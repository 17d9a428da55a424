#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/crypto/pki.h"
#include "platform/result.h"
#include "xiaoan/v1/agent_api.pb.h"
#include "xiaoan/v1/config.pb.h"

namespace xiaoan::agent {

// <state_dir>/identity (0700): agent.key (0600, generated here, never leaves the machine),
// agent.pem and ca.pem from the enrollment answer, identity.pb (written last: the commit
// point of an enrollment). Damaged state is renamed aside (*.bad) and the agent enrolls
// again instead of failing on every start (RELIABILITY.md I4).
class IdentityStore {
 public:
  explicit IdentityStore(const std::string& state_dir);

  // Creates the directory with mode 0700 (and tightens it if it exists).
  Status prepare();

  // The identity when enrolled; nullopt when not (yet), including after setting bad files aside.
  Result<std::optional<v1::AgentIdentity>> loadEnrolled();

  // The key to enroll with: agent.key when usable, else a new EC P-256 key stored 0600.
  Result<pki::PrivateKey> loadOrCreateKey();

  // Stores an enrollment answer for `key`: checks that the certificate belongs to the key,
  // writes agent.pem, ca.pem, then identity.pb. Returns the stored identity.
  Result<v1::AgentIdentity> saveEnrollment(const v1::EnrollResponse& response,
                                           const pki::PrivateKey& key,
                                           const std::string& collector_url,
                                           std::chrono::system_clock::time_point now);

  // Records a terminal id the collector reported at check-in.
  Status updateTerminalId(const std::string& terminal_id);

  const std::string& dir() const { return dir_; }
  std::string keyPath() const { return dir_ + "/agent.key"; }
  std::string certPath() const { return dir_ + "/agent.pem"; }
  std::string caPath() const { return dir_ + "/ca.pem"; }
  std::string identityPath() const { return dir_ + "/identity.pb"; }

 private:
  void setAside(const std::string& path, const std::string& why);
  std::string dir_;
};

}  // namespace xiaoan::agent
