#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "service/admin_cli/admin_app.h"
#include "service/admin_cli/admin_transport.h"
#include "tests/service/collector/support/collector_harness.h"

namespace xiaoan::collector::testing {

// What one xiaoan-admin run printed and returned.
struct AdminCliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs xiaoan-admin in-process against the harness's collector over real HTTPS (libcurl), in
// English, with the harness's admin password and clock.
inline AdminCliRun runAdminCli(CollectorHarness& h, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"--server", "https://127.0.0.1:" + std::to_string(h.adminPort()),
                                   "--ca",     h.caFile(),
                                   "--lang",   "en"};
  full.insert(full.end(), args.begin(), args.end());
  std::ostringstream out;
  std::ostringstream err;
  admin::AdminIo io;
  io.args = full;
  io.env = {{"XIAOAN_ADMIN_PASSWORD", kAdminPassword}};
  io.clock = &h.clock();
  io.out = &out;
  io.err = &err;
  io.make_transport = admin::makeHttpsTransport;
  AdminCliRun r;
  r.code = admin::runXiaoanAdmin(io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace xiaoan::collector::testing
