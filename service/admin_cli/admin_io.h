#pragma once

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "service/admin_cli/admin_transport.h"

namespace xiaoan::admin {

// Everything xiaoan-admin takes from the outside world, so tests run it in-process with a
// fixed clock, a fake transport and captured output.
struct AdminIo {
  std::vector<std::string> args;           // argv without the program name
  std::map<std::string, std::string> env;  // LC_ALL, LC_MESSAGES, LANG, XIAOAN_ADMIN_PASSWORD
  const Clock* clock = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // Builds the HTTPS transport for --ca FILE.
  std::function<std::unique_ptr<AdminTransport>(const std::string& ca_file)> make_transport;
};

}  // namespace xiaoan::admin
