#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/pki.h"
#include "platform/result.h"

namespace xiaoan::collector {

// The collector's enrollment CA and TLS server identity, kept in the data dir:
// D/ca.pem, D/ca.key (0600), D/server.pem, D/server.key (0600).
class PkiStore {
 public:
  struct CreateOptions {
    std::vector<std::string> dns_names;     // server certificate SANs; first is the CN
    std::vector<std::string> ip_addresses;  // server certificate IP SANs
  };
  struct IssuedCert {
    std::string pem;
    std::string serial_hex;
  };

  // Creates the four files; E_INVALID_ARGUMENT when any of them exists already.
  static Status create(const std::string& data_dir, const CreateOptions& options);
  // Loads the CA (cert + key, checked to match) and the server cert paths.
  static Result<std::unique_ptr<PkiStore>> load(const std::string& data_dir);

  const std::string& caCertPem() const { return ca_cert_pem_; }
  std::string caCertPath() const { return dir_ + "/ca.pem"; }
  std::string serverCertPath() const { return dir_ + "/server.pem"; }
  std::string serverKeyPath() const { return dir_ + "/server.key"; }

  // A client certificate (CN = agent id, clientAuth, 1 year) for a verified CSR's key.
  Result<IssuedCert> issueAgentCertificate(std::string_view public_key_der,
                                           const std::string& agent_id) const;

 private:
  PkiStore(std::string dir, std::string ca_cert_pem, pki::PrivateKey ca_key)
      : dir_(std::move(dir)), ca_cert_pem_(std::move(ca_cert_pem)), ca_key_(std::move(ca_key)) {}

  std::string dir_;
  std::string ca_cert_pem_;
  pki::PrivateKey ca_key_;
};

}  // namespace xiaoan::collector
