#include "tests/service/collector/support/collector_harness.h"

#include <doctest/doctest.h>

#include "platform/file_util.h"
#include "platform/net/http_client.h"
#include "service/collector/init_command.h"
#include "service/collector/trust/crypto_util.h"

namespace xiaoan::collector::testing {
namespace {

std::string basicAuth(const std::string& user, const std::string& password) {
  // Tiny base64 encoder for the test client.
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = user + ":" + password;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return "Basic " + out;
}

}  // namespace

CollectorHarness::CollectorHarness(CollectorConfig config,
                                   const std::function<void(const std::string&)>& prepare) {
  InitOptions init;
  init.data_dir = dataDir();
  init.admin_password_file = dir_.write("admin.pw", std::string(kAdminPassword) + "\n");
  auto made = initDataDir(init);
  REQUIRE_MESSAGE(made.isOk(), made.status().toString());
  auto ca = readFile(caFile(), 65536);
  REQUIRE(ca.isOk());
  ca_pem_ = *ca;
  if (prepare) prepare(dataDir());
  config.data_dir = dataDir();
  config.agent_listener.port = 0;
  config.admin_listener.port = 0;
  auto server = CollectorServer::create(config, clock_);
  REQUIRE_MESSAGE(server.isOk(), server.status().toString());
  server_ = std::move(*server);
  Status started = server_->start();
  REQUIRE_MESSAGE(started.isOk(), started.toString());
}

CollectorHarness::~CollectorHarness() { server_->stop(); }

Result<RawResponse> CollectorHarness::admin(const std::string& method, const std::string& target,
                                            const std::string& body, const std::string& user,
                                            const std::string& password) {
  TlsClient client({adminPort(), ca_pem_, std::nullopt});
  XIAOAN_RETURN_IF_ERROR(client.connect());
  return client.request(
      method, target, body,
      {{"Authorization", basicAuth(user, password)}, {"Content-Type", "application/json"}});
}

Result<RawResponse> CollectorHarness::adminWith(const std::string& method,
                                                const std::string& target, const std::string& body,
                                                const std::map<std::string, std::string>& headers,
                                                std::chrono::milliseconds timeout) {
  TlsClientOptions options{adminPort(), ca_pem_, std::nullopt};
  options.timeout = timeout;
  TlsClient client(options);
  XIAOAN_RETURN_IF_ERROR(client.connect());
  std::map<std::string, std::string> all = {{"Authorization", basicAuth("admin", kAdminPassword)},
                                            {"Content-Type", "application/json"}};
  for (const auto& [name, value] : headers) all[name] = value;
  return client.request(method, target, body, all);
}

std::string CollectorHarness::makeToken(const std::string& school, const std::string& extra_json) {
  auto added = admin("POST", "/api/v1/schools",
                     R"({"id":")" + school + R"(","name":"测试学校","abbr":"T"})");
  REQUIRE(added.isOk());
  auto token =
      admin("POST", "/api/v1/tokens", R"({"school_id":")" + school + "\"" + extra_json + "}");
  REQUIRE(token.isOk());
  REQUIRE_MESSAGE(token->status == 200, token->body);
  auto pos = token->body.find("\"secret\":\"");
  REQUIRE(pos != std::string::npos);
  pos += 10;
  return token->body.substr(pos, token->body.find('"', pos) - pos);
}

Result<RawResponse> CollectorHarness::agentCall(const std::string& path, const std::string& body,
                                                const std::optional<ClientIdentity>& identity) {
  TlsClient client({agentPort(), ca_pem_, identity});
  XIAOAN_RETURN_IF_ERROR(client.connect());
  return client.request("POST", path, body);
}

Result<TestAgent> CollectorHarness::enroll(const std::string& token, const std::string& mac,
                                           const std::string& hostname) {
  XIAOAN_ASSIGN_OR_RETURN(auto key, pki::PrivateKey::generateEcP256());
  XIAOAN_ASSIGN_OR_RETURN(std::string csr, pki::makeCsrPem(key, "pending"));
  v1::EnrollRequest req;
  req.set_token(token);
  req.set_csr_pem(csr);
  req.set_agent_version("test");
  req.mutable_facts()->set_hostname(hostname);
  req.mutable_facts()->add_interfaces()->set_mac(mac);
  HttpClientOptions opts;
  opts.ca_file = caFile();
  HttpClient http(opts);
  XIAOAN_ASSIGN_OR_RETURN(
      auto res, http.post("https://127.0.0.1:" + std::to_string(agentPort()) + "/v1/enroll",
                          "application/x-protobuf", req.SerializeAsString()));
  if (res.status != 200) {
    return Status(ErrorCode::kHttpStatus, "enroll answered " + std::to_string(res.status));
  }
  TestAgent agent;
  if (!agent.response.ParseFromString(res.body)) return Status(ErrorCode::kProtocol, "bad answer");
  agent.agent_id = agent.response.agent_id();
  agent.terminal_id = agent.response.terminal_id();
  agent.identity.cert_pem = agent.response.certificate_pem();
  XIAOAN_ASSIGN_OR_RETURN(agent.identity.key_pem, key.toPem());
  std::string n = std::to_string(++agents_);
  agent.cert_file = dir_.write("agent" + n + ".pem", agent.identity.cert_pem);
  agent.key_file = dir_.write("agent" + n + ".key", agent.identity.key_pem);
  return agent;
}

ClientIdentity foreignIdentity(const std::string& cn) {
  auto key = pki::PrivateKey::generateEcP256();
  REQUIRE(key.isOk());
  auto ca = pki::makeSelfSignedCa(*key, "rogue CA", std::chrono::hours(24));
  REQUIRE(ca.isOk());
  auto leaf_key = pki::PrivateKey::generateEcP256();
  REQUIRE(leaf_key.isOk());
  pki::IssueOptions opts;
  opts.common_name = cn;
  opts.client_auth = true;
  auto spki = leaf_key->publicKeyDer();
  REQUIRE(spki.isOk());
  auto cert = pki::issueCertificate(*ca, *key, *spki, opts);
  REQUIRE(cert.isOk());
  auto pem = leaf_key->toPem();
  REQUIRE(pem.isOk());
  return {*cert, *pem};
}

}  // namespace xiaoan::collector::testing
