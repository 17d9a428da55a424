// Browsing records: the first read of a 100 000-visit Chromium History (target <= 1 s) and a
// poll with nothing new (target <= 5 ms CPU), with the sqlite3 CLI's count over the same join
// in the same run as the reference. A manual benchmark: prints figures, asserts nothing.
//   build/rel/bin/xiaoan_browsing_bench [VISITS=100000]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "agent/browsing/history_collector.h"
#include "agent/browsing/history_reader.h"
#include "agent/browsing/history_snapshot.h"
#include "platform/clock.h"
#include "platform/command_runner.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace xiaoan;
using namespace xiaoan::agent::browsing;

class CountingSink final : public BrowsingSink {
 public:
  Status append(v1::Event payload, v1::Priority) override {
    visits += static_cast<uint64_t>(payload.browsing_visits().visits_size());
    return Status::ok();
  }
  uint64_t visits = 0;
};

void mustExec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    std::exit(1);
  }
}

// A History like a busy profile's: `visits` visits over 90 days to visits/5 distinct URLs.
void buildHistory(const std::string& path, int visits) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  mustExec(db,
           "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);"
           "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title "
           "LONGVARCHAR, visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT "
           "NULL, last_visit_time INTEGER NOT NULL DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL);"
           "CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT, url INTEGER NOT NULL, "
           "visit_time INTEGER NOT NULL, from_visit INTEGER, transition INTEGER DEFAULT 0 NOT "
           "NULL, segment_id INTEGER, visit_duration INTEGER DEFAULT 0 NOT NULL, "
           "originator_cache_guid TEXT);"
           "CREATE TABLE visit_source(id INTEGER PRIMARY KEY, source INTEGER NOT NULL);"
           "CREATE INDEX visits_time_index ON visits(visit_time);"
           "CREATE INDEX visits_url_index ON visits(url);"
           "BEGIN;");
  sqlite3_stmt* u = nullptr;
  sqlite3_stmt* v = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO urls(id,url,title) VALUES(?1,?2,?3)", -1, &u, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO visits(url,visit_time,transition,visit_duration) "
                     "VALUES(?1,?2,?3,?4)",
                     -1, &v, nullptr);
  const int urls = std::max(1, visits / 5);
  for (int i = 1; i <= urls; ++i) {
    const std::string url = "https://site" + std::to_string(i % 3000) + ".edu.cn/page/" +
                            std::to_string(i) + "?q=" + std::to_string(i * 7);
    const std::string title = "第" + std::to_string(i) + "课 课堂练习与作业 - 学习平台";
    sqlite3_bind_int(u, 1, i);
    sqlite3_bind_text(u, 2, url.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(u, 3, title.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(u);
    sqlite3_reset(u);
  }
  const int64_t start = int64_t{13400000000000000};
  const int64_t step = int64_t{90} * 86400 * 1000000 / visits;
  for (int i = 0; i < visits; ++i) {
    sqlite3_bind_int(v, 1, 1 + (i * 7919) % urls);
    sqlite3_bind_int64(v, 2, start + i * step);
    sqlite3_bind_int(v, 3, i % 10 == 0 ? 3 : (i % 3 == 0 ? 1 : 0));
    sqlite3_bind_int(v, 4, (i % 50) * 1000000);
    sqlite3_step(v);
    sqlite3_reset(v);
  }
  sqlite3_finalize(u);
  sqlite3_finalize(v);
  mustExec(db, "COMMIT;");
  sqlite3_close(db);
}

double ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

int main(int argc, char** argv) {
  const int visits = argc > 1 ? std::atoi(argv[1]) : 100000;
  testing::TempDir tmp;
  std::filesystem::create_directories(tmp.sub("home/Default"));
  const std::string db = tmp.sub("home/Default/History");
  buildHistory(db, visits);
  const uint64_t bytes = std::filesystem::file_size(db);

  // Reference: the sqlite3 CLI counting the same join (process start, open, full scan).
  uint64_t t = steadyNs();
  auto cli =
      runCommand({"sqlite3", db, "SELECT count(*) FROM visits v JOIN urls u ON u.id = v.url"});
  const uint64_t cli_ns = steadyNs() - t;
  if (!cli.isOk() || cli->exit_code != 0) {
    std::fprintf(stderr,
                 "sqlite3 CLI failed (install it: packaging/scripts/install-deps.sh --test)\n");
    return 1;
  }

  SystemClock clock;
  CountingSink sink;
  CursorStore cursors(tmp.sub("cursors"));
  CollectorOptions o;
  o.snapshot.work_dir = tmp.sub("work");
  o.max_visits_per_poll = static_cast<size_t>(visits) + 1;
  HistoryCollector collector(o, clock, cursors, sink);
  const BrowserProfile profile{0, "bench", v1::BROWSER_KIND_CHROME, "Default", db, false};
  const v1::BrowsingPolicy policy;
  const VisitBuilder builder(policy);
  const SiteMatcher matcher(policy);

  t = steadyNs();
  uint64_t cpu = threadCpuTimeNs();
  auto first = collector.poll(profile, builder, matcher);
  const uint64_t first_cpu = threadCpuTimeNs() - cpu;
  const uint64_t first_ns = steadyNs() - t;
  if (!first.status.isOk()) {
    std::fprintf(stderr, "first read: %s\n", first.status.toString().c_str());
    return 1;
  }

  constexpr int kIdlePolls = 200;
  uint64_t idle_max = 0;
  cpu = threadCpuTimeNs();
  for (int i = 0; i < kIdlePolls; ++i) {
    const uint64_t c = threadCpuTimeNs();
    (void)collector.poll(profile, builder, matcher);
    idle_max = std::max(idle_max, threadCpuTimeNs() - c);
  }
  const uint64_t idle_avg = (threadCpuTimeNs() - cpu) / kIdlePolls;

  // Changed file, nothing new (the browser rewrote a page): a full copy and an empty query.
  std::filesystem::last_write_time(db, std::filesystem::file_time_type::clock::now());
  cpu = threadCpuTimeNs();
  auto touched = collector.poll(profile, builder, matcher);
  const uint64_t touched_cpu = threadCpuTimeNs() - cpu;

  // Where the first read's time goes: the copy, the SQLite read, building the visits.
  HistorySnapshot snapshot(o.snapshot);
  cpu = threadCpuTimeNs();
  (void)snapshot.copy(db, 0);
  const uint64_t copy_cpu = threadCpuTimeNs() - cpu;
  cpu = threadCpuTimeNs();
  auto reader = HistoryReader::open(snapshot.copyPath());
  std::vector<RawVisit> raw;
  for (HistoryCursor c; reader.isOk();) {
    auto batch = reader->readAfter(c, kMaxVisitsPerBatch);
    if (!batch.isOk() || batch->visits.empty()) break;
    c = batch->next;
    for (auto& v : batch->visits) raw.push_back(std::move(v));
  }
  const uint64_t read_cpu = threadCpuTimeNs() - cpu;
  cpu = threadCpuTimeNs();
  size_t built = 0;
  for (const RawVisit& v : raw) built += builder.build(profile, v).has_value();
  const uint64_t build_cpu = threadCpuTimeNs() - cpu;

  std::printf("history: %d visits (%llu sent, subframes dropped), %.1f MiB\n", visits,
              static_cast<unsigned long long>(sink.visits), static_cast<double>(bytes) / 1048576);
  std::printf("reference sqlite3 CLI count(*) over the join: %.1f ms wall\n", ms(cli_ns));
  std::printf(
      "first read (copy + read + events): %.1f ms wall, %.1f ms CPU (target <= 1000 ms); "
      "%.1f x the CLI count\n",
      ms(first_ns), ms(first_cpu), static_cast<double>(first_ns) / static_cast<double>(cli_ns));
  std::printf(
      "poll with nothing new (unchanged file): %.3f ms CPU average, %.3f ms max over %d "
      "(target <= 5 ms); %.4f x the CLI count\n",
      ms(idle_avg), ms(idle_max), kIdlePolls,
      static_cast<double>(idle_avg) / static_cast<double>(cli_ns));
  std::printf("poll after a rewrite with nothing new (copy + empty query): %.1f ms CPU (%s)\n",
              ms(touched_cpu), touched.status.isOk() ? "ok" : touched.status.toString().c_str());
  std::printf(
      "first read breakdown (CPU): copy %.1f ms, SQLite read %.1f ms (%zu rows), building "
      "%zu visits %.1f ms\n",
      ms(copy_cpu), ms(read_cpu), raw.size(), built, ms(build_cpu));
  return 0;
}
