#pragma once

#include <string>
#include <vector>

#include <sqlite3.h>

#include "service/collector/store/store.h"

namespace xiaoan::collector::bench {

// The baseline of the ingest benchmark: a raw SQLite insert into a database with the
// collector's schema and connection settings (WAL, synchronous=FULL), one transaction per
// batch, one prepared INSERT, nothing else.
class RawInserter {
 public:
  RawInserter() = default;
  ~RawInserter();
  RawInserter(const RawInserter&) = delete;
  RawInserter& operator=(const RawInserter&) = delete;

  bool open(const std::string& path);
  // Inserts one batch in one transaction; returns the seconds it took, negative on failure.
  double insertBatch(const std::string& agent_id, const std::vector<EventRow>& rows);

 private:
  bool exec(const char* sql);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace xiaoan::collector::bench
