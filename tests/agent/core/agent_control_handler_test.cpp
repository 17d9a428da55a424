// Who may ask what of the antivirus through the control socket, and how answers come back.
#include "agent/core/agent_control_handler.h"

#include <doctest/doctest.h>

#include "tests/agent/core/fakes.h"
#include "tests/fakes/fake_network_config.h"
#include "tests/fakes/fake_network_info.h"

namespace xiaoan::agent {
namespace {

using testing::FakeClock;
using testing::TempDir;

// Records calls; answers with canned results.
class FakeScan final : public scan::ScanControl {
 public:
  Result<v1::ScanProgress> startScan(const std::vector<std::string>& paths) override {
    started = paths;
    v1::ScanProgress p;
    p.set_scan_id("0123456789abcdef");
    return p;
  }
  Result<v1::ScanProgress> getScan(const std::string& id) const override {
    if (id != "0123456789abcdef") return Status(ErrorCode::kNotFound, "no scan " + id);
    v1::ScanProgress p;
    p.set_scan_id(id);
    p.set_files_done(5);
    p.add_detected()->set_path("/home/other-user/secret.doc");
    p.mutable_summary()->add_skipped_examples()->set_path("/home/other-user/private.pst");
    return p;
  }
  Result<v1::ScanProgress> cancelScan(const std::string& id) override {
    cancelled = id;
    return getScan(id);
  }
  Result<v1::QuarantineList> quarantineList() const override {
    v1::QuarantineList l;
    l.add_entries()->set_id("aaaabbbbccccdddd");
    return l;
  }
  Result<v1::QuarantineEntry> quarantineAction(const v1::QuarantineActionRequest& r,
                                               uint32_t by_uid) override {
    action_uid = by_uid;
    v1::QuarantineEntry e;
    e.set_id(r.id());
    return e;
  }
  std::vector<std::string> started;
  std::string cancelled;
  uint32_t action_uid = 99;
};

struct Fixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Spool> spool;
  StatusModel status{StatusModelOptions{}, clock, [this] { return spool->stats(); }};
  EventFactory events{clock, "boot", [] { return std::string("agent"); }};
  FakeScan scan;
  Fixture() {
    SpoolOptions o;
    o.dir = dir.str() + "/spool";
    o.clock = &clock;
    spool = std::move(Spool::open(o)).value();
  }
};

v1::ControlRequest startScan() {
  v1::ControlRequest r;
  r.mutable_start_scan()->add_paths("/home");
  return r;
}

TEST_CASE("scans and the quarantine are for root; progress for anyone") {
  Fixture f;
  AgentControlHandler handler(f.status, *f.spool, f.events, nullptr, &f.scan);
  const PeerIdentity user{.pid = 1234, .uid = 1000, .gid = 1000}, root{.pid = 1, .uid = 0};
  v1::ControlRequest cancel, list, action, get;
  cancel.mutable_cancel_scan()->set_scan_id("0123456789abcdef");
  list.mutable_quarantine_list();
  action.mutable_quarantine_action()->set_id("aaaabbbbccccdddd");
  get.mutable_get_scan()->set_scan_id("0123456789abcdef");
  for (const auto* req : {&cancel, &list, &action}) {
    CHECK(handler.handle(*req, user).error().code() == "E_PERMISSION_DENIED");
  }
  CHECK(handler.handle(startScan(), user).error().code() == "E_PERMISSION_DENIED");
  CHECK(f.scan.started.empty());
  CHECK(f.scan.cancelled.empty());
  const auto progress = handler.handle(get, user).scan();
  CHECK(progress.files_done() == 5);
  CHECK(progress.detected_size() == 0);  // whose files matched or were skipped is for root
  CHECK(progress.summary().skipped_examples_size() == 0);
  CHECK(handler.handle(get, root).scan().detected_size() == 1);
  CHECK(handler.handle(get, root).scan().summary().skipped_examples_size() == 1);

  const auto started = handler.handle(startScan(), root);
  CHECK(started.scan().scan_id() == "0123456789abcdef");
  CHECK(f.scan.started == std::vector<std::string>{"/home"});
  CHECK(handler.handle(cancel, root).scan().scan_id() == "0123456789abcdef");
  CHECK(f.scan.cancelled == "0123456789abcdef");
  CHECK(handler.handle(list, root).quarantine().entries_size() == 1);
  CHECK(handler.handle(action, root).quarantine_entry().id() == "aaaabbbbccccdddd");
  CHECK(f.scan.action_uid == 0);
  get.mutable_get_scan()->set_scan_id("ffff");
  CHECK(handler.handle(get, root).error().code() == "E_NOT_FOUND");
}

TEST_CASE("without scanning the commands say so") {
  Fixture f;
  AgentControlHandler handler(f.status, *f.spool, f.events);
  CHECK(handler.handle(startScan(), {1, 0, 0}).error().code() == "E_UNSUPPORTED");
}

class NoReports final : public binding::BindingReporter {
 public:
  void report(v1::BindingEvent) override {}
};

TEST_CASE("binding: a check for anyone, the isolation release for root only") {
  Fixture f;
  xiaoan::testing::FakeNetworkInfo net;
  xiaoan::testing::FakeNetworkConfig config(net);
  xiaoan::testing::FakeIsolation isolation;
  isolation.active = true;  // left over from an earlier run
  NoReports reports;
  binding::BindingService service({}, f.clock, net, nullptr, config, isolation, reports);
  AgentControlHandler handler(f.status, *f.spool, f.events, nullptr, nullptr, &service);
  const PeerIdentity user{.pid = 1234, .uid = 1000, .gid = 1000}, root{.pid = 1, .uid = 0};
  v1::ControlRequest check, release;
  check.mutable_binding_check();
  release.mutable_isolation_release();
  v1::BindingPolicy p;
  p.set_enabled(true);
  p.set_ipv4("10.1.2.99/24");
  service.applyPolicy(&p);
  CHECK(handler.handle(release, user).error().code() == "E_PERMISSION_DENIED");
  CHECK(isolation.active);
  const auto checked = handler.handle(check, user);
  CHECK(checked.error().code().empty());
  CHECK(checked.compliance().state() == v1::COMPLIANCE_STATE_VIOLATION);
  CHECK(checked.compliance().violations(0).kind() == v1::VIOLATION_KIND_WRONG_IP);
  CHECK_FALSE(isolation.active);  // report mode: a left-over isolation goes
  isolation.active = true;
  const auto released = handler.handle(release, root);
  CHECK(released.error().code().empty());
  CHECK_FALSE(isolation.active);
  AgentControlHandler without(f.status, *f.spool, f.events);
  CHECK(without.handle(check, root).error().code() == "E_UNSUPPORTED");
}

}  // namespace
}  // namespace xiaoan::agent
