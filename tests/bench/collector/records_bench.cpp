// xiaoan_records_bench: browsing records at the collector (issue 12).
//   1. ingest: N visits as agents upload them (EventBatch protobuf of 2 events x 500 visits,
//      decoded and validated, written by the IngestWriter with group commit, synchronous=FULL)
//      against a raw SQLite insert of the same rows into the same table and indexes, one
//      transaction per batch, in the same run;
//   2. search: a table of --rows visits (10 000 000 by default; a school year of 200 PCs),
//      domain + 7-day time range, first page of 100, newest first: p50/p95/max;
//   3. retention: a pass over that table with the clock 90 days on (about half the rows go)
//      while a writer keeps inserting: deleted rows, passes' longest writer hold, and the
//      longest wait the concurrent writer saw.
//
//   xiaoan_records_bench [--ingest 1000000] [--rows 10000000] [--queries 200] [--dir DIR]
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "platform/logging.h"
#include "service/collector/agent_api/agent_codec.h"
#include "service/collector/agent_api/agent_jobs.h"
#include "service/collector/agent_api/ingest_writer.h"
#include "service/collector/retention_job.h"
#include "service/collector/store/sqlite_records.h"
#include "service/collector/store/sqlite_store.h"
#include "service/collector/trust/crypto_util.h"
#include "tests/fakes/fake_clock.h"
#include "tests/service/collector/support/temp_dir.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector::bench {
namespace {

using Clock = std::chrono::steady_clock;
using google::protobuf::util::TimeUtil;

constexpr int64_t kDayMs = 86'400'000;
constexpr int kVisitsPerEvent = 500;
constexpr int kEventsPerBatch = 2;
constexpr int kDomains = 5000;
constexpr int kTerminals = 200;

struct Options {
  uint64_t ingest = 1'000'000;
  uint64_t rows = 10'000'000;
  int queries = 200;
  std::string dir;  // "" = a temporary directory
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "xiaoan_records_bench: %s\n", what.c_str());
  std::exit(1);
}

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Domains are skewed like real browsing: a few very popular, a long tail.
std::string domainOf(uint64_t n) { return "site" + std::to_string(n % kDomains) + ".example.cn"; }
uint64_t skewedDomain(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  double x = u(rng);
  return static_cast<uint64_t>(x * x * x * kDomains);
}

v1::BrowsingVisit makeVisit(uint64_t n, int64_t now_ms, std::mt19937_64& rng) {
  v1::BrowsingVisit v;
  char key[33];
  std::snprintf(key, sizeof key, "%016llx%016llx", static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(rng()));
  v.set_key(key);
  v.set_user("student" + std::to_string(n % 40));
  v.set_browser(v1::BROWSER_KIND_CHROME);
  v.set_profile("Default");
  std::string domain = domainOf(skewedDomain(rng));
  v.set_domain("www." + domain);
  v.set_url("https://www." + domain + "/page/" + std::to_string(n % 997) +
            "?q=" + std::to_string(n));
  v.set_title("第 " + std::to_string(n % 997) + " 页 - 学习资料");
  *v.mutable_visit_time() =
      TimeUtil::MillisecondsToTimestamp(now_ms - static_cast<int64_t>(n % 1000));
  v.set_transition(v1::VISIT_TRANSITION_LINK);
  return v;
}

// One upload: kEventsPerBatch events of kVisitsPerEvent visits each.
std::string makeBatch(uint64_t first_visit, uint64_t seq, int64_t now_ms, std::mt19937_64& rng) {
  v1::EventBatch b;
  for (int e = 0; e < kEventsPerBatch; ++e) {
    auto* ev = b.add_events();
    ev->set_stream("activity");
    ev->set_epoch(1);
    ev->set_seq(seq + static_cast<uint64_t>(e));
    ev->set_priority(v1::PRIORITY_ACTIVITY);
    *ev->mutable_wall_time() = TimeUtil::MillisecondsToTimestamp(now_ms);
    auto* visits = ev->mutable_browsing_visits();
    for (int i = 0; i < kVisitsPerEvent; ++i) {
      *visits->add_visits() =
          makeVisit(first_visit + static_cast<uint64_t>(e * kVisitsPerEvent + i), now_ms, rng);
    }
  }
  return b.SerializeAsString();
}

