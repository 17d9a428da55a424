// xiaoan-records-feed: a test agent for the browsing-records scenarios (issue 12). Enrolls
// over TLS like an agent and uploads event batches written as JSON (the protobuf JSON form of
// xiaoan.v1.EventBatch), so that a scenario states its visits, sessions and alerts in the
// script. Never installed.
//
//   xiaoan-records-feed enroll --port P --ca CA --token T --mac M --hostname H --out DIR
//   xiaoan-records-feed send --port P --ca CA --identity DIR --json FILE
//       prints "stored N duplicates M"
#include <cstdio>
#include <map>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "common/crypto/pki.h"
#include "platform/file_util.h"
#include "tests/service/collector/support/tls_client.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace {

using xiaoan::collector::testing::ClientIdentity;
using xiaoan::collector::testing::TlsClient;
using xiaoan::collector::testing::TlsClientOptions;

constexpr size_t kMaxFileBytes = size_t{8} << 20;

int die(const std::string& what) {
  std::fprintf(stderr, "xiaoan-records-feed: %s\n", what.c_str());
  return 1;
}

std::string readOrEmpty(const std::string& path) {
  auto text = xiaoan::readFile(path, kMaxFileBytes);
  return text.isOk() ? *text : "";
}

int enroll(std::map<std::string, std::string>& a) {
  auto key = xiaoan::pki::PrivateKey::generateEcP256();
  auto csr = xiaoan::pki::makeCsrPem(*key, "pending");
  xiaoan::v1::EnrollRequest req;
  req.set_token(a["token"]);
  req.set_csr_pem(*csr);
  req.set_agent_version("0.1.0-feed");
  req.mutable_facts()->set_hostname(a["hostname"]);
  req.mutable_facts()->add_interfaces()->set_mac(a["mac"]);
  TlsClient c(TlsClientOptions{static_cast<uint16_t>(std::stoi(a["port"])), readOrEmpty(a["ca"]),
                               std::nullopt});
  if (!c.connect().isOk()) return die("connect");
  auto res = c.request("POST", "/v1/enroll", req.SerializeAsString());
  xiaoan::v1::EnrollResponse er;
  if (!res.isOk() || res->status != 200 || !er.ParseFromString(res->body)) {
    return die("enroll refused: " + (res.isOk() ? std::to_string(res->status) + " " + res->body
                                                : res.status().toString()));
  }
  const std::string& dir = a["out"];
  if (!xiaoan::atomicWriteFile(dir + "/cert.pem", er.certificate_pem()).isOk() ||
      !xiaoan::atomicWriteFile(dir + "/key.pem", *key->toPem()).isOk() ||
      !xiaoan::atomicWriteFile(dir + "/agent_id", er.agent_id()).isOk()) {
    return die("cannot write the identity to " + dir);
  }
  std::printf("enrolled %s\n", er.agent_id().c_str());
  return 0;
}

int send(std::map<std::string, std::string>& a) {
  xiaoan::v1::EventBatch batch;
  auto st = google::protobuf::util::JsonStringToMessage(readOrEmpty(a["json"]), &batch);
  if (!st.ok()) return die("bad batch JSON: " + std::string(st.message()));
  const std::string& dir = a["identity"];
  ClientIdentity id{readOrEmpty(dir + "/cert.pem"), readOrEmpty(dir + "/key.pem")};
  TlsClient c(
      TlsClientOptions{static_cast<uint16_t>(std::stoi(a["port"])), readOrEmpty(a["ca"]), id});
  if (!c.connect().isOk()) return die("connect");
  auto res = c.request("POST", "/v1/events", batch.SerializeAsString());
  xiaoan::v1::EventBatchResponse r;
  if (!res.isOk() || res->status != 200 || !r.ParseFromString(res->body)) {
    return die("events refused: " + (res.isOk() ? std::to_string(res->status) + " " + res->body
                                                : res.status().toString()));
  }
  std::printf("stored %u duplicates %u\n", r.stored(), r.duplicates());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return die("usage: enroll|send --flag value...");
  std::map<std::string, std::string> args;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) return die("unexpected " + k);
    args[k.substr(2)] = argv[i + 1];
  }
  const std::string command = argv[1];
  if (command == "enroll") return enroll(args);
  if (command == "send") return send(args);
  return die("unknown command " + command);
}
