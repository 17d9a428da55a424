// Every validation rule of policy.proto, with the field path each issue names.
#include "common/policy/policy_rules.h"

#include <doctest/doctest.h>

#include <functional>

namespace xiaoan::policy {
namespace {

// The issues of a policy with one field changed by `edit`.
template <typename Edit>
std::vector<FieldIssue> issuesOf(Edit edit) {
  v1::Policy p;
  edit(p);
  return validatePolicy(p);
}

// Exactly one issue, on `field`.
template <typename Edit>
void expectOne(const std::string& field, Edit edit) {
  auto issues = issuesOf(edit);
  INFO(field << ": " << summarizeIssues(issues, 10));
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].field == field);
  CHECK_FALSE(issues[0].message.empty());
}

template <typename Edit>
void expectValid(Edit edit) {
  auto issues = issuesOf(edit);
  INFO(summarizeIssues(issues, 10));
  CHECK(issues.empty());
}

TEST_CASE("an empty policy and the built-in defaults are valid") {
  CHECK(validatePolicy(v1::Policy()).empty());
  CHECK(validatePolicy(builtinDefaults()).empty());
  CHECK(validateLayer(v1::POLICY_SCOPE_SCHOOL, builtinDefaults()).empty());
}

TEST_CASE("numeric ranges: both ends inclusive, outside is an issue naming the field") {
  struct Case {
    std::string field;
    uint64_t min, max;
    std::function<void(v1::Policy&, uint64_t)> set;
  };
  const std::vector<Case> cases = {
      {"agent.checkin_interval_seconds", 10, 86400,
       [](v1::Policy& p, uint64_t v) { p.mutable_agent()->set_checkin_interval_seconds(v); }},
      {"agent.max_upload_events_per_second", 10, 100000,
       [](v1::Policy& p, uint64_t v) { p.mutable_agent()->set_max_upload_events_per_second(v); }},
      {"scan.cpu_percent", 1, 100,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_cpu_percent(v); }},
      {"scan.max_file_bytes", 1ull << 20, 4ull << 30,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_max_file_bytes(v); }},
      {"scan.full_scan_interval_days", 1, 90,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_full_scan_interval_days(v); }},
      {"scan.io_mib_per_second", 1, 1000,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_io_mib_per_second(v); }},
      {"scan.file_timeout_seconds", 1, 600,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_file_timeout_seconds(v); }},
      {"scan.quarantine_max_bytes", 1ull << 20, 1ull << 40,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_quarantine_max_bytes(v); }},
      {"scan.quarantine_max_files", 1, 100000,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_quarantine_max_files(v); }},
      {"scan.quarantine_reserve_bytes", 1ull << 20, 64ull << 30,
       [](v1::Policy& p, uint64_t v) { p.mutable_scan()->set_quarantine_reserve_bytes(v); }},
      {"browsing.poll_interval_seconds", 60, 86400,
       [](v1::Policy& p, uint64_t v) { p.mutable_browsing()->set_poll_interval_seconds(v); }},
      {"retention.browsing_days", 60, 3650,
       [](v1::Policy& p, uint64_t v) { p.mutable_retention()->set_browsing_days(v); }},
      {"retention.security_days", 180, 3650,
       [](v1::Policy& p, uint64_t v) { p.mutable_retention()->set_security_days(v); }},
  };
  for (const auto& c : cases) {
    CAPTURE(c.field);
    expectValid([&](v1::Policy& p) { c.set(p, c.min); });
    expectValid([&](v1::Policy& p) { c.set(p, c.max); });
    expectOne(c.field, [&](v1::Policy& p) { c.set(p, c.min - 1); });
    expectOne(c.field, [&](v1::Policy& p) { c.set(p, c.max + 1); });
  }
  // Set to 0 differs from not set: 0 is checked.
  expectOne("agent.checkin_interval_seconds",
            [](v1::Policy& p) { p.mutable_agent()->set_checkin_interval_seconds(0); });
  auto issues = issuesOf([](v1::Policy& p) { p.mutable_agent()->set_checkin_interval_seconds(5); });
  CHECK(issues[0].message == "must be 10..86400, got 5");
}

