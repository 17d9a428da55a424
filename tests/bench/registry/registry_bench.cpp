// xiaoan_registry_bench: the seat registry's two costs an admin waits for, each beside a raw
// SQLite reference on the same file settings (WAL, synchronous=FULL) in the same run:
//   import  — a 5 000-row GBK CSV decoded, parsed, checked against the database and written
//             (replacing the school's table and re-matching its 5 000 terminals), against a
//             raw prepared INSERT of the same rows in one transaction;
//   compliance — the report over 20 000 terminals (store query + conflicts + counts + JSON),
//             against a raw SELECT of the same join.
//   xiaoan_registry_bench [--rows 5000] [--terminals 20000] [--runs 5]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/proto_json.h"
#include "service/collector/registry/compliance_report.h"
#include "service/collector/registry/registry_csv.h"
#include "service/collector/store/sqlite_store.h"
#include "tests/service/collector/support/temp_dir.h"

namespace xiaoan::collector::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kNow = 1'800'000'000'000;

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string mac(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "02:00:%02x:%02x:%02x:%02x", (i >> 24) & 0xff, (i >> 16) & 0xff,
                (i >> 8) & 0xff, i & 0xff);
  return buf;
}

std::string ip(int i) {
  return "10." + std::to_string(1 + i / 65536 % 200) + "." + std::to_string(i / 250 % 256) + "." +
         std::to_string(2 + i % 250);
}

// Rooms of 50 seats; every 10th row is a teacher's PC with a Chinese name.
std::string csvOf(int rows) {
  std::string out = "房间,座位号,使用人,MAC地址,IP地址,网关,DNS,命名规则\r\n";
  for (int i = 0; i < rows; ++i) {
    std::string gw = ip(i);
    gw = gw.substr(0, gw.rfind('.')) + ".1";
    out += "机房" + std::to_string(i / 50) + "," + std::to_string(i % 50 + 1) + "," +
           (i % 10 == 0 ? "李维" + std::to_string(i) : "") + "," + mac(i) + "," + ip(i) + "/24," +
           gw + ",10.1.0.53;10.1.0.54,\r\n";
  }
  return out;
}

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000",
                 nullptr, nullptr, nullptr);
  }
  ~Db() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::fprintf(stderr, "sql: %s\n", err);
      sqlite3_free(err);
      std::exit(1);
    }
  }
};

