#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "platform/result.h"

typedef struct ssl_st SSL;  // NOLINT

namespace xiaoan::collector {

struct TlsServerFiles {
  std::string cert_chain_pem_file;
  std::string private_key_pem_file;
  // When set, clients are asked for a certificate that must verify against this CA. A
  // certificate that does not verify fails the handshake; no certificate is allowed (enroll).
  std::string client_ca_pem_file;
};

// TLS >= 1.2 server context with the collector's certificate; AEAD cipher suites only (TLS 1.2:
// ECDHE with AES-GCM or ChaCha20-Poly1305; TLS 1.3: its standard suites). Used by both listeners.
Result<std::unique_ptr<boost::asio::ssl::context>> makeServerTlsContext(
    const TlsServerFiles& files);

// Subject CN of the peer certificate when one was presented and verified; nullopt otherwise.
std::optional<std::string> verifiedPeerCommonName(SSL* ssl);

}  // namespace xiaoan::collector