TEST_CASE("binding: MAC, CIDR, gateway formats and known actions") {
  expectValid([](v1::Policy& p) {
    p.mutable_binding()->set_mac("aa:bb:cc:dd:ee:0f");
    p.mutable_binding()->set_ipv4("10.1.2.3/24");
    p.mutable_binding()->set_gateway("10.1.2.1");
    p.mutable_binding()->set_mode(v1::BINDING_MODE_RESTORE);
    p.mutable_binding()->add_dns("10.1.0.53");
    p.mutable_binding()->set_grace_seconds(0);
  });
  for (const char* bad : {"AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee", "",
                          "aa:bb:cc:dd:ee:fg", "aa:bb:cc:dd:ee:ff:"}) {
    CAPTURE(bad);
    expectOne("binding.mac", [&](v1::Policy& p) { p.mutable_binding()->set_mac(bad); });
  }
  for (const char* bad : {"10.1.2.3", "10.1.2.3/33", "10.1.2.3/0", "10.1.2/24", "256.1.1.1/8",
                          "01.1.1.1/8", "10.1.2.3/", "a.b.c.d/8", "10.1.2.3.4/8"}) {
    CAPTURE(bad);
    expectOne("binding.ipv4", [&](v1::Policy& p) { p.mutable_binding()->set_ipv4(bad); });
  }
  for (const char* bad : {"10.1.2.1/24", "10.1.2", "", " 10.1.2.1"}) {
    CAPTURE(bad);
    expectOne("binding.gateway", [&](v1::Policy& p) { p.mutable_binding()->set_gateway(bad); });
  }
  expectOne("binding.mode",
            [](v1::Policy& p) { p.mutable_binding()->set_mode(static_cast<v1::BindingMode>(7)); });
  expectOne("binding.gateway", [](v1::Policy& p) {
    p.mutable_binding()->set_ipv4("10.1.2.3/24");
    p.mutable_binding()->set_gateway("10.1.3.1");  // outside the /24
  });
  expectOne("binding.dns[1]", [](v1::Policy& p) {
    p.mutable_binding()->add_dns("10.1.0.53");
    p.mutable_binding()->add_dns("dns.example");
  });
  expectOne("binding.dns", [](v1::Policy& p) {
    for (int i = 0; i < 5; ++i) p.mutable_binding()->add_dns("10.1.0." + std::to_string(i + 1));
  });
  expectOne("binding.check_interval_seconds",
            [](v1::Policy& p) { p.mutable_binding()->set_check_interval_seconds(5); });
  expectOne("naming.seat", [](v1::Policy& p) { p.mutable_naming()->set_seat(0); });
  expectOne("naming.owner", [](v1::Policy& p) { p.mutable_naming()->set_owner("a\nb"); });
  expectOne("naming.action", [](v1::Policy& p) {
    p.mutable_naming()->set_action(static_cast<v1::EnforcementAction>(-1));
  });
  expectOne("scan.action", [](v1::Policy& p) {
    p.mutable_scan()->set_action(static_cast<v1::EnforcementAction>(3));
  });
}

TEST_CASE("naming: pattern placeholders, length and characters; hostname") {
  for (const char* good : {"{school_abbr}{owner}", "{room}-{seat}", "LAB-{seat:02}", "x",
                           "{school_abbr}-{owner_pinyin}", "沙中{owner_initials}"}) {
    CAPTURE(good);
    expectValid([&](v1::Policy& p) { p.mutable_naming()->set_pattern(good); });
  }
  for (const std::string& bad : {std::string("{school}-{name}"), std::string("{school"),
                                 std::string("a b"), std::string(""), std::string(65, 'a')}) {
    CAPTURE(bad);
    expectOne("naming.pattern", [&](v1::Policy& p) { p.mutable_naming()->set_pattern(bad); });
  }
  auto issues = issuesOf([](v1::Policy& p) { p.mutable_naming()->set_pattern("{school}-{host}"); });
  CHECK(issues[0].message.find("{host}") != std::string::npos);
  expectValid([](v1::Policy& p) { p.mutable_naming()->set_hostname("XMSY-LAB2-01"); });
  for (const std::string& bad : {std::string("-pc"), std::string("pc-"), std::string("pc_1"),
                                 std::string(""), std::string(64, 'a')}) {
    CAPTURE(bad);
    expectOne("naming.hostname", [&](v1::Policy& p) { p.mutable_naming()->set_hostname(bad); });
  }
}