// A fresh database with school "b", one enrolled agent "bench-agent"; returns its terminal.
std::string prepare(SqliteStore& store, int64_t now_ms) {
  AuditRow audit{now_ms, "bench", "school.add", "b", "{}"};
  if (!store.addSchool({"b", "Bench", "B", now_ms}, audit).isOk()) die("add school");
  TokenRow t;
  t.id = "be";
  t.secret_sha256_hex = sha256Hex("s");
  t.school_id = "b";
  if (!store.addToken(t, audit).isOk()) die("add token");
  EnrollParams p;
  p.token_id = "be";
  p.token_secret_sha256_hex = sha256Hex("s");
  p.agent_id = "bench-agent";
  p.cert_serial_hex = "01";
  p.hostname = "JF1-01";
  p.macs = {"02:00:00:00:00:01"};
  p.now_ms = now_ms;
  auto txn = store.beginWrite();
  if (!txn.isOk()) die("begin");
  auto out = (*txn)->enroll(p);
  if (!out.isOk() || !(*txn)->commit().isOk()) die("enroll");
  return out->terminal_id;
}

// Rows of the collector's visits table written with the plain sqlite3 API.
class RawVisits {
 public:
  explicit RawVisits(const std::string& path) {
    {
      auto schema = SqliteStore::open(path, true);
      if (!schema.isOk()) die(schema.status().toString());
    }
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) die("raw open");
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    if (sqlite3_prepare_v2(db_,
                           "INSERT OR IGNORE INTO browsing_visits(terminal_id, key, school_id, "
                           "room, seat, user_name, browser, profile, url, domain, rdomain, title, "
                           "visit_time, transition, duration_ms, synced, received_at) "
                           "VALUES(?1, ?2, 'b', '', 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, "
                           "0, ?12)",
                           -1, &insert_, nullptr) != SQLITE_OK) {
      die(sqlite3_errmsg(db_));
    }
  }
  ~RawVisits() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) die(sqlite3_errmsg(db_));
  }
  void insert(const std::string& terminal, const VisitRow& v, int64_t received) {
    auto text = [&](int i, const std::string& s) {
      sqlite3_bind_text(insert_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    };
    text(1, terminal);
    text(2, v.key);
    text(3, v.user);
    sqlite3_bind_int(insert_, 4, v.browser);
    text(5, v.profile);
    text(6, v.url);
    text(7, v.domain);
    text(8, reversedDomain(v.domain));
    text(9, v.title);
    sqlite3_bind_int64(insert_, 10, v.visit_time_ms);
    sqlite3_bind_int(insert_, 11, v.transition);
    sqlite3_bind_int64(insert_, 12, received);
    if (sqlite3_step(insert_) != SQLITE_DONE) die(sqlite3_errmsg(db_));
    sqlite3_reset(insert_);
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

void benchIngest(const Options& opt, const std::string& dir) {
  const int64_t now_ms = 1'800'000'000'000;
  xiaoan::testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms))};
  const uint64_t per_batch = kVisitsPerEvent * kEventsPerBatch;
  const uint64_t batches = (opt.ingest + per_batch - 1) / per_batch;
  std::mt19937_64 rng(1);
  std::vector<std::string> bodies;
  for (uint64_t b = 0; b < batches; ++b) {
    bodies.push_back(makeBatch(b * per_batch, 1 + b * kEventsPerBatch, now_ms, rng));
  }
  const std::string path = dir + "/ingest.db";
  std::string terminal;
  {
    auto store = SqliteStore::open(path, true);
    if (!store.isOk()) die(store.status().toString());
    terminal = prepare(**store, now_ms);
  }
  auto writer_store = SqliteStore::open(path, false);
  if (!writer_store.isOk()) die(writer_store.status().toString());
  IngestWriter writer(std::move(*writer_store), WriterOptions{});
  writer.start();
  auto start = Clock::now();
  // Two uploaders, as the agent API's threads: decode, queue, wait for the commit.
  auto upload = [&](size_t from) {
    for (size_t b = from; b < bodies.size(); b += 2) {
      auto decoded = decodeEventBatch(bodies[b]);
      if (!decoded.isOk()) die(decoded.status().toString());
      std::promise<void> done;
      std::unique_ptr<WriteJob> job = std::make_unique<EventBatchJob>(
          "bench-agent", "127.0.0.1:1", std::move(*decoded), bodies[b].size(), clock,
          RetryAfterRange{}, Responder([&](HttpResponse r) {
            v1::EventBatchResponse res;
            if (r.result_int() != 200 || !res.ParseFromString(r.body()))
              die("ingest answer " + r.body());
            done.set_value();
          }));
      while (!writer.trySubmit(job)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      done.get_future().wait();
    }
  };
  std::thread t1(upload, 0);
  std::thread t2(upload, 1);
  t1.join();
  t2.join();
  double ingest_s = since(start);
  writer.stop();
  uint64_t visits = batches * per_batch;
  // Raw: the same rows (decoded once more, outside the timing) into the same table.
  RawVisits raw(dir + "/raw.db");
  double raw_s = 0;
  for (const auto& body : bodies) {
    auto decoded = decodeEventBatch(body);
    if (!decoded.isOk()) die("decode");
    auto t = Clock::now();
    raw.exec("BEGIN IMMEDIATE");
    for (const auto& e : decoded->events) {
      for (const auto& v : e.visits) raw.insert(terminal, v, now_ms);
    }
    raw.exec("COMMIT");
    raw_s += since(t);
  }
  std::printf("ingest: %llu visits in %.2f s = %.0f visits/s (decode + validate + group commit)\n",
              static_cast<unsigned long long>(visits), ingest_s,
              static_cast<double>(visits) / ingest_s);
  std::printf(
      "raw SQLite insert of the same rows (same table and indexes, 1 txn per 1000): "
      "%.2f s = %.0f visits/s; ratio %.0f %%\n",
      raw_s, static_cast<double>(visits) / raw_s, 100.0 * raw_s / ingest_s);
}

