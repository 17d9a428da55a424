// Publishing signature bundles on a real SQLite file, a real artifact directory and real
// libyara: a bundle that compiles becomes the next version with its artifact; one that does not
// is rejected with every broken file's file:line and leaves nothing behind, not even a version.
#include "service/collector/trust/signature_publisher.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "common/crypto/ed25519.h"
#include "platform/file_util.h"
#include "signatures/bundle.h"
#include "tests/service/collector/support/store_fixture.h"
#include "xiaoan/v1/event.pb.h"

namespace xiaoan::collector {
namespace {

using testing::kNow;
using testing::StoreFixture;

constexpr const char* kEicarRule =
    "rule eicar_test {\n  strings:\n    $a = \"EICAR-STANDARD-ANTIVIRUS-TEST-FILE\"\n"
    "  condition:\n    $a\n}\n";
constexpr const char* kSmallRule = "rule tiny_file {\n  condition:\n    filesize < 4\n}\n";

v1::PublishSignaturesRequest request(std::vector<std::pair<std::string, std::string>> files,
                                     const std::string& description = "") {
  v1::PublishSignaturesRequest r;
  for (auto& [name, text] : files) {
    auto* f = r.add_files();
    f->set_name(name);
    f->set_content(text);
  }
  r.set_description(description);
  return r;
}

struct PublishFixture {
  StoreFixture db;
  ArtifactStore artifacts{db.dir.path()};
  std::vector<v1::RuleDiagnostic> errors;

  Result<v1::SignatureBundleInfo> publish(v1::PublishSignaturesRequest r) {
    errors.clear();
    return publishSignatures(*db.store, artifacts, std::move(r), "county", kNow, &errors);
  }

  // Files in the artifact directory.
  size_t artifactFiles() const {
    std::error_code ec;
    std::filesystem::directory_iterator it(db.dir.path() + "/artifacts/sha256", ec);
    if (ec) return 0;
    return static_cast<size_t>(std::distance(it, std::filesystem::directory_iterator()));
  }

