#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/crypto/pki.h"
#include "service/collector/collector_config.h"
#include "service/collector/collector_server.h"
#include "tests/fakes/fake_clock.h"
#include "tests/service/collector/support/temp_dir.h"
#include "tests/service/collector/support/tls_client.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector::testing {

using xiaoan::testing::FakeClock;

inline constexpr const char* kAdminPassword = "test-admin-password";

// An enrolled (simulated) agent: its key, certificate and ids, plus the same as files for
// libcurl-based clients.
struct TestAgent {
  std::string agent_id;
  std::string terminal_id;
  ClientIdentity identity;
  std::string cert_file;
  std::string key_file;
  v1::EnrollResponse response;
};

// A collector on loopback (port 0) over a fresh data dir made by `init`, with a fake clock.
// `prepare` runs on the data dir after init and before the server loads it (e.g. keys import).
class CollectorHarness {
 public:
  explicit CollectorHarness(CollectorConfig config = {},
                            const std::function<void(const std::string& data_dir)>& prepare = {});
  ~CollectorHarness();

  CollectorServer& server() { return *server_; }
  FakeClock& clock() { return clock_; }
  const TempDir& dir() const { return dir_; }
  std::string dataDir() const { return dir_.file("data"); }
  std::string caFile() const { return dataDir() + "/ca.pem"; }
  const std::string& caPem() const { return ca_pem_; }
  uint16_t agentPort() const { return server_->agentPort(); }
  uint16_t adminPort() const { return server_->adminPort(); }
  void stop() { server_->stop(); }

  // Admin API call over TLS with Basic auth.
  Result<RawResponse> admin(const std::string& method, const std::string& target,
                            const std::string& body = "", const std::string& user = "admin",
                            const std::string& password = kAdminPassword);
  // The same with more headers, which override the defaults (Content-Type: application/json)
  // and the Basic authorization of "admin" (an empty value sends the header empty).
  Result<RawResponse> adminWith(const std::string& method, const std::string& target,
                                const std::string& body,
                                const std::map<std::string, std::string>& headers,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Creates a school (once) and a token; returns the full token string.
  std::string makeToken(const std::string& school, const std::string& extra_json = "");

  // One agent API call on a fresh connection, with or without a client identity.
  Result<RawResponse> agentCall(const std::string& path, const std::string& body,
                                const std::optional<ClientIdentity>& identity);
  // Enrolls a new key with `token` through libcurl (platform HttpClient), as the agent does.
  Result<TestAgent> enroll(const std::string& token, const std::string& mac,
                           const std::string& hostname = "pc-test");

 private:
  TempDir dir_;
  FakeClock clock_{FakeClock::realNow()};
  std::string ca_pem_;
  std::unique_ptr<CollectorServer> server_;
  int agents_ = 0;
};

// A key + self-signed certificate from an unrelated CA, with the given CN.
ClientIdentity foreignIdentity(const std::string& cn);

}  // namespace xiaoan::collector::testing
