// Signature bundles and detections through the whole collector over real TLS: xiaoan-admin
// (libcurl) publishes and lists bundles, agents are offered the bundle at check-in and report
// the version they loaded, detections they upload are listed per school.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <filesystem>

#include "common/trust/metadata.h"
#include "platform/file_util.h"
#include "tests/service/collector/support/admin_cli_run.h"
#include "tests/service/collector/support/keyed_collector.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;
using testing::checkin;
using testing::CollectorHarness;
using testing::KeyedCollector;
using testing::TempDir;
using testing::TestAgent;

using Run = testing::AdminCliRun;

Run admin(KeyedCollector& k, const std::vector<std::string>& args) {
  return testing::runAdminCli(k.h, args);
}

template <typename M>
M fromJson(const std::string& json) {
  M m;
  REQUIRE_MESSAGE(google::protobuf::util::JsonStringToMessage(json, &m).ok(), json);
  return m;
}

// A rule directory; `files` are (name, text).
std::string ruleDir(const TempDir& dir, const std::string& name,
                    const std::vector<std::pair<std::string, std::string>>& files) {
  const std::string root = dir.sub(name);
  for (const auto& [file, text] : files) {
    std::filesystem::create_directories(std::filesystem::path(root + "/" + file).parent_path());
    dir.write(name + "/" + file, text);
  }
  return root;
}

// The SIGNATURES artifact of a check-in answer (version 0 when none).
v1::Artifact offered(const v1::CheckinResponse& res) {
  auto targets = trust::parseTargets(res.trust().content_targets().payload());
  REQUIRE(targets.isOk());
  for (const auto& a : targets->artifacts()) {
    if (a.kind() == v1::ARTIFACT_KIND_SIGNATURES) return a;
  }
  return {};
}

// A check-in that reports a loaded bundle and a finished full scan.
void reportLoaded(CollectorHarness& h, const TestAgent& agent, uint64_t version, int64_t scan_s) {
  v1::CheckinRequest req;
  req.set_agent_version("test");
  req.set_signatures_version(version);
  *req.mutable_last_full_scan() = TimeUtil::SecondsToTimestamp(scan_s);
  auto res = h.agentCall("/v1/checkin", req.SerializeAsString(), agent.identity);
  REQUIRE(res.isOk());
  REQUIRE_MESSAGE(res->status == 200, res->body);
}

const char kGood[] = "rule eicar_test {\n  strings:\n    $a = \"EICAR\"\n  condition:\n    $a\n}\n";

TEST_CASE("publish, reject a broken bundle with every error, offer the latest at check-in") {
  KeyedCollector k;
  auto a = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(a.isOk());
  CHECK(offered(checkin(k.h, *a)).version() == 0);
  TempDir dir;
  // A rule file far above the admin API's usual 64 KiB body cap.
  std::string big =
      "rule big {\n  condition:\n    filesize == 1\n}\n/*" + std::string(300 * 1024, 'x') + "*/\n";
  Run v1 = admin(k, {"signatures", "publish",
                     ruleDir(dir, "v1", {{"eicar.yar", kGood}, {"more/big.yar", big}}),
                     "--description", "first"});
  REQUIRE_MESSAGE(v1.code == 0, v1.err);
  CHECK(v1.out.find("published signature bundle version 1: 2 rules, 2 files") == 0);

  Run broken = admin(k, {"signatures", "publish",
                         ruleDir(dir, "broken",
                                 {{"a.yar", kGood},
                                  {"b.yar", "rule b {\n  condition:\n    nope\n}\n"},
                                  {"c/d.yar", "rule d {\n  condition:\n    true and\n}\n"}})});
  CHECK(broken.code == 2);
  CHECK(broken.err.find("E_RULES_INVALID") == 0);
  CHECK(broken.err.find("\nb.yar:3: ") != std::string::npos);
  CHECK(broken.err.find("\nc/d.yar:4: ") != std::string::npos);
  auto list = fromJson<v1::SignatureBundleList>(admin(k, {"--json", "signatures", "list"}).out);
  REQUIRE(list.bundles_size() == 1);
  CHECK(list.bundles(0).version() == 1);
  CHECK(list.bundles(0).description() == "first");

  v1::Artifact first = offered(checkin(k.h, *a));
  CHECK(first.version() == 1);
  CHECK(first.name() == "signatures");
  CHECK(toHex(first.sha256()) == list.bundles(0).sha256());
  Run v2 = admin(k, {"signatures", "publish", ruleDir(dir, "v2", {{"eicar.yar", kGood}})});
  REQUIRE_MESSAGE(v2.code == 0, v2.err);
  CHECK(offered(checkin(k.h, *a)).version() == 2);
  Run text = admin(k, {"signatures", "list"});
  CHECK(text.out.find("\n2 ") != std::string::npos);
  CHECK(text.out.find("2 signature bundles\n") != std::string::npos);

  // The offline bundle carries the signatures artifact too.
  const std::string file = dir.file("a.bundle");
  REQUIRE(admin(k, {"bundle", "export", "--terminal", a->terminal_id, "--out", file}).code == 0);
  v1::OfflineBundle exported;
  REQUIRE(exported.ParseFromString(*readFile(file, 8 << 20)));
  REQUIRE(exported.artifacts_size() == 2);
  CHECK(exported.artifacts(1).sha256() == offered(checkin(k.h, *a)).sha256());
}