// `n` terminals of school s1 in rooms of 50, every one matched to its entry, with a stored
// compliance status (every 7th in violation), all but every 100th checked in now.
void populateTerminals(Db& raw, int n, bool compliance) {
  raw.exec("BEGIN");
  sqlite3_stmt* t = nullptr;
  sqlite3_prepare_v2(raw.db,
                     "INSERT INTO terminals(id, school_id, hostname, macs, ipv4, room, "
                     "last_checkin, registry_mac, registry_since, created_at) "
                     "VALUES(?1, 's1', ?2, ?3, ?4, ?5, ?6, ?3, ?7, ?7)",
                     -1, &t, nullptr);
  sqlite3_stmt* c = nullptr;
  sqlite3_prepare_v2(raw.db,
                     "INSERT INTO terminal_compliance(terminal_id, state, kinds, status, "
                     "updated_at) VALUES(?1, ?2, ?3, x'0802', ?4)",
                     -1, &c, nullptr);
  for (int i = 0; i < n; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "%032x", i + 1);
    std::string host = "lab" + std::to_string(i / 50) + "-" + std::to_string(i % 50 + 1);
    std::string m = mac(i), a = ip(i) + "/24", room = "机房" + std::to_string(i / 50);
    sqlite3_bind_text(t, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(t, 2, host.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(t, 3, m.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(t, 4, a.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(t, 5, room.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(t, 6, i % 100 == 0 ? kNow - 3'600'000 : kNow);
    sqlite3_bind_int64(t, 7, kNow);
    sqlite3_step(t);
    sqlite3_reset(t);
    if (!compliance) continue;
    sqlite3_bind_text(c, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(c, 2, i % 7 == 0 ? 3 : 2);
    sqlite3_bind_text(c, 3, i % 7 == 0 ? "1" : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(c, 4, kNow);
    sqlite3_step(c);
    sqlite3_reset(c);
  }
  sqlite3_finalize(t);
  sqlite3_finalize(c);
  raw.exec("COMMIT");
}

double rawInsert(Db& raw, const std::vector<RegistryEntry>& entries) {
  auto start = Clock::now();
  raw.exec("BEGIN IMMEDIATE; DELETE FROM registry_entries WHERE school_id = 'raw'");
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw.db,
                     "INSERT INTO registry_entries(mac, school_id, room, seat, owner, ipv4, ip, "
                     "gateway, dns, naming, line, revision, updated_at) "
                     "VALUES(?1, 'raw', ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', 0, 1, 0)",
                     -1, &st, nullptr);
  for (const auto& e : entries) {
    std::string m = "raw" + e.mac, a = "raw" + e.ipv4;  // other keys: both tables coexist
    sqlite3_bind_text(st, 1, m.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, e.room.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, static_cast<int>(e.seat));
    sqlite3_bind_text(st, 4, e.owner.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, e.ipv4.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, a.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, e.gateway.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, "10.1.0.53,10.1.0.54", -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  raw.exec("COMMIT");
  return msSince(start);
}

// One import through the collector's code: decode + parse + checks + replace + re-match.
double importOnce(SqliteStore& store, const std::string& bytes, const TextCodec& codec,
                  std::vector<RegistryEntry>* entries) {
  auto start = Clock::now();
  auto parsed = parseRegistryCsv(bytes, CsvEncoding::kAuto, codec, nullptr);
  auto keys = store.registryKeys("s1");
  if (!parsed.isOk() || !keys.isOk()) std::exit(1);
  RegistryContext ctx;
  ctx.rooms.insert(keys->rooms.begin(), keys->rooms.end());
  ctx.other_macs.insert(keys->other_macs.begin(), keys->other_macs.end());
  ctx.other_ips.insert(keys->other_ips.begin(), keys->other_ips.end());
  ctx.create_rooms = true;
  auto rooms = checkAgainstDatabase(*parsed, ctx);
  if (!parsed->issues.empty()) {
    std::fprintf(stderr, "line %d: %s\n", parsed->issues[0].line, parsed->issues[0].en.c_str());
    std::exit(1);
  }
  auto st = store.replaceRegistry("s1", parsed->entries, {rooms.begin(), rooms.end()}, kNow,
                                  {kNow, "bench", "registry.import", "s1", "{}"});
  if (!st.isOk()) std::exit(1);
  double ms = msSince(start);
  *entries = parsed->entries;
  return ms;
}

void addSchool(SqliteStore& store, const std::string& id) {
  if (!store.addSchool({id, "School", "S", kNow}, {kNow, "bench", "school.add", id, "{}"}).isOk()) {
    std::exit(1);
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void benchImport(int rows, int runs) {
  testing::TempDir dir;
  auto store = SqliteStore::open(dir.file("collector.db"), true);
  if (!store.isOk()) std::exit(1);
  addSchool(**store, "s1");
  addSchool(**store, "raw");
  Db raw(dir.file("collector.db"));
  populateTerminals(raw, rows, false);
  auto codec = makeTextCodec();
  auto gbk = codec->fromUtf8(csvOf(rows), Charset::kGbk);
  if (!gbk.isOk()) std::exit(1);
  std::vector<double> ours, reference;
  std::vector<RegistryEntry> entries;
  for (int r = 0; r < runs; ++r) {
    // Every run replaces the whole table (delete + insert) and re-matches the terminals.
    ours.push_back(importOnce(**store, *gbk, *codec, &entries));
    reference.push_back(rawInsert(raw, entries));
  }
  double o = median(ours), ref = median(reference);
  std::printf(
      "import %d rows (GBK, %zu bytes, %d terminals re-matched): median %.1f ms "
      "(target <= 2000 ms); raw SQLite insert %.1f ms; ratio %.1fx\n",
      rows, gbk->size(), rows, o, ref, o / ref);
}

double rawSelect(Db& raw) {
  auto start = Clock::now();
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(
      raw.db,
      "SELECT t.id, t.school_id, t.room, t.hostname, t.macs, t.ipv4, t.last_checkin, "
      "t.enrolled_at, c.status, c.state, c.kinds, t.registry_mac, t.registry_since, e.school_id, "
      "e.room, e.seat, e.owner, e.mac, e.ipv4, e.gateway, e.dns, e.naming, e.line, e.revision, "
      "e.updated_at FROM terminals t LEFT JOIN terminal_compliance c ON c.terminal_id = t.id "
      "LEFT JOIN registry_entries e ON e.mac = t.registry_mac AND t.registry_mac <> '' "
      "ORDER BY t.school_id, t.room, e.seat, t.hostname, t.id",
      -1, &st, nullptr);
  size_t bytes = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < 25; ++i) bytes += static_cast<size_t>(sqlite3_column_bytes(st, i));
  }
  sqlite3_finalize(st);
  double ms = msSince(start);
  if (bytes == 0) std::exit(1);
  return ms;
}

void benchCompliance(int terminals, int runs) {
  testing::TempDir dir;
  auto store = SqliteStore::open(dir.file("collector.db"), true);
  if (!store.isOk()) std::exit(1);
  addSchool(**store, "s1");
  auto codec = makeTextCodec();
  std::vector<RegistryEntry> entries;
  (void)importOnce(**store, csvOf(terminals), *codec, &entries);
  Db raw(dir.file("collector.db"));
  populateTerminals(raw, terminals, true);
  std::vector<double> ours, reference;
  size_t json_bytes = 0;
  for (int r = 0; r < runs; ++r) {
    auto start = Clock::now();
    auto rows = (*store)->complianceRows("", "");
    if (!rows.isOk()) std::exit(1);
    ComplianceOptions options;
    options.now_ms = kNow + 1000;
    auto json = toCompactJson(buildComplianceReport(*rows, options));
    ours.push_back(msSince(start));
    json_bytes = json.isOk() ? json->size() : 0;
    reference.push_back(rawSelect(raw));
  }
  double o = median(ours), ref = median(reference);
  std::printf(
      "compliance over %d terminals (report JSON %zu bytes): median %.1f ms "
      "(target <= 200 ms); raw SQLite select %.1f ms; ratio %.1fx\n",
      terminals, json_bytes, o, ref, o / ref);
}

}  // namespace
}  // namespace xiaoan::collector::bench

int main(int argc, char** argv) {
  int rows = 5000, terminals = 20000, runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--terminals") == 0) terminals = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
  }
  xiaoan::collector::bench::benchImport(rows, runs);
  xiaoan::collector::bench::benchCompliance(terminals, runs);
  return 0;
}
