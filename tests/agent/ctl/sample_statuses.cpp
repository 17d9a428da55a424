#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {
namespace {

void at(google::protobuf::Timestamp* t, int64_t seconds_before_now) {
  t->set_seconds(kNow - seconds_before_now);
}

v1::SpoolClassStats* addClass(v1::AgentStatus* s, v1::Priority p, uint64_t pending, uint64_t bytes,
                              int64_t oldest_ago) {
  auto* c = s->add_spool();
  c->set_priority(p);
  c->set_pending_records(pending);
  c->set_bytes(bytes);
  if (pending > 0) at(c->mutable_oldest_pending(), oldest_ago);
  return c;
}

v1::AgentStatus base() {
  v1::AgentStatus s;
  s.set_agent_version("0.1.0");
  s.set_daemon_running(true);
  s.set_pid(4242);
  at(s.mutable_started_at(), 5 * 3600 + 180);
  s.set_enrollment(v1::ENROLLMENT_STATE_ENROLLED);
  s.set_agent_id("a-7f3c9e2d41b8");
  s.set_terminal_id("t-xmsyxx-lab2-07");
  s.set_collector_url("https://collector.xmedu.cn:8443");
  s.set_checkin_interval_seconds(60);
  s.set_spool_max_bytes(256ull * 1024 * 1024);
  at(s.mutable_generated_at(), 2);
  return s;
}

// A policy v3 issued 2 h ago, applied 2 h ago, verified at the last check-in.
void addContent(v1::AgentStatus* s) {
  auto* c = s->mutable_content();
  c->set_root_version(1);
  c->set_timestamp_version(41);
  c->set_content_targets_version(12);
  at(c->mutable_policy_issued_at(), 2 * 3600 + 30);
  at(c->mutable_policy_applied_at(), 2 * 3600);
  at(c->mutable_expires(), -(6 * 86400 + 20 * 3600));
  at(c->mutable_last_verified_at(), 35);
  at(c->mutable_time_floor(), 0);
}

// Signature bundle v12 published yesterday; a full scan three days ago; waiting for the
// evening window.
void addScan(v1::AgentStatus* s) {
  auto* sc = s->mutable_scan();
  sc->set_bundle_version(12);
  at(sc->mutable_bundle_issued_at(), 26 * 3600);
  at(sc->mutable_bundle_loaded_at(), 5 * 3600 + 170);
  sc->set_rule_count(164);
  sc->set_state(v1::SCAN_STATE_WAITING_WINDOW);
  at(sc->mutable_last_full_scan(), 3 * 86400 + 1800);
  sc->set_files_scanned(48213);
  sc->set_detections(2);
  sc->set_quarantined(1);
  sc->set_cpu_cap_percent(25);
  sc->set_watched_paths(5);
}

}  // namespace

v1::AgentStatus healthyStatus() {
  v1::AgentStatus s = base();
  s.set_connection(v1::CONNECTION_STATE_CONNECTED);
  at(s.mutable_last_checkin(), 35);
  at(s.mutable_last_upload(), 12);
  addClass(&s, v1::PRIORITY_SECURITY, 0, 0, 0);
  addClass(&s, v1::PRIORITY_ACTIVITY, 3, 1536, 20);
  s.set_policy_version(3);
  addContent(&s);
  addScan(&s);
  s.set_spool_bytes(2'411'724);
  s.mutable_compliance()->set_state(v1::COMPLIANCE_STATE_COMPLIANT);
  at(s.mutable_compliance()->mutable_last_check(), 40);
  s.mutable_compliance()->set_permanent_mac("52:54:00:12:34:56");
  return s;
}

