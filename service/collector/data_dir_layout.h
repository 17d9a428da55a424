#pragma once

#include <string>

namespace xiaoan::collector {

// Names of the files in the collector's data dir that more than one command needs.
inline std::string dbPath(const std::string& data_dir) { return data_dir + "/collector.db"; }
// The database's id as `init` recorded it (db_identity.h).
inline std::string dbIdMarkerPath(const std::string& data_dir) {
  return data_dir + "/collector.id";
}
// Held (InstanceLock) by `serve` and `restore`: one process owns the database at a time.
inline std::string dataDirLockPath(const std::string& data_dir) {
  return data_dir + "/collector.lock";
}

}  // namespace xiaoan::collector
