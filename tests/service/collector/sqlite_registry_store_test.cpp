// The seat registry on a real SQLite file (issue 11): rooms keyed without blanks, an import that
// replaces the school's table and keeps unchanged revisions, matching by permanent then current
// MAC, the first claimant holding an entry (the clone does not), the registry layer in the
// terminal's merged policy, stored compliance, the report's conflicts and terminal references.
#include <doctest/doctest.h>

#include "service/collector/registry/compliance_report.h"
#include "service/collector/trust/policy_layers.h"
#include "tests/service/collector/support/store_fixture.h"
#include "xiaoan/v1/network.pb.h"

namespace xiaoan::collector {
namespace {

using testing::kNow;
using testing::StoreFixture;

AuditRow audit(const std::string& action) { return {kNow, "admin", action, "s1", "{}"}; }

RegistryEntry seat(const std::string& room, uint32_t n, const std::string& mac,
                   const std::string& ip) {
  RegistryEntry e;
  e.room = room;
  e.seat = n;
  e.mac = mac;
  e.ipv4 = ip;
  e.gateway = "10.1.2.1";
  e.dns = {"10.1.0.53"};
  return e;
}

Status checkin(StoreFixture& f, const std::string& agent, std::vector<std::string> macs,
               std::vector<std::string> permanent, std::optional<ComplianceUpdate> c,
               std::vector<std::string> ipv4 = {}, int64_t now = kNow) {
  auto txn = f.store->beginWrite();
  REQUIRE(txn.isOk());
  CheckinUpdate u;
  u.agent_id = agent;
  u.hostname = "pc-" + agent;
  u.macs = std::move(macs);
  u.permanent_macs = std::move(permanent);
  u.ipv4 = std::move(ipv4);
  u.compliance = std::move(c);
  u.now_ms = now;
  auto row = (*txn)->recordCheckin(u);
  if (!row.isOk()) return row.status();
  return (*txn)->commit();
}

std::vector<RegistryEntry> labTable() {
  return {seat("机房1", 1, "aa:00:00:00:00:01", "10.1.2.11/24"),
          seat("机房1", 2, "aa:00:00:00:00:02", "10.1.2.12/24")};
}

}  // namespace

TEST_CASE("rooms: blank-only variants refused, rename follows, delete only when empty") {
  StoreFixture f;
  f.addSchool("s1");
  REQUIRE(f.store->addRoom("s1", "机房1", audit("room.add")).isOk());
  CHECK(f.store->addRoom("s1", "机房 1", audit("room.add")).code() == ErrorCode::kExists);
  CHECK(f.store->addRoom("nope", "x", audit("room.add")).code() == ErrorCode::kNotFound);
  REQUIRE(f.store->replaceRegistry("s1", labTable(), {}, kNow, audit("registry.import")).isOk());
  CHECK(f.store->deleteRoom("s1", "机房1", audit("room.delete")).code() ==
        ErrorCode::kInvalidArgument);
  REQUIRE(f.store->renameRoom("s1", "机房1", "机房A", audit("room.rename")).isOk());
  auto entries = f.store->listRegistry("s1", "机房A");
  REQUIRE(entries.isOk());
  CHECK(entries->size() == 2);
  CHECK(entries->front().revision == 2);  // the entry changed: its terminals get a new policy
  REQUIRE(f.store->replaceRegistry("s1", {}, {}, kNow, audit("registry.import")).isOk());
  CHECK(f.store->deleteRoom("s1", "机房A", audit("room.delete")).isOk());
  auto rooms = f.store->listRooms("s1");
  REQUIRE(rooms.isOk());
  CHECK(rooms->empty());
}

TEST_CASE("import replaces the table; unchanged entries keep their revision; swaps work") {
  StoreFixture f;
  f.addSchool("s1");
  REQUIRE(f.store->replaceRegistry("s1", labTable(), {"机房1"}, kNow, audit("i")).isOk());
  auto swapped = labTable();
  std::swap(swapped[0].ipv4, swapped[1].ipv4);  // two PCs swap addresses: UNIQUE(ip) holds
  swapped.push_back(seat("机房1", 3, "aa:00:00:00:00:03", "10.1.2.13/24"));
  REQUIRE(f.store->replaceRegistry("s1", swapped, {}, kNow, audit("i")).isOk());
  REQUIRE(f.store->replaceRegistry("s1", swapped, {}, kNow, audit("i")).isOk());
  auto rows = f.store->listRegistry("s1", "");
  REQUIRE(rows.isOk());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].revision == 2);
  CHECK((*rows)[2].revision == 1);
  auto keys = f.store->registryKeys("s1");
  REQUIRE(keys.isOk());
  CHECK(keys->other_macs.empty());
  f.addSchool("s2");
  auto other = f.store->registryKeys("s2");
  REQUIRE(other.isOk());
  CHECK(other->other_macs.size() == 3);
  CHECK(other->other_ips.front().second == "s1");
}

