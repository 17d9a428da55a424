#pragma once

// Helpers for the browsing tests: real SQLite history databases in the Chromium and Firefox
// layouts (written through the SQLite C API, as the browsers do), and a sink that records the
// events the agent would spool.
#include <sqlite3.h>

#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/browsing/browsing_sink.h"

namespace xiaoan::testing {

inline constexpr int64_t kChromeEpochOffset = 11644473600000000;

// One open connection to a test database; every statement must succeed.
class TestDb {
 public:
  explicit TestDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open " + path);
  }
  ~TestDb() { sqlite3_close(db_); }
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(sql.substr(0, 80) + ": " + msg);
    }
  }
  int64_t scalar(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
  }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// The tables of a Chromium `History` the reader uses (columns of schema 70, fewer of them).
inline void createChromiumSchema(TestDb& db) {
  db.exec(
      "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);"
      "INSERT INTO meta VALUES('version','70');"
      "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,"
      " visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL,"
      " last_visit_time INTEGER NOT NULL DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL);"
      "CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT, url INTEGER NOT NULL,"
      " visit_time INTEGER NOT NULL, from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL,"
      " segment_id INTEGER, visit_duration INTEGER DEFAULT 0 NOT NULL,"
      " originator_cache_guid TEXT);"
      "CREATE TABLE visit_source(id INTEGER PRIMARY KEY, source INTEGER NOT NULL);"
      "CREATE INDEX visits_time_index ON visits(visit_time);");
}

inline std::string sqlQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// Adds a visit at `unix_us` (a new urls row each time); returns nothing: ids are AUTOINCREMENT.
inline void addChromiumVisit(TestDb& db, const std::string& url, const std::string& title,
                             int64_t unix_us, int transition = 1, int64_t duration_us = 0) {
  db.exec("INSERT INTO urls(url,title,last_visit_time) VALUES(" + sqlQuote(url) + "," +
          sqlQuote(title) + "," + std::to_string(unix_us + kChromeEpochOffset) + ");" +
          "INSERT INTO visits(url,visit_time,transition,visit_duration) VALUES(" +
          "last_insert_rowid()," + std::to_string(unix_us + kChromeEpochOffset) + "," +
          std::to_string(transition) + "," + std::to_string(duration_us) + ");");
}

// A Firefox places.sqlite in WAL mode (Firefox's own journal mode).
inline void createFirefoxSchema(TestDb& db) {
  db.exec(
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,"
      " rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,"
      " typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,"
      " last_visit_date INTEGER, guid TEXT);"
      "CREATE TABLE moz_historyvisits(id INTEGER PRIMARY KEY, from_visit INTEGER,"
      " place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER);");
}

inline void addFirefoxVisit(TestDb& db, const std::string& url, const std::string& title,
                            int64_t unix_us, int visit_type = 1) {
  db.exec("INSERT INTO moz_places(url,title,last_visit_date) VALUES(" + sqlQuote(url) + "," +
          sqlQuote(title) + "," + std::to_string(unix_us) + ");" +
          "INSERT INTO moz_historyvisits(place_id,visit_date,visit_type) VALUES(" +
          "last_insert_rowid()," + std::to_string(unix_us) + "," + std::to_string(visit_type) +
          ");");
}

// Records what would go to the spool; can be made to fail like a full spool.
class RecordingSink final : public agent::browsing::BrowsingSink {
 public:
  Status append(v1::Event payload, v1::Priority priority) override {
    std::lock_guard lock(mu_);
    if (fail_) return Status(ErrorCode::kSpoolFull, "spool full (test)");
    payload.set_priority(priority);
    events_.push_back(std::move(payload));
    return Status::ok();
  }
  void setFail(bool fail) {
    std::lock_guard lock(mu_);
    fail_ = fail;
  }
  std::vector<v1::Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  // Every visit sent, in order.
  std::vector<v1::BrowsingVisit> visits() const {
    std::vector<v1::BrowsingVisit> out;
    for (const auto& e : events()) {
      for (const auto& v : e.browsing_visits().visits()) out.push_back(v);
    }
    return out;
  }
  std::vector<v1::BrowsingHistoryEvent> history() const {
    std::vector<v1::BrowsingHistoryEvent> out;
    for (const auto& e : events()) {
      if (e.has_browsing_history()) out.push_back(e.browsing_history());
    }
    return out;
  }
  std::vector<v1::SiteAlertEvent> alerts() const {
    std::vector<v1::SiteAlertEvent> out;
    for (const auto& e : events()) {
      if (e.has_site_alert()) out.push_back(e.site_alert());
    }
    return out;
  }
  void clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  mutable std::mutex mu_;
  bool fail_ = false;
  std::vector<v1::Event> events_;
};

}  // namespace xiaoan::testing