// Fills `rows` visits spread over the last 180 days (fast settings: this is set-up).
void fill(const std::string& path, uint64_t rows, int64_t now_ms) {
  RawVisits raw(path);
  raw.exec("PRAGMA synchronous=OFF");
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int64_t> age(0, 180 * kDayMs);
  auto start = Clock::now();
  VisitRow v;
  v.browser = 1;
  v.profile = "Default";
  v.transition = 1;
  for (uint64_t n = 0; n < rows; ++n) {
    if (n % 50'000 == 0) raw.exec("BEGIN");
    char key[33];
    std::snprintf(key, sizeof key, "%032llx", static_cast<unsigned long long>(n));
    v.key = key;
    std::string domain = domainOf(skewedDomain(rng));
    v.domain = (n % 3 == 0 ? "" : "www.") + domain;
    v.url = "https://" + v.domain + "/p/" + std::to_string(n % 997);
    v.title = "第 " + std::to_string(n % 997) + " 页";
    v.user = "student" + std::to_string(n % 40);
    int64_t t = now_ms - age(rng);
    v.visit_time_ms = t;
    raw.insert("terminal" + std::to_string(n % kTerminals), v, t);
    if (n % 50'000 == 49'999 || n + 1 == rows) raw.exec("COMMIT");
    if (n % 1'000'000 == 999'999) {
      std::fprintf(stderr, "  filled %llu rows (%.0f s)\n", static_cast<unsigned long long>(n + 1),
                   since(start));
    }
  }
  std::printf("fill: %llu visits over 180 days in %.0f s\n", static_cast<unsigned long long>(rows),
              since(start));
}

void benchSearch(const Options& opt, const std::string& path, int64_t now_ms) {
  auto store = SqliteStore::open(path, false);
  if (!store.isOk()) die(store.status().toString());
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> day(7, 175);
  std::vector<double> ms;
  size_t returned = 0;
  for (int i = 0; i < opt.queries; ++i) {
    RecordQuery q;
    q.domain = domainOf(skewedDomain(rng));
    int64_t end = now_ms - day(rng) * kDayMs;
    q.since_ms = end - 7 * kDayMs;
    q.until_ms = end;
    q.limit = 101;  // a page of 100 and the look-ahead row, as the admin API asks
    auto t = Clock::now();
    auto rows = (*store)->searchVisits(q);
    ms.push_back(since(t) * 1000);
    if (!rows.isOk()) die(rows.status().toString());
    returned += rows->size();
  }
  std::printf(
      "search domain (+ subdomains) + 7-day range, page of 100 over %llu visits, %d "
      "queries: p50 %.1f ms, p95 %.1f ms, max %.1f ms (target p95 <= 300 ms); %zu rows\n",
      static_cast<unsigned long long>(opt.rows), opt.queries, percentile(ms, 0.5),
      percentile(ms, 0.95), percentile(ms, 1.0), returned);
}

void benchRetention(const std::string& path, int64_t now_ms) {
  auto store = SqliteStore::open(path, false);
  if (!store.isOk()) die(store.status().toString());
  // 90 days of browsing kept: visits of 90..180 days go.
  xiaoan::testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms))};
  std::atomic<bool> done{false};
  std::atomic<uint64_t> writer_max_ns{0};
  std::atomic<uint64_t> writer_commits{0};
  std::thread writer([&] {
    auto w = SqliteStore::open(path, false);
    if (!w.isOk()) die(w.status().toString());
    TerminalPlace place{"terminal0", "b", "", 0};
    for (uint64_t n = 0; !done; ++n) {
      VisitRow v;
      v.key = "live" + std::to_string(n);
      v.domain = "live.cn";
      v.visit_time_ms = now_ms;
      auto t = Clock::now();
      auto txn = (*w)->beginWrite();
      if (!txn.isOk() || !(*txn)->insertVisits(place, {v}, now_ms).isOk() ||
          !(*txn)->commit().isOk()) {
        die("concurrent insert failed");
      }
      auto ns = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count());
      writer_max_ns = std::max(writer_max_ns.load(), ns);
      ++writer_commits;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  RetentionRunner runner(**store, clock, RetentionOptions{});
  auto start = Clock::now();
  auto report = runner.runPass("bench", false);
  double took = since(start);
  done = true;
  writer.join();
  if (!report.isOk()) die(report.status().toString());
  std::printf(
      "retention pass: deleted %llu visits in %.1f s, %llu transactions, longest "
      "writer hold %.1f ms (target <= 100 ms)\n",
      static_cast<unsigned long long>(report->deleted), took,
      static_cast<unsigned long long>(report->transactions),
      static_cast<double>(report->max_hold_ns) / 1e6);
  std::printf("  concurrent ingest meanwhile: %llu commits, longest begin..commit %.1f ms\n",
              static_cast<unsigned long long>(writer_commits.load()),
              static_cast<double>(writer_max_ns.load()) / 1e6);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--ingest") {
      o.ingest = std::stoull(v);
    } else if (k == "--rows") {
      o.rows = std::stoull(v);
    } else if (k == "--queries") {
      o.queries = std::stoi(v);
    } else if (k == "--dir") {
      o.dir = v;
    } else {
      die("unknown option " + k);
    }
  }
  if (o.queries < 1) die("bad options");
  return o;
}

int run(const Options& opt) {
  setLogLevel("warn");
  testing::TempDir tmp;
  const std::string dir = opt.dir.empty() ? tmp.path() : opt.dir;
  if (opt.ingest > 0) benchIngest(opt, dir);
  if (opt.rows > 0) {
    const int64_t now_ms = 1'800'000'000'000;
    const std::string path = dir + "/search.db";
    fill(path, opt.rows, now_ms);
    benchSearch(opt, path, now_ms);
    benchRetention(path, now_ms);
  }
  return 0;
}

}  // namespace
}  // namespace xiaoan::collector::bench

int main(int argc, char** argv) {
  using namespace xiaoan::collector::bench;
  return run(parseOptions(argc, argv));
}