TEST_CASE("on-access paths: absolute or ~/ (every home), at most 64") {
  expectValid([](v1::Policy& p) {
    p.mutable_scan()->add_on_access_paths("~/Downloads");
    p.mutable_scan()->add_on_access_paths("/tmp");
    p.mutable_scan()->add_on_access_paths("C:\\Users\\Public");
  });
  for (const char* bad : {"Downloads", "~user/x", "~", ""}) {
    CAPTURE(bad);
    expectOne("scan.on_access_paths[0]",
              [&](v1::Policy& p) { p.mutable_scan()->add_on_access_paths(bad); });
  }
  expectOne("scan.on_access_paths", [](v1::Policy& p) {
    for (int i = 0; i < 65; ++i) p.mutable_scan()->add_on_access_paths("/srv/" + std::to_string(i));
  });
}

TEST_CASE("scan lists: counts, absolute paths, indexed field paths") {
  expectValid([](v1::Policy& p) {
    p.mutable_scan()->add_paths("/home");
    p.mutable_scan()->add_paths("C:\\Users");
    p.mutable_scan()->add_exclusions("*.iso");
  });
  expectOne("scan.paths[2]", [](v1::Policy& p) {
    p.mutable_scan()->add_paths("/home");
    p.mutable_scan()->add_paths("D:/data");
    p.mutable_scan()->add_paths("relative/dir");
  });
  expectOne("scan.paths[0]", [](v1::Policy& p) { p.mutable_scan()->add_paths(""); });
  expectOne("scan.paths[0]", [](v1::Policy& p) { p.mutable_scan()->add_paths("/a\nb"); });
  expectOne("scan.exclusions[1]", [](v1::Policy& p) {
    p.mutable_scan()->add_exclusions("*.tmp");
    p.mutable_scan()->add_exclusions(std::string(4097, 'x'));
  });
  expectOne("scan.paths", [](v1::Policy& p) {
    for (int i = 0; i < 65; ++i) p.mutable_scan()->add_paths("/p" + std::to_string(i));
  });
  expectValid([](v1::Policy& p) {
    for (int i = 0; i < 64; ++i) p.mutable_scan()->add_paths("/p" + std::to_string(i));
    for (int i = 0; i < 256; ++i) p.mutable_scan()->add_exclusions("x" + std::to_string(i));
  });
  expectOne("scan.exclusions", [](v1::Policy& p) {
    for (int i = 0; i < 257; ++i) p.mutable_scan()->add_exclusions("x" + std::to_string(i));
  });
}

TEST_CASE("scan windows: HH:MM, may cross midnight, not empty") {
  auto window = [](v1::Policy& p, const char* start, const char* end) {
    auto* w = p.mutable_scan()->add_windows();
    w->set_start(start);
    w->set_end(end);
  };
  expectValid([&](v1::Policy& p) {
    window(p, "08:00", "12:30");
    window(p, "22:00", "06:00");
    window(p, "00:00", "23:59");
  });
  expectOne("scan.windows[1].start", [&](v1::Policy& p) {
    window(p, "08:00", "12:30");
    window(p, "24:00", "06:00");
  });
  expectOne("scan.windows[0].end", [&](v1::Policy& p) { window(p, "08:00", "8:30"); });
  expectOne("scan.windows[0].end", [&](v1::Policy& p) { window(p, "08:00", "08:60"); });
  expectOne("scan.windows[0]", [&](v1::Policy& p) { window(p, "08:00", "08:00"); });
  expectOne("scan.windows", [&](v1::Policy& p) {
    for (int i = 0; i < 25; ++i) window(p, "01:00", "02:00");
  });
}

TEST_CASE("all issues are reported, in field order") {
  v1::Policy p;
  p.mutable_agent()->set_checkin_interval_seconds(1);
  p.mutable_scan()->set_cpu_percent(0);
  p.mutable_retention()->set_security_days(30);
  auto issues = validatePolicy(p);
  REQUIRE(issues.size() == 3);
  CHECK(issues[0].field == "agent.checkin_interval_seconds");
  CHECK(issues[1].field == "scan.cpu_percent");
  CHECK(issues[2].field == "retention.security_days");
  CHECK(summarizeIssues(issues, 2) ==
        "agent.checkin_interval_seconds: must be 10..86400, got 1; scan.cpu_percent: must be "
        "1..100, got 0; and 1 more");
}

