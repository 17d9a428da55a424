// xiaoan-admin against a real collector over HTTPS (libcurl, PUT and DELETE included): the
// "done" flow of the signed content channel from the admin's side.
#include <doctest/doctest.h>

#include "common/trust/metadata.h"
#include "platform/file_util.h"
#include "tests/service/collector/support/admin_cli_run.h"
#include "tests/service/collector/support/keyed_collector.h"

namespace xiaoan::collector {
namespace {

using testing::checkin;
using testing::KeyedCollector;
using testing::policyVersion;

using Run = testing::AdminCliRun;

Run admin(KeyedCollector& k, const std::vector<std::string>& args) {
  return testing::runAdminCli(k.h, args);
}

TEST_CASE("an admin changes one school's check-in interval; only its agents get a new version") {
  KeyedCollector k;
  auto a = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  auto b = k.h.enroll(k.h.makeToken("s2"), "02:00:00:00:00:02");
  REQUIRE(a.isOk());
  REQUIRE(b.isOk());
  uint64_t a0 = policyVersion(checkin(k.h, *a));
  uint64_t b0 = policyVersion(checkin(k.h, *b));

  Run bad = admin(k, {"policy", "set", "--school", "s1", "agent.checkin_interval_seconds=1"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("agent.checkin_interval_seconds: must be 10..86400, got 1") !=
        std::string::npos);
  Run set = admin(k, {"policy", "set", "--school", "s1", "agent.checkin_interval_seconds=300"});
  REQUIRE_MESSAGE(set.code == 0, set.err);
  Run got = admin(k, {"policy", "get", "--school", "s1"});
  CHECK(got.code == 0);
  CHECK(got.out.find("\"checkin_interval_seconds\": 300") != std::string::npos);

  v1::CheckinResponse ra = checkin(k.h, *a);
  CHECK(ra.checkin_interval_seconds() == 300);
  CHECK(policyVersion(ra) > a0);
  CHECK(policyVersion(checkin(k.h, *b)) == b0);

  // Rooms, the effective view, deleting the layer, exporting a bundle.
  CHECK(admin(k, {"terminals", "set-room", a->terminal_id, "机房2"}).code == 0);
  CHECK(admin(k, {"policy", "set", "--room", "s1/机房2", "scan.cpu_percent=10"}).code == 0);
  Run effective = admin(k, {"policy", "get", "--terminal", a->terminal_id, "--effective"});
  CHECK(effective.code == 0);
  CHECK(effective.out.find("\"cpu_percent\": 10") != std::string::npos);
  CHECK(effective.out.find("s1/机房2") != std::string::npos);
  Run list = admin(k, {"terminals", "list"});
  CHECK(list.out.find("机房2") != std::string::npos);
  CHECK(admin(k, {"policy", "delete", "--school", "s1"}).code == 0);
  CHECK(admin(k, {"policy", "delete", "--school", "s1"}).code == 5);
  CHECK(checkin(k.h, *a).checkin_interval_seconds() == 60);
  const std::string file = k.keys_dir.path() + "/a.bundle";
  Run exported = admin(k, {"bundle", "export", "--terminal", a->terminal_id, "--out", file});
  CHECK_MESSAGE(exported.code == 0, exported.err);
  v1::OfflineBundle bundle;
  REQUIRE(bundle.ParseFromString(*readFile(file, 1 << 20)));
  CHECK(bundle.entries(0).agent_id() == a->agent_id);
}

}  // namespace
}  // namespace xiaoan::collector
