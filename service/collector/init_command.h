#pragma once

#include <string>
#include <vector>

#include "platform/result.h"

namespace xiaoan::collector {

struct InitOptions {
  std::string data_dir;
  std::vector<std::string> server_names;  // default: localhost
  std::vector<std::string> addresses;     // default: 127.0.0.1
  std::string admin_password_file;        // empty: generate and print once
};

struct InitOutcome {
  std::string admin_password;  // set only when generated (to be printed once)
};

// `xiaoan-collector init`: creates the data dir (0700; an existing empty one is accepted, e.g.
// made by systemd's StateDirectory=), the CA, the server certificate, the database and the
// "admin" account. Refuses to touch a non-empty data dir.
Result<InitOutcome> initDataDir(const InitOptions& options);

}  // namespace xiaoan::collector