TEST_CASE("matching: permanent MAC first, the first claimant holds, clones are conflicts") {
  StoreFixture f;
  f.addSchool("s1");
  f.addToken("tok", "s1");
  REQUIRE(f.store->replaceRegistry("s1", labTable(), {"机房1"}, kNow, audit("i")).isOk());
  // A PC whose MAC was spoofed to seat 2's still matches seat 1 by its burned-in MAC.
  auto a = f.enroll(f.params("tok", "agent-a", {"aa:00:00:00:00:09"}));
  REQUIRE(a.isOk());
  REQUIRE(checkin(f, "agent-a", {"aa:00:00:00:00:02"}, {"aa:00:00:00:00:01"}, std::nullopt,
                  {"10.1.2.50/24"})
              .isOk());
  auto layers = f.store->terminalPolicyLayers(a->terminal_id);
  REQUIRE(layers.isOk());
  REQUIRE((*layers)->registry.has_value());
  CHECK((*layers)->registry->entry.seat == 1);
  CHECK((*layers)->room == "机房1");  // the entry's room
  CHECK((*layers)->school_abbr == "S");
  auto resolved = resolvePolicy(v1::Policy(), **layers);
  REQUIRE(resolved.isOk());
  CHECK(resolved->policy.binding().mac() == "aa:00:00:00:00:01");
  CHECK(resolved->policy.binding().ipv4() == "10.1.2.11/24");
  CHECK(resolved->policy.naming().seat() == 1);
  CHECK(resolved->sources.back().id() == "registry/aa:00:00:00:00:01");

  // A cloned image enrolling as another terminal (other school token path: same school, new
  // MAC set, same permanent MAC): it claims seat 1 too, but does not get it.
  f.addToken("tok2", "s1");
  auto b = f.enroll(f.params("tok2", "agent-b", {"aa:00:00:00:00:77"}));
  REQUIRE(b.isOk());
  CHECK(b->terminal_id != a->terminal_id);
  v1::ComplianceStatus status;
  status.set_state(v1::COMPLIANCE_STATE_VIOLATION);
  auto* v = status.add_violations();
  v->set_kind(v1::VIOLATION_KIND_WRONG_IP);
  v->set_expected("10.1.2.11/24");
  v->set_actual("10.1.2.50/24");
  ComplianceUpdate c{status.SerializeAsString(), status.state(), {v->kind()}};
  REQUIRE(checkin(f, "agent-b", {"aa:00:00:00:00:77"}, {"aa:00:00:00:00:01"}, c, {"10.1.2.50/24"},
                  kNow + 1000)  // claims seat 1 after agent-a
              .isOk());
  auto b_layers = f.store->terminalPolicyLayers(b->terminal_id);
  REQUIRE(b_layers.isOk());
  CHECK_FALSE((*b_layers)->registry.has_value());

  auto rows = f.store->complianceRows("s1", "");
  REQUIRE(rows.isOk());
  REQUIRE(rows->size() == 2);
  ComplianceOptions options;
  options.now_ms = kNow + 1000;
  auto report = buildComplianceReport(*rows, options);
  CHECK(report.total().terminals() == 2);
  CHECK(report.total().violation() == 1);
  CHECK(report.total().unknown() == 1);
  CHECK(report.total().conflicts() == 2);  // same entry and same IP
  REQUIRE(report.total().by_kind_size() == 1);
  CHECK(report.total().by_kind(0).kind() == v1::VIOLATION_KIND_WRONG_IP);
  REQUIRE(report.offenders_size() == 2);
  std::string all;
  for (const auto& o : report.offenders()) all += o.category() + ":" + o.reason_en() + "\n";
  CHECK(all.find("violation:wrong IP: 10.1.2.50/24, expected 10.1.2.11/24") != std::string::npos);
  CHECK(all.find("also claimed by pc-agent-a") != std::string::npos);
  CHECK(all.find("reports IP 10.1.2.50/24, the registry says 10.1.2.11/24") != std::string::npos);

  // Silent after 3 intervals without a check-in.
  options.now_ms = kNow + 1000 + 3 * 60 * 1000 + 1;
  CHECK(buildComplianceReport(*rows, options).total().silent() == 2);

  // References: school/room/seat names the holder, hostnames are case-insensitive.
  auto by_seat = f.store->resolveTerminal("s1/机房 1/01");
  REQUIRE(by_seat.isOk());
  CHECK(*by_seat == std::vector<std::string>{a->terminal_id});
  auto by_host = f.store->resolveTerminal("PC-AGENT-B");
  REQUIRE(by_host.isOk());
  CHECK(*by_host == std::vector<std::string>{b->terminal_id});
  CHECK(f.store->resolveTerminal("s1/机房1/9")->empty());
}

}  // namespace xiaoan::collector
