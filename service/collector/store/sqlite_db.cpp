#include "service/collector/store/sqlite_db.h"

#include <sqlite3.h>

namespace xiaoan::collector {
namespace {

constexpr int kBusyTimeoutMs = 10'000;

}  // namespace

Status sqliteError(sqlite3* db, const std::string& what) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return Status(ErrorCode::kDatabase, what + ": " + msg);
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::noteBind(int rc) {
  if (rc != SQLITE_OK && bind_error_.isOk()) bind_error_ = sqliteError(db_, "bind");
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  noteBind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  noteBind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

SqliteStatement& SqliteStatement::bindBlob(int index, std::string_view bytes) {
  noteBind(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  return *this;
}

SqliteStatement& SqliteStatement::bindNull(int index) {
  noteBind(sqlite3_bind_null(stmt_, index));
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<int64_t>& value) {
  return value ? bind(index, *value) : bindNull(index);
}

Result<bool> SqliteStatement::step() {
  if (!bind_error_.isOk()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqliteError(db_, "step");
}

Status SqliteStatement::run() {
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return Status::ok();
  }
}

int64_t SqliteStatement::columnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string SqliteStatement::columnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string SqliteStatement::columnBlob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return {};
  return std::string(static_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool SqliteStatement::columnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<int64_t> SqliteStatement::columnOptionalInt64(int column) const {
  if (columnIsNull(column)) return std::nullopt;
  return columnInt64(column);
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = Status::ok();
}

SqliteDb::~SqliteDb() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  if (rc != SQLITE_OK) return sqliteError(raw, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  XIAOAN_RETURN_IF_ERROR(db->exec("PRAGMA journal_mode=WAL"));
  // FULL: a commit is on disk before we acknowledge anything (RELIABILITY.md I5, C1).
  XIAOAN_RETURN_IF_ERROR(db->exec("PRAGMA synchronous=FULL"));
  XIAOAN_RETURN_IF_ERROR(db->exec("PRAGMA foreign_keys=ON"));
  // 32 MiB of page cache (default 2 MiB): the browsing-visit indexes of a school year are
  // hundreds of MiB, and with the default nearly every insert reads its index pages from disk.
  XIAOAN_RETURN_IF_ERROR(db->exec("PRAGMA cache_size=-32768"));
  return db;
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::openExisting(const std::string& path, bool read_only) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  if (rc != SQLITE_OK) return sqliteError(raw, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return db;
}

Status SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::ok();
  std::string msg = err != nullptr ? err : "unknown error";
  sqlite3_free(err);
  return Status(ErrorCode::kDatabase, "exec: " + msg);
}

Result<StatementLease> SqliteDb::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqliteError(db_, "prepare");
    it = cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, stmt)).first;
  }
  return StatementLease(it->second.get());
}

std::string SqliteDb::fileName() const {
  const char* name = sqlite3_db_filename(db_, "main");
  return name != nullptr ? name : "";
}

int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

}  // namespace xiaoan::collector

namespace xiaoan::collector {

Result<SqliteTransaction> SqliteTransaction::begin(SqliteDb& db) {
  XIAOAN_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status SqliteTransaction::commit() {
  SqliteDb* db = db_;
  db_ = nullptr;
  Status st = db->exec("COMMIT");
  if (!st.isOk()) (void)db->exec("ROLLBACK");
  return st;
}

std::string joinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t pos = text.find(',', start);
    if (pos == std::string::npos) pos = text.size();
    if (pos > start) out.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

}  // namespace xiaoan::collector