  std::vector<std::string> locations() const {
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(e.file() + ":" + std::to_string(e.line()));
    return out;
  }
};

TEST_CASE("a bundle that compiles becomes version 1: artifact, row and audit") {
  PublishFixture f;
  auto info =
      f.publish(request({{"eicar.yar", kEicarRule}, {"sub/tiny.yar", kSmallRule}}, "第一版"));
  REQUIRE_MESSAGE(info.isOk(), info.status().toString());
  CHECK(info->version() == 1);
  CHECK(info->rule_count() == 2);
  CHECK(info->file_count() == 2);
  CHECK(info->published_by() == "county");
  CHECK(info->description() == "第一版");
  CHECK(f.errors.empty());

  // The artifact is the SignatureBundle the agents will load, under its SHA-256.
  auto bytes = f.artifacts.read(info->sha256(), sig::kMaxBundleBytes);
  REQUIRE(bytes.isOk());
  CHECK(bytes->size() == info->size());
  CHECK(toHex(crypto::sha256(*bytes)) == info->sha256());
  auto bundle = sig::parseBundle(*bytes);
  REQUIRE_MESSAGE(bundle.isOk(), bundle.status().toString());
  CHECK(bundle->version() == 1);
  CHECK(bundle->rule_count() == 2);
  CHECK(bundle->description() == "第一版");
  CHECK(bundle->issued_at().seconds() == kNow / 1000);
  REQUIRE(bundle->files_size() == 2);
  CHECK(bundle->files(1).name() == "sub/tiny.yar");
  CHECK(bundle->files(1).content() == kSmallRule);

  auto listed = f.db.store->listSignatureBundles(10);
  REQUIRE(listed.isOk());
  REQUIRE(listed->size() == 1);
  CHECK(bundleInfo((*listed)[0]).SerializeAsString() == info->SerializeAsString());
  auto audit = f.db.store->listAudit(1);
  REQUIRE(audit.isOk());
  CHECK((*audit)[0].action == "signatures.publish");
  CHECK((*audit)[0].target == "1");
  CHECK((*audit)[0].admin == "county");
  auto txn = f.db.store->beginWrite();
  REQUIRE(txn.isOk());
  CHECK(*(*txn)->signatureBundleData(1) == *bytes);
}

TEST_CASE("a bundle with two broken files names both; nothing is stored, no version taken") {
  PublishFixture f;
  auto info =
      f.publish(request({{"a_ok.yar", kEicarRule},
                         {"b_bad.yar", "rule b {\n  condition:\n    nosuchthing\n}\n"},
                         {"c_ok.yar", kSmallRule},
                         {"d_bad.yar", "rule d {\n  strings: $x = \"x\"\n  condition: $y\n}\n"}}));
  REQUIRE_FALSE(info.isOk());
  CHECK(info.status().code() == ErrorCode::kRulesInvalid);
  // libyara locates an undefined string where the condition ends (the closing brace).
  CHECK(f.locations() == std::vector<std::string>{"b_bad.yar:3", "d_bad.yar:4"});
  for (const auto& e : f.errors) {
    CHECK_FALSE(e.warning());
    CHECK_FALSE(e.message().empty());
  }
  CHECK(f.errors[0].message().find("nosuchthing") != std::string::npos);
  CHECK(f.errors[1].message().find("$y") != std::string::npos);
  CHECK(f.db.store->listSignatureBundles(10)->empty());
  CHECK(f.artifactFiles() == 0);
  CHECK(f.db.store->listAudit(10)->empty());

  auto good = f.publish(request({{"a_ok.yar", kEicarRule}}));
  REQUIRE(good.isOk());
  CHECK(good->version() == 1);  // the rejected bundle took no version
  CHECK(f.artifactFiles() == 1);
}

TEST_CASE("a file with a bad name or no files is refused before compiling") {
  PublishFixture f;
  auto escape = f.publish(request({{"../evil.yar", kEicarRule}}));
  CHECK(escape.status().code() == ErrorCode::kInvalidArgument);
  auto twice = f.publish(request({{"a.yar", kEicarRule}, {"a.yar", kSmallRule}}));
  CHECK(twice.status().code() == ErrorCode::kInvalidArgument);
  CHECK(f.errors.empty());
  CHECK(f.db.store->listSignatureBundles(10)->empty());
  CHECK(f.artifactFiles() == 0);
}

TEST_CASE("compiler warnings are kept with the bundle and do not reject it") {
  PublishFixture f;
  auto info = f.publish(
      request({{"slow.yar", "rule slow {\n strings:\n  $a = { 00 ?? }\n condition:\n  $a\n}\n"}}));
  REQUIRE_MESSAGE(info.isOk(), info.status().toString());
  REQUIRE(info->warnings_size() == 1);
  CHECK(info->warnings(0).file() == "slow.yar");
  CHECK(info->warnings(0).line() == 3);
  CHECK(info->warnings(0).warning());
  CHECK(info->warning_count() == 1);
  auto listed = f.db.store->listSignatureBundles(10);
  REQUIRE(listed.isOk());
  CHECK(bundleInfo((*listed)[0]).warnings_size() == 1);
  CHECK(bundleInfo((*listed)[0]).warning_count() == 1);
}

TEST_CASE("detection records carry the stored detection; an undecodable body keeps the rest") {
  v1::Event event;
  auto* d = event.mutable_detection();
  d->set_path("/home/t/下载/eicar.com");
  d->set_action(v1::DETECTION_ACTION_QUARANTINED);
  d->add_matches()->set_rule("eicar_test");
  DetectionRow good;
  good.event.id = 7;
  good.event.terminal_id = "t1";
  good.event.school_id = "s1";
  good.event.agent_id = "a1";
  good.event.wall_time_ms = kNow;
  good.event.received_at_ms = kNow + 1000;
  good.event.body = event.SerializeAsString();
  good.hostname = "pc-1";
  DetectionRow broken = good;
  broken.event.id = 8;
  broken.event.body = "\xff\xff";
  v1::DetectionList list = detectionList({good, broken});
  REQUIRE(list.detections_size() == 2);
  const auto& r = list.detections(0);
  CHECK(r.event_id() == 7);
  CHECK(r.hostname() == "pc-1");
  CHECK(r.school_id() == "s1");
  CHECK(r.time().seconds() == kNow / 1000);
  CHECK(r.received_at().seconds() == kNow / 1000 + 1);
  CHECK(r.detection().path() == "/home/t/下载/eicar.com");
  CHECK(r.detection().matches(0).rule() == "eicar_test");
  CHECK(r.detection().action() == v1::DETECTION_ACTION_QUARANTINED);
  CHECK(list.detections(1).event_id() == 8);
  CHECK_FALSE(list.detections(1).has_detection());
}

}  // namespace
}  // namespace xiaoan::collector
