#include "service/collector/retention_job.h"

#include <algorithm>
#include <limits>

#include <google/protobuf/struct.pb.h>

#include "common/policy/policy_rules.h"
#include "common/proto_json.h"
#include "platform/logging.h"

namespace xiaoan::collector {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr uint32_t kMinBatchRows = 50;

constexpr RetentionTable kTables[] = {RetentionTable::kSecurityEvents,
                                      RetentionTable::kActivityEvents, RetentionTable::kVisits,
                                      RetentionTable::kSessions, RetentionTable::kAlerts};

const char* tableName(RetentionTable table) {
  switch (table) {
    case RetentionTable::kSecurityEvents:
      return "security_events";
    case RetentionTable::kActivityEvents:
      return "activity_events";
    case RetentionTable::kVisits:
      return "browsing_visits";
    case RetentionTable::kSessions:
      return "seat_sessions";
    case RetentionTable::kAlerts:
      return "site_alerts";
  }
  return "?";
}

bool byReception(RetentionTable table) {
  return table == RetentionTable::kSecurityEvents || table == RetentionTable::kActivityEvents;
}

uint32_t atLeast(policy::RetentionKind kind, uint32_t days) {
  return std::max(days, policy::retentionFloorDays(kind));
}

int64_t unixMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

RetentionDays retentionDaysOf(const std::string& school_policy_bytes) {
  v1::Policy layers[2] = {policy::builtinDefaults(), v1::Policy()};
  // An undecodable layer cannot shorten anything: the defaults apply.
  if (!layers[1].ParseFromString(school_policy_bytes)) layers[1].Clear();
  const v1::RetentionPolicy r = policy::mergeLayers(layers).retention();
  using K = policy::RetentionKind;
  return {atLeast(K::kBrowsing, r.browsing_days()), atLeast(K::kSecurity, r.security_days()),
          atLeast(K::kSessions, r.session_days()), atLeast(K::kActivity, r.activity_days())};
}

Result<std::map<std::string, RetentionRunner::Cutoffs>> RetentionRunner::schoolCutoffs(
    Cutoffs& defaults) {
  const int64_t now = unixMs(clock_.now());
  auto cutoffs = [now](const RetentionDays& d) {
    return Cutoffs{now - d.browsing * kDayMs, now - d.security * kDayMs, now - d.sessions * kDayMs,
                   now - d.activity * kDayMs};
  };
  defaults = cutoffs(retentionDaysOf(""));
  std::map<std::string, Cutoffs> out;
  XIAOAN_ASSIGN_OR_RETURN(auto schools, store_.listSchools());
  for (const auto& school : schools) {
    XIAOAN_ASSIGN_OR_RETURN(auto layer, store_.findPolicyLayer(kScopeSchool, school.id));
    out[school.id] = cutoffs(retentionDaysOf(layer ? layer->policy : ""));
  }
  return out;
}

Status RetentionRunner::passTable(RetentionTable table,
                                  const std::map<std::string, Cutoffs>& schools,
                                  const Cutoffs& defaults, RetentionReport& report) {
  auto cutoffOf = [table](const Cutoffs& c) {
    switch (table) {
      case RetentionTable::kSecurityEvents:
      case RetentionTable::kAlerts:
        return c.security;
      case RetentionTable::kActivityEvents:
        return c.activity;
      case RetentionTable::kVisits:
        return c.browsing;
      case RetentionTable::kSessions:
        return c.sessions;
    }
    return int64_t{0};
  };
  int64_t newest_cutoff = cutoffOf(defaults);
  for (const auto& [id, c] : schools) newest_cutoff = std::max(newest_cutoff, cutoffOf(c));

  RetentionTableCount& count = report.tables[tableName(table)];
  uint32_t batch = options_.batch_rows;
  std::pair<int64_t, int64_t> after{std::numeric_limits<int64_t>::min(), 0};
  while (!stop_) {
    const uint32_t asked = batch;
    XIAOAN_ASSIGN_OR_RETURN(auto candidates,
                            store_.retentionCandidates(table, newest_cutoff, after, asked));
    if (candidates.empty()) break;
    after = {candidates.back().time_ms, candidates.back().id};
    count.scanned += candidates.size();
    std::vector<std::pair<int64_t, int64_t>> rows;
    std::map<std::string, uint64_t> per_school;
    for (const auto& c : candidates) {
      auto it = schools.find(c.school_id);
      int64_t cutoff = cutoffOf(it == schools.end() ? defaults : it->second);
      if (c.time_ms >= cutoff || c.received_at_ms >= cutoff) continue;
      rows.emplace_back(c.id, cutoff);
      ++per_school[c.school_id];
    }
    if (!rows.empty()) {
      XIAOAN_ASSIGN_OR_RETURN(RetentionDeletion done, store_.deleteRows(table, rows));
      count.deleted += done.deleted;
      report.deleted += done.deleted;
      ++report.transactions;
      report.max_hold_ns = std::max(report.max_hold_ns, done.hold_ns);
      for (const auto& [school, n] : per_school) report.schools[school][tableName(table)] += n;
      const auto target = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(options_.target_hold).count());
      if (done.hold_ns > target) {
        batch = std::max(kMinBatchRows, batch / 2);
      } else if (done.hold_ns < target / 4) {
        batch = std::min(options_.batch_rows, batch * 2);
      }
      if (options_.pause.count() > 0) std::this_thread::sleep_for(options_.pause);
    }
    if (candidates.size() < asked) break;
    // Events come in reception order: what follows one received after every cutoff is younger.
    if (byReception(table) && candidates.back().received_at_ms >= newest_cutoff) break;
  }
  return Status::ok();
}

