#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <doctest/doctest.h>

#include "platform/clock.h"
#include "service/collector/collector_server.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/init_command.h"
#include "tests/service/collector/support/temp_dir.h"

namespace xiaoan::collector::testing {

// A data dir made by the real `init`, and raw SQLite access to its database for the tests.
struct InitedDir {
  TempDir tmp;
  std::string data_dir = tmp.file("data");

  InitedDir() {
    InitOptions init;
    init.data_dir = data_dir;
    init.admin_password_file = tmp.write("admin.pw", "test-admin-password\n");
    auto made = initDataDir(init);
    REQUIRE_MESSAGE(made.isOk(), made.status().toString());
  }
  std::string db() const { return dbPath(data_dir); }
};

// Runs `sql` on `path` with a plain sqlite3 connection (the way a person with sqlite3 would).
inline void rawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, msg);
}

// SELECT of one integer on `path` (-1 when it fails).
inline int64_t rawInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t out = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

// Fills `path` with `rows` rows of ~200 bytes in table filler (one transaction).
inline void addFiller(const std::string& path, int rows) {
  rawExec(path,
          "CREATE TABLE IF NOT EXISTS filler(id INTEGER PRIMARY KEY, v TEXT NOT NULL);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
              std::to_string(rows) + ") INSERT INTO filler(v) SELECT printf('%0200d', i) FROM n;");
}

// Overwrites the first `bytes` of the last page of a database file (no WAL left) with 0xA5.
inline void corruptLastPage(const std::string& path, size_t bytes = 512) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f.good());
  unsigned char header[18] = {};
  f.read(reinterpret_cast<char*>(header), sizeof header);
  uint32_t page_size = (header[16] << 8) | header[17];
  if (page_size == 1) page_size = 65536;
  const auto size = std::filesystem::file_size(path);
  REQUIRE(size >= 2 * page_size);
  f.seekp(static_cast<std::streamoff>(size - page_size));
  f << std::string(bytes, static_cast<char>(0xA5));
  f.flush();
  REQUIRE(f.good());
}

// CollectorServer::create on `data_dir` (nothing listens).
inline Result<std::unique_ptr<CollectorServer>> createServer(const std::string& data_dir,
                                                             DbCheck check = DbCheck::kQuick) {
  static SystemClock clock;
  CollectorConfig config;
  config.data_dir = data_dir;
  config.agent_listener.port = 0;
  config.admin_listener.port = 0;
  config.db_check = check;
  config.lang = Lang::kEn;
  return CollectorServer::create(config, clock);
}

}  // namespace xiaoan::collector::testing
