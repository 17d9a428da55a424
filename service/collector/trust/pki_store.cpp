#include "service/collector/trust/pki_store.h"

#include <chrono>

#include "platform/file.h"
#include "platform/file_util.h"

namespace xiaoan::collector {
namespace {

using std::chrono::hours;
constexpr hours kCaValidity{24 * 365 * 20};
constexpr hours kServerValidity{24 * 365 * 5};
constexpr hours kAgentValidity{24 * 365};
constexpr size_t kMaxPemBytes = size_t{64} * 1024;

bool exists(const std::string& path) { return statPath(path, /*follow=*/true).isOk(); }

Status writeKey(const std::string& path, const pki::PrivateKey& key) {
  XIAOAN_ASSIGN_OR_RETURN(std::string pem, key.toPem());
  return atomicWriteFile(path, pem, 0600);
}

Result<std::string> makeServerCert(const std::string& ca_pem, const pki::PrivateKey& ca_key,
                                   const pki::PrivateKey& server_key,
                                   const PkiStore::CreateOptions& options) {
  pki::IssueOptions opts;
  opts.common_name = options.dns_names.empty() ? "xiaoan-collector" : options.dns_names.front();
  opts.dns_names = options.dns_names;
  opts.ip_addresses = options.ip_addresses;
  opts.validity = kServerValidity;
  opts.server_auth = true;
  XIAOAN_ASSIGN_OR_RETURN(std::string spki, server_key.publicKeyDer());
  return pki::issueCertificate(ca_pem, ca_key, spki, opts);
}

}  // namespace

Status PkiStore::create(const std::string& data_dir, const CreateOptions& options) {
  for (const char* name : {"ca.pem", "ca.key", "server.pem", "server.key"}) {
    if (exists(data_dir + "/" + name)) {
      return Status(ErrorCode::kInvalidArgument,
                    data_dir + "/" + name + " already exists; refusing to overwrite");
    }
  }
  XIAOAN_ASSIGN_OR_RETURN(auto ca_key, pki::PrivateKey::generateEcP256());
  XIAOAN_ASSIGN_OR_RETURN(std::string ca_pem,
                          pki::makeSelfSignedCa(ca_key, "xiaoan collector CA", kCaValidity));
  XIAOAN_ASSIGN_OR_RETURN(auto server_key, pki::PrivateKey::generateEcP256());
  XIAOAN_ASSIGN_OR_RETURN(std::string server_pem,
                          makeServerCert(ca_pem, ca_key, server_key, options));
  // Keys first: a crash in between leaves no certificate without its key.
  XIAOAN_RETURN_IF_ERROR(writeKey(data_dir + "/ca.key", ca_key));
  XIAOAN_RETURN_IF_ERROR(writeKey(data_dir + "/server.key", server_key));
  XIAOAN_RETURN_IF_ERROR(atomicWriteFile(data_dir + "/ca.pem", ca_pem, 0644));
  return atomicWriteFile(data_dir + "/server.pem", server_pem, 0644);
}

Result<std::unique_ptr<PkiStore>> PkiStore::load(const std::string& data_dir) {
  XIAOAN_ASSIGN_OR_RETURN(std::string ca_pem, readFile(data_dir + "/ca.pem", kMaxPemBytes));
  XIAOAN_ASSIGN_OR_RETURN(std::string key_pem, readFile(data_dir + "/ca.key", kMaxPemBytes));
  XIAOAN_ASSIGN_OR_RETURN(auto ca_key, pki::PrivateKey::fromPem(key_pem));
  XIAOAN_ASSIGN_OR_RETURN(bool matches, pki::certificateMatchesKey(ca_pem, ca_key));
  if (!matches) {
    return Status(ErrorCode::kCrypto, data_dir + "/ca.key does not match " + data_dir + "/ca.pem");
  }
  for (const char* name : {"server.pem", "server.key"}) {
    if (!exists(data_dir + "/" + name)) {
      return Status(ErrorCode::kNotFound, data_dir + "/" + name + " is missing");
    }
  }
  return std::unique_ptr<PkiStore>(new PkiStore(data_dir, std::move(ca_pem), std::move(ca_key)));
}

Result<PkiStore::IssuedCert> PkiStore::issueAgentCertificate(std::string_view public_key_der,
                                                             const std::string& agent_id) const {
  pki::IssueOptions opts;
  opts.common_name = agent_id;
  opts.validity = kAgentValidity;
  opts.client_auth = true;
  IssuedCert out;
  XIAOAN_ASSIGN_OR_RETURN(out.pem,
                          pki::issueCertificate(ca_cert_pem_, ca_key_, public_key_der, opts));
  XIAOAN_ASSIGN_OR_RETURN(auto info, pki::inspectCertificate(out.pem));
  out.serial_hex = info.serial_hex;
  return out;
}

}  // namespace xiaoan::collector