Status RetentionRunner::audit(const RetentionReport& report, const std::string& actor) {
  google::protobuf::Struct detail;
  auto& fields = *detail.mutable_fields();
  fields["deleted"].set_number_value(static_cast<double>(report.deleted));
  fields["transactions"].set_number_value(static_cast<double>(report.transactions));
  fields["max_hold_ms"].set_number_value(static_cast<double>(report.max_hold_ns) / 1e6);
  fields["stopped"].set_bool_value(report.stopped);
  auto& tables = *fields["tables"].mutable_struct_value()->mutable_fields();
  for (const auto& [name, c] : report.tables) {
    tables[name].set_number_value(static_cast<double>(c.deleted));
  }
  auto& schools = *fields["schools"].mutable_struct_value()->mutable_fields();
  for (const auto& [school, counts] : report.schools) {
    auto& s = *schools[school.empty() ? "(none)" : school].mutable_struct_value()->mutable_fields();
    for (const auto& [name, n] : counts) s[name].set_number_value(static_cast<double>(n));
  }
  XIAOAN_ASSIGN_OR_RETURN(std::string json, toCompactJson(detail));
  return store_.recordAudit({unixMs(clock_.now()), actor, "retention.run", "*", json});
}

Result<RetentionReport> RetentionRunner::runPass(const std::string& actor, bool audit_empty) {
  Cutoffs defaults{};
  XIAOAN_ASSIGN_OR_RETURN(auto schools, schoolCutoffs(defaults));
  RetentionReport report;
  Status failed = Status::ok();
  for (RetentionTable table : kTables) {
    failed = passTable(table, schools, defaults, report);
    if (!failed.isOk() || stop_) break;
  }
  report.stopped = stop_;
  // What was deleted before a failure is still recorded.
  if (report.deleted > 0 || audit_empty) XIAOAN_RETURN_IF_ERROR(audit(report, actor));
  if (!failed.isOk()) return failed;
  return report;
}

RetentionScheduler::RetentionScheduler(std::unique_ptr<Store> store, const Clock& clock,
                                       RetentionOptions options, std::chrono::seconds interval,
                                       std::chrono::seconds first_delay)
    : store_(std::move(store)),
      runner_(*store_, clock, options),
      interval_(interval),
      first_delay_(first_delay) {}

RetentionScheduler::~RetentionScheduler() { stop(); }

void RetentionScheduler::start() {
  thread_ = std::thread([this] { run(); });
}

void RetentionScheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  runner_.stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionScheduler::run() {
  auto log = componentLogger(LogComponent::kCollector);
  std::unique_lock lock(mu_);
  std::chrono::seconds wait = first_delay_;
  while (!cv_.wait_for(lock, wait, [this] { return stopping_; })) {
    lock.unlock();
    auto report = runner_.runPass("collector", false);
    if (!report.isOk()) {
      log->error("retention pass failed: {}", report.status().toString());
    } else if (report->deleted > 0) {
      log->info("retention pass deleted {} rows in {} transactions (longest {} ms)",
                report->deleted, report->transactions, report->max_hold_ns / 1'000'000);
    }
    lock.lock();
    wait = interval_;
  }
}

}  // namespace xiaoan::collector