v1::AgentStatus offlineStatus() {
  v1::AgentStatus s = base();
  s.set_connection(v1::CONNECTION_STATE_OFFLINE);
  at(s.mutable_offline_since(), 3 * 3600 + 720);
  s.mutable_last_error()->set_code("E_COLLECTOR_UNREACHABLE");
  s.mutable_last_error()->set_message("connect collector.xmedu.cn:8443: Connection refused");
  at(s.mutable_last_checkin(), 3 * 3600 + 760);
  at(s.mutable_last_upload(), 3 * 3600 + 745);
  // Activity first on purpose: the renderer orders security first.
  addClass(&s, v1::PRIORITY_ACTIVITY, 15230, 7'969'177, 3 * 3600 + 700);
  addClass(&s, v1::PRIORITY_SECURITY, 12, 4915, 2 * 3600);
  s.set_policy_version(3);
  addContent(&s);
  at(s.mutable_content()->mutable_policy_issued_at(), 4 * 3600 + 50);
  at(s.mutable_content()->mutable_policy_applied_at(), 4 * 3600);
  at(s.mutable_content()->mutable_last_verified_at(), 3 * 3600 + 760);
  s.set_spool_bytes(8'388'608);
  // A scheduled full scan under way at the 25 % cap.
  addScan(&s);
  auto* sc = s.mutable_scan();
  sc->set_state(v1::SCAN_STATE_RUNNING);
  sc->set_cpu_percent(24.6);
  auto* p = sc->add_running();
  p->set_scan_id("5f0c2a9e71d3b468");
  p->set_kind(v1::SCAN_KIND_SCHEDULED);
  p->set_files_done(31200);
  p->set_files_found(52000);
  p->set_bytes_done(2'147'483'648);
  p->set_files_per_second(41.5);
  p->set_eta_seconds(501);
  // A student moved the PC to another address while the collector was out of reach.
  auto* c = s.mutable_compliance();
  c->set_state(v1::COMPLIANCE_STATE_VIOLATION);
  auto* v = c->add_violations();
  v->set_kind(v1::VIOLATION_KIND_WRONG_IP);
  v->set_interface("eth0");
  v->set_expected("10.1.2.37/24");
  v->set_actual("10.1.2.99/24");
  at(v->mutable_since(), 3 * 3600);
  *c->add_violations() = *v;
  c->mutable_violations(1)->set_kind(v1::VIOLATION_KIND_EXTRA_IP);
  at(c->mutable_last_check(), 30);
  auto* e = s.add_errors();
  e->set_code("E_COLLECTOR_UNREACHABLE");
  e->set_message("no exchange with the collector for 3 h");
  return s;
}

v1::AgentStatus lastPersistedStatus() {
  v1::AgentStatus s = healthyStatus();
  at(s.mutable_generated_at(), 25 * 60);
  at(s.mutable_last_checkin(), 25 * 60 + 40);
  at(s.mutable_last_upload(), 25 * 60 + 41);
  s.mutable_spool(1)->set_pending_records(41);
  s.mutable_spool(1)->set_bytes(20'992);
  at(s.mutable_spool(1)->mutable_oldest_pending(), 25 * 60 + 30);
  return s;  // daemon_running is still true in the file; xiaoanctl must override it
}

v1::AgentStatus notEnrolledStatus() {
  v1::AgentStatus s = base();
  s.set_enrollment(v1::ENROLLMENT_STATE_NOT_ENROLLED);
  s.clear_agent_id();
  s.clear_terminal_id();
  s.set_connection(v1::CONNECTION_STATE_ERROR);
  at(s.mutable_offline_since(), 4 * 60);
  s.mutable_last_error()->set_code("E_TLS_PIN_MISMATCH");
  s.mutable_last_error()->set_message(
      "certificate issuer \"Campus Portal CA\" is not the pinned CA");
  at(s.mutable_started_at(), 6 * 60);
  addClass(&s, v1::PRIORITY_SECURITY, 1, 212, 6 * 60);
  addClass(&s, v1::PRIORITY_ACTIVITY, 0, 0, 0);
  s.set_spool_bytes(4096);
  s.mutable_content()->set_root_version(1);  // pinned at start; nothing more before enrollment
  at(s.mutable_content()->mutable_time_floor(), 0);
  auto* e = s.add_errors();
  e->set_code("E_NOT_ENROLLED");
  e->set_message("waiting for enrollment; next attempt in 40 s");
  return s;
}

v1::AgentStatus staleContentStatus() {
  v1::AgentStatus s = healthyStatus();
  auto* c = s.mutable_content();
  at(c->mutable_expires(), 3 * 3600);
  c->set_stale(true);
  at(c->mutable_last_verified_at(), 7 * 86400);
  c->set_from_offline_bundle(true);
  c->mutable_last_rejection()->set_code("E_META_ROLLBACK");
  c->mutable_last_rejection()->set_message("timestamp v39 is not newer than trusted v41");
  at(c->mutable_last_rejection_at(), 35);
  auto* rollback = s.add_errors();
  rollback->set_code("E_META_ROLLBACK");
  rollback->set_message("timestamp v39 is not newer than trusted v41");
  // The bundle before the freeze did not compile: v12 stays loaded.
  auto* bundle_error = s.mutable_scan()->mutable_last_bundle_error();
  bundle_error->set_code("E_RULES_INVALID");
  bundle_error->set_message("webshell/php.yar:14: syntax error, unexpected identifier");
  auto* expired = s.add_errors();
  expired->set_code("E_META_EXPIRED");
  expired->set_message("signed metadata expired at 2026-11-21T11:03:05Z");
  return s;
}

}  // namespace xiaoan::ctl::testing
