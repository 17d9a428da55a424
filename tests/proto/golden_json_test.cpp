// Golden JSON samples of the xiaoan.v1 messages: each parses strictly (unknown fields are
// errors) and prints back byte-for-byte, so the snake_case JSON admins and scripts see is
// stable across releases.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "xiaoan/v1/admin_api.pb.h"
#include "xiaoan/v1/agent_api.pb.h"
#include "xiaoan/v1/config.pb.h"
#include "xiaoan/v1/event.pb.h"
#include "xiaoan/v1/status.pb.h"

namespace {

std::string readGolden(const std::string& name) {
  std::ifstream in(std::string(XIAOAN_SOURCE_DIR) + "/tests/proto/golden/" + name);
  REQUIRE_MESSAGE(in.good(), name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void roundTrip(const std::string& name, google::protobuf::Message& msg) {
  namespace pbu = google::protobuf::util;
  std::string golden = readGolden(name);
  pbu::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  REQUIRE_MESSAGE(pbu::JsonStringToMessage(golden, &msg, parse).ok(), name);
  pbu::JsonPrintOptions print;
  print.add_whitespace = true;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  std::string out;
  REQUIRE(pbu::MessageToJsonString(msg, &out, print).ok());
  out += "\n";
  if (std::getenv("XIAOAN_UPDATE_GOLDEN") != nullptr) {
    // Deliberate regeneration after a schema change; review the diff before committing.
    std::ofstream(std::string(XIAOAN_SOURCE_DIR) + "/tests/proto/golden/" + name) << out;
    return;
  }
  CHECK_MESSAGE(out == golden, name << " printed as:\n" << out);
}

}  // namespace

TEST_CASE("golden JSON samples round-trip exactly") {
  xiaoan::v1::AgentBootstrapConfig config;
  roundTrip("agent_bootstrap_config.json", config);
  xiaoan::v1::Event diagnostic;
  roundTrip("event_diagnostic.json", diagnostic);
  CHECK(diagnostic.has_diagnostic());
  xiaoan::v1::Event gap;
  roundTrip("event_gap.json", gap);
  CHECK(gap.gap().count() == 4000);
  xiaoan::v1::EnrollRequest enroll;
  roundTrip("enroll_request.json", enroll);
  xiaoan::v1::AgentStatus status;
  roundTrip("agent_status.json", status);
  xiaoan::v1::TerminalList terminals;
  roundTrip("terminal_list.json", terminals);
  xiaoan::v1::PolicyLayer layer;
  roundTrip("policy_layer.json", layer);
  CHECK(layer.policy().agent().has_checkin_interval_seconds());
  CHECK_FALSE(layer.policy().agent().has_max_upload_events_per_second());
  xiaoan::v1::Event content_update;
  roundTrip("event_content_update.json", content_update);
  CHECK(content_update.content_update().error().code() == "E_META_ROLLBACK");
}

TEST_CASE("unknown fields in a config are rejected") {
  namespace pbu = google::protobuf::util;
  xiaoan::v1::AgentBootstrapConfig config;
  pbu::JsonParseOptions parse;
  CHECK_FALSE(pbu::JsonStringToMessage(R"({"colector_url": "https://x"})", &config, parse).ok());
}