TEST_CASE("layers: per-terminal values only in terminal layers; scope must be known") {
  v1::Policy p;
  p.mutable_binding()->set_mac("aa:bb:cc:dd:ee:ff");
  p.mutable_binding()->set_ipv4("10.0.0.2/24");
  p.mutable_naming()->set_hostname("pc-1");
  CHECK(validateLayer(v1::POLICY_SCOPE_TERMINAL, p).empty());
  auto school = validateLayer(v1::POLICY_SCOPE_SCHOOL, p);
  REQUIRE(school.size() == 3);
  CHECK(school[0].field == "binding.mac");
  CHECK(school[1].field == "binding.ipv4");
  CHECK(school[2].field == "naming.hostname");
  CHECK(validateLayer(v1::POLICY_SCOPE_ROOM, p).size() == 3);
  auto none = validateLayer(v1::POLICY_SCOPE_UNSPECIFIED, v1::Policy());
  REQUIRE(none.size() == 1);
  CHECK(none[0].field.empty());
}

}  // namespace
}  // namespace xiaoan::policy

namespace xiaoan::policy {
namespace {

TEST_CASE("retention: the county floors with the rule named, ten years at most, school only") {
  struct Case {
    std::string field;
    uint32_t floor;
    std::string rule;  // a piece of the reason
    std::function<void(v1::Policy&, uint32_t)> set;
  };
  const std::vector<Case> cases = {
      {"retention.browsing_days", 60, "browsing records",
       [](v1::Policy& p, uint32_t v) { p.mutable_retention()->set_browsing_days(v); }},
      {"retention.security_days", 180, "security logs",
       [](v1::Policy& p, uint32_t v) { p.mutable_retention()->set_security_days(v); }},
      {"retention.session_days", 60, "上机记录",
       [](v1::Policy& p, uint32_t v) { p.mutable_retention()->set_session_days(v); }},
      {"retention.activity_days", 30, "30 days",
       [](v1::Policy& p, uint32_t v) { p.mutable_retention()->set_activity_days(v); }},
  };
  CHECK(retentionFloorDays(RetentionKind::kBrowsing) == 60);
  CHECK(retentionFloorDays(RetentionKind::kSecurity) == 180);
  CHECK(retentionFloorDays(RetentionKind::kSessions) == 60);
  CHECK(retentionFloorDays(RetentionKind::kActivity) == 30);
  for (const auto& c : cases) {
    CAPTURE(c.field);
    expectValid([&](v1::Policy& p) { c.set(p, c.floor); });
    expectValid([&](v1::Policy& p) { c.set(p, kMaxRetentionDays); });
    auto below = issuesOf([&](v1::Policy& p) { c.set(p, c.floor - 1); });
    REQUIRE(below.size() == 1);
    CHECK(below[0].field == c.field);
    CHECK(below[0].message.find("at least " + std::to_string(c.floor) + " days") !=
          std::string::npos);
    CHECK(below[0].message.find(c.rule) != std::string::npos);
    expectOne(c.field, [&](v1::Policy& p) { c.set(p, 0); });
    expectOne(c.field, [&](v1::Policy& p) { c.set(p, kMaxRetentionDays + 1); });

    v1::Policy layer;
    c.set(layer, c.floor);
    CHECK(validateLayer(v1::POLICY_SCOPE_SCHOOL, layer).empty());
    for (auto scope : {v1::POLICY_SCOPE_ROOM, v1::POLICY_SCOPE_TERMINAL}) {
      auto issues = validateLayer(scope, layer);
      REQUIRE(issues.size() == 1);
      CHECK(issues[0].field == c.field);
      CHECK(issues[0].message.find("only the school layer") != std::string::npos);
    }
  }
  // Sessions have only the on/off switch: both values are valid in every layer.
  v1::Policy off;
  off.mutable_sessions()->set_enabled(false);
  CHECK(validateLayer(v1::POLICY_SCOPE_TERMINAL, off).empty());
}

}  // namespace
}  // namespace xiaoan::policy
