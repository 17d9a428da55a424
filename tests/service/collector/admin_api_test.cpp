// The admin API over real TLS: Basic auth, schools, tokens, terminals, events, audit.
#include <doctest/doctest.h>

#include "common/proto_json.h"
#include "service/collector/store/sqlite_store.h"
#include "tests/service/collector/support/collector_harness.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::collector {
namespace {

using testing::CollectorHarness;

template <typename M>
M parseJson(const std::string& body) {
  M m;
  REQUIRE_MESSAGE(parseStrictJson(body, &m).isOk(), body);
  return m;
}

TEST_CASE("admin auth: wrong password, unknown user and no header get 401") {
  CollectorHarness h;
  auto wrong = h.admin("GET", "/api/v1/schools", "", "admin", "nope");
  REQUIRE(wrong.isOk());
  CHECK(wrong->status == 401);
  CHECK(wrong->headers.count("www-authenticate") == 0);  // no browser prompt (issue 10, #9)
  CHECK(parseJson<v1::AdminError>(wrong->body).error().code() == "E_UNAUTHORIZED");
  auto unknown = h.admin("GET", "/api/v1/schools", "", "root", testing::kAdminPassword);
  REQUIRE(unknown.isOk());
  CHECK(unknown->status == 401);
  testing::TlsClient c({h.adminPort(), h.caPem(), std::nullopt});
  REQUIRE(c.connect().isOk());
  auto none = c.request("GET", "/api/v1/schools", "");
  REQUIRE(none.isOk());
  CHECK(none->status == 401);
  auto ok = h.admin("GET", "/api/v1/schools");
  REQUIRE(ok.isOk());
  CHECK(ok->status == 200);
  CHECK(ok->body.find("\"schools\":[]") != std::string::npos);
}

TEST_CASE("schools, tokens: create, list, revoke; mutations audited") {
  CollectorHarness h;
  auto add =
      h.admin("POST", "/api/v1/schools", R"({"id":"xmsyxx","name":"厦门实验小学","abbr":"XMSY"})");
  REQUIRE(add.isOk());
  REQUIRE(add->status == 200);
  CHECK(parseJson<v1::School>(add->body).created_at().seconds() > 0);
  CHECK(h.admin("POST", "/api/v1/schools", R"({"id":"xmsyxx","name":"again"})")->status == 400);
  CHECK(h.admin("POST", "/api/v1/schools", R"({"id":"Bad Id","name":"x"})")->status == 400);
  auto list = parseJson<v1::SchoolList>(h.admin("GET", "/api/v1/schools")->body);
  REQUIRE(list.schools_size() == 1);
  CHECK(list.schools(0).name() == "厦门实验小学");

  CHECK(h.admin("POST", "/api/v1/tokens", R"({"school_id":"nope"})")->status == 404);
  auto created =
      h.admin("POST", "/api/v1/tokens",
              R"({"school_id":"xmsyxx","ttl_seconds":"3600","max_uses":30,"note":"机房2"})");
  REQUIRE(created.isOk());
  REQUIRE(created->status == 200);
  auto token = parseJson<v1::EnrollmentToken>(created->body);
  CHECK(token.secret().rfind(token.id() + ".", 0) == 0);
  CHECK(token.max_uses() == 30);
  CHECK(token.expires_at().seconds() - token.created_at().seconds() == 3600);
  // Primitive fields are always printed, with proto field names.
  CHECK(created->body.find("\"revoked\":false") != std::string::npos);
  CHECK(created->body.find("\"school_id\":\"xmsyxx\"") != std::string::npos);

  auto tokens = parseJson<v1::TokenList>(h.admin("GET", "/api/v1/tokens?school=xmsyxx")->body);
  REQUIRE(tokens.tokens_size() == 1);
  CHECK(tokens.tokens(0).secret().empty());  // the secret is shown only once
  CHECK(tokens.tokens(0).note() == "机房2");
  CHECK(
      parseJson<v1::TokenList>(h.admin("GET", "/api/v1/tokens?school=other")->body).tokens_size() ==
      0);

  auto revoked = h.admin("POST", "/api/v1/tokens/" + token.id() + "/revoke");
  REQUIRE(revoked.isOk());
  REQUIRE(revoked->status == 200);
  CHECK(parseJson<v1::EnrollmentToken>(revoked->body).revoked());
  CHECK(h.admin("POST", "/api/v1/tokens/00ff00ff/revoke")->status == 404);
  CHECK(h.admin("GET", "/api/v1/tokens/" + token.id() + "/revoke")->status == 405);

  auto db = SqliteStore::open(h.dataDir() + "/collector.db", false);
  REQUIRE(db.isOk());
  auto audit = (*db)->listAudit(10);
  REQUIRE(audit.isOk());
  REQUIRE(audit->size() == 3);
  CHECK((*audit)[0].action == "token.revoke");
  CHECK((*audit)[1].action == "token.create");
  CHECK((*audit)[1].detail_json.find(token.secret()) == std::string::npos);
  CHECK((*audit)[2].action == "school.add");
  CHECK((*audit)[2].admin == "admin");
}

TEST_CASE("terminals list with silence after 3 check-in intervals; events list with filters") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01", "JF2-07");
  REQUIRE(agent.isOk());
  v1::EventBatch b;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    auto* e = b.add_events();
    e->set_stream("activity");
    e->set_epoch(5);
    e->set_seq(seq);
    e->set_priority(v1::PRIORITY_ACTIVITY);
    e->mutable_wall_time()->set_seconds(1'800'000'000 + static_cast<int64_t>(seq));
    if (seq == 2) {
      e->set_claimed_agent_id("someone-else");
      e->mutable_gap()->set_count(4);
    } else {
      e->mutable_diagnostic()->set_text("hello");
    }
  }
  REQUIRE(h.agentCall("/v1/events", b.SerializeAsString(), agent->identity)->status == 200);

