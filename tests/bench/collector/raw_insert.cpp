#include "tests/bench/collector/raw_insert.h"

#include <chrono>
#include <cstdio>

#include "service/collector/store/sqlite_store.h"

namespace xiaoan::collector::bench {

RawInserter::~RawInserter() {
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

bool RawInserter::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) == SQLITE_OK) return true;
  std::fprintf(stderr, "raw insert: %s: %s\n", sql, err != nullptr ? err : "?");
  sqlite3_free(err);
  return false;
}

bool RawInserter::open(const std::string& path) {
  {
    auto schema = SqliteStore::open(path, true);  // the same schema; closed again
    if (!schema.isOk()) return false;
  }
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return false;
  return exec("PRAGMA journal_mode=WAL") && exec("PRAGMA synchronous=FULL") &&
         sqlite3_prepare_v2(db_,
                            "INSERT OR IGNORE INTO events(agent_id, stream, epoch, seq, type, "
                            "priority, wall_time, received_at, body, payload_json) "
                            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            -1, &insert_, nullptr) == SQLITE_OK;
}

double RawInserter::insertBatch(const std::string& agent, const std::vector<EventRow>& rows) {
  auto start = std::chrono::steady_clock::now();
  if (!exec("BEGIN IMMEDIATE")) return -1;
  for (const auto& r : rows) {
    sqlite3_bind_text(insert_, 1, agent.data(), static_cast<int>(agent.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 2, r.stream.data(), static_cast<int>(r.stream.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(insert_, 3, static_cast<int64_t>(r.epoch));
    sqlite3_bind_int64(insert_, 4, static_cast<int64_t>(r.seq));
    sqlite3_bind_text(insert_, 5, r.type.data(), static_cast<int>(r.type.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert_, 6, r.priority);
    sqlite3_bind_int64(insert_, 7, r.wall_time_ms);
    sqlite3_bind_int64(insert_, 8, 1);
    sqlite3_bind_blob(insert_, 9, r.body.data(), static_cast<int>(r.body.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 10, r.payload_json.data(), static_cast<int>(r.payload_json.size()),
                      SQLITE_STATIC);
    int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) {
      std::fprintf(stderr, "raw insert: %s\n", sqlite3_errmsg(db_));
      return -1;
    }
  }
  if (!exec("COMMIT")) return -1;
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return took.count();
}

}  // namespace xiaoan::collector::bench