TEST_CASE("terminals list shows the bundle version and last full scan each agent reported") {
  KeyedCollector k;
  auto a = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01", "pc-a");
  REQUIRE(a.isOk());
  reportLoaded(k.h, *a, 7, 1'795'000'000);
  auto list = fromJson<v1::TerminalList>(admin(k, {"--json", "terminals", "list"}).out);
  REQUIRE(list.terminals_size() == 1);
  CHECK(list.terminals(0).signatures_version() == 7);
  CHECK(list.terminals(0).last_full_scan().seconds() == 1'795'000'000);
  Run text = admin(k, {"terminals", "list"});
  CHECK(text.out.find("signatures") != std::string::npos);
  CHECK(text.out.find(" 7 ") != std::string::npos);
}

std::string detectionBatch(uint64_t seq, const std::string& path) {
  v1::EventBatch b;
  auto* e = b.add_events();
  e->set_stream("security");
  e->set_epoch(1);
  e->set_seq(seq);
  e->set_priority(v1::PRIORITY_SECURITY);
  *e->mutable_wall_time() = TimeUtil::SecondsToTimestamp(1'795'000'000 + seq);
  auto* d = e->mutable_detection();
  d->set_path(path);
  d->set_action(v1::DETECTION_ACTION_REPORTED);
  d->add_matches()->set_rule("eicar_test");
  return b.SerializeAsString();
}

TEST_CASE("detections uploaded by agents are listed newest first, per school") {
  KeyedCollector k;
  auto a = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01", "pc-a");
  auto b = k.h.enroll(k.h.makeToken("s2"), "02:00:00:00:00:02", "pc-b");
  REQUIRE(a.isOk());
  REQUIRE(b.isOk());
  for (auto [agent, seq, path] : {std::tuple{&*a, 1, "/tmp/a1"}, std::tuple{&*b, 1, "/tmp/b1"},
                                  std::tuple{&*a, 2, "/tmp/a2"}}) {
    auto res = k.h.agentCall("/v1/events", detectionBatch(seq, path), agent->identity);
    REQUIRE(res.isOk());
    REQUIRE_MESSAGE(res->status == 200, res->body);
  }
  auto all = fromJson<v1::DetectionList>(admin(k, {"--json", "detections", "list"}).out);
  REQUIRE(all.detections_size() == 3);
  CHECK(all.detections(0).detection().path() == "/tmp/a2");
  CHECK(all.detections(0).hostname() == "pc-a");
  CHECK(all.detections(1).detection().path() == "/tmp/b1");
  auto s2 =
      fromJson<v1::DetectionList>(admin(k, {"--json", "detections", "list", "--school", "s2"}).out);
  REQUIRE(s2.detections_size() == 1);
  CHECK(s2.detections(0).terminal_id() == b->terminal_id);
  Run text = admin(k, {"detections", "list", "--school", "s1", "--limit", "1"});
  CHECK(text.code == 0);
  CHECK(text.out.find("/tmp/a2") != std::string::npos);
  CHECK(text.out.find("/tmp/a1") == std::string::npos);
  CHECK(text.out.find("1 detections\n") != std::string::npos);
}

// (That the publish route takes more than 64 KiB is shown above with a 300 KiB rule file; the
// caps of the other routes are admin_request_test's.)
TEST_CASE("malformed publish and detection requests are refused with 400") {
  KeyedCollector k;
  auto bad = k.h.admin("POST", "/api/v1/signatures", R"({"files":[{"name":"x.yar"}],"nope":1})");
  REQUIRE(bad.isOk());
  CHECK(bad->status == 400);
  auto empty = k.h.admin("POST", "/api/v1/signatures", R"({"files":[]})");
  REQUIRE(empty.isOk());
  CHECK(empty->status == 400);
  auto detections = k.h.admin("GET", "/api/v1/detections?limit=0");
  REQUIRE(detections.isOk());
  CHECK(detections->status == 400);
}

}  // namespace
}  // namespace xiaoan::collector