  auto terminals = parseJson<v1::TerminalList>(h.admin("GET", "/api/v1/terminals")->body);
  REQUIRE(terminals.terminals_size() == 1);
  const auto& t = terminals.terminals(0);
  CHECK(t.id() == agent->terminal_id);
  CHECK(t.hostname() == "JF2-07");
  CHECK(t.agent_id() == agent->agent_id);
  CHECK(t.events_stored() == 4);  // 3 events + the security alert
  CHECK_FALSE(t.silent());
  h.clock().advance(std::chrono::seconds(181));
  terminals = parseJson<v1::TerminalList>(h.admin("GET", "/api/v1/terminals?school=s1")->body);
  CHECK(terminals.terminals(0).silent());
  CHECK(parseJson<v1::TerminalList>(h.admin("GET", "/api/v1/terminals?school=s2")->body)
            .terminals_size() == 0);

  auto all = parseJson<v1::EventList>(h.admin("GET", "/api/v1/events")->body);
  CHECK(all.events_size() == 4);
  auto diag = parseJson<v1::EventList>(h.admin("GET", "/api/v1/events?type=diagnostic")->body);
  REQUIRE(diag.events_size() == 2);
  CHECK(diag.events(0).seq() == 1);
  CHECK(diag.events(1).seq() == 3);
  CHECK(diag.events(0).payload_json().find("hello") != std::string::npos);
  CHECK(diag.events(0).terminal_id() == agent->terminal_id);
  auto alerts =
      parseJson<v1::EventList>(h.admin("GET", "/api/v1/events?type=security_alert")->body);
  REQUIRE(alerts.events_size() == 1);
  CHECK(alerts.events(0).payload_json().find("someone-else") != std::string::npos);
  auto since = parseJson<v1::EventList>(
      h.admin("GET", "/api/v1/events?since=2027-01-15T08:00:02Z&type=diagnostic&limit=1")->body);
  REQUIRE(since.events_size() == 1);
  CHECK(since.events(0).seq() == 3);
  auto by_terminal = parseJson<v1::EventList>(
      h.admin("GET", "/api/v1/events?terminal=" + agent->terminal_id + "&type=gap")->body);
  CHECK(by_terminal.events_size() == 1);
  CHECK(h.admin("GET", "/api/v1/events?limit=20000")->status == 400);
  CHECK(h.admin("GET", "/api/v1/nowhere")->status == 404);
}

}  // namespace
}  // namespace xiaoan::collector
