#include "service/collector/init_command.h"

#include <filesystem>

#include "platform/file.h"
#include "platform/file_util.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/db_identity.h"
#include "service/collector/store/sqlite_store.h"
#include "service/collector/trust/crypto_util.h"
#include "service/collector/trust/pki_store.h"

namespace xiaoan::collector {
namespace {

constexpr size_t kMinPasswordBytes = 8;
constexpr size_t kGeneratedPasswordLength = 20;

Status prepareDir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::is_directory(dir, ec)) {
      return Status(ErrorCode::kInvalidArgument, dir + " exists and is not a directory");
    }
    if (!std::filesystem::is_empty(dir, ec) || ec) {
      return Status(ErrorCode::kInvalidArgument,
                    "data dir " + dir + " already exists and is not empty; refusing to overwrite");
    }
  }
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir, 0700));
  // An empty directory made by someone else keeps its mode in makeDirs: make it private.
  return setPathMode(dir, 0700);
}

Result<std::string> adminPassword(const InitOptions& options, InitOutcome& outcome) {
  if (options.admin_password_file.empty()) {
    XIAOAN_ASSIGN_OR_RETURN(outcome.admin_password, randomPassword(kGeneratedPasswordLength));
    return outcome.admin_password;
  }
  XIAOAN_ASSIGN_OR_RETURN(std::string pw, readFile(options.admin_password_file, 4096));
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
  if (pw.size() < kMinPasswordBytes) {
    return Status(ErrorCode::kInvalidArgument, "admin password must have at least 8 characters");
  }
  return pw;
}

}  // namespace

Result<InitOutcome> initDataDir(const InitOptions& options) {
  if (options.data_dir.empty())
    return Status(ErrorCode::kInvalidArgument, "--data-dir is required");
  InitOutcome outcome;
  // Read the password before creating anything, so a bad file leaves no half-made data dir.
  XIAOAN_ASSIGN_OR_RETURN(std::string password, adminPassword(options, outcome));
  XIAOAN_ASSIGN_OR_RETURN(std::string hash, hashPassword(password));
  XIAOAN_RETURN_IF_ERROR(prepareDir(options.data_dir));
  PkiStore::CreateOptions pki;
  pki.dns_names =
      options.server_names.empty() ? std::vector<std::string>{"localhost"} : options.server_names;
  pki.ip_addresses =
      options.addresses.empty() ? std::vector<std::string>{"127.0.0.1"} : options.addresses;
  XIAOAN_RETURN_IF_ERROR(PkiStore::create(options.data_dir, pki));
  const std::string db_path = dbPath(options.data_dir);
  XIAOAN_ASSIGN_OR_RETURN(auto store, SqliteStore::open(db_path, true));
  XIAOAN_RETURN_IF_ERROR(store->putAdmin({"admin", hash}));
  XIAOAN_RETURN_IF_ERROR(setPathMode(db_path, 0600));
  store.reset();
  // The id goes into the database first and into the marker last: a marker always names a
  // database that exists (db_identity.h).
  XIAOAN_ASSIGN_OR_RETURN(std::string id, newDatabaseId());
  {
    XIAOAN_ASSIGN_OR_RETURN(auto db, SqliteDb::open(db_path, false));
    XIAOAN_RETURN_IF_ERROR(stampDatabaseId(*db, id));
  }
  XIAOAN_RETURN_IF_ERROR(writeIdMarker(options.data_dir, id));
  XIAOAN_RETURN_IF_ERROR(fsyncDir(options.data_dir));
  return outcome;
}

}  // namespace xiaoan::collector
