// xiaoan-admin: command-line client of the collector's admin API. Composition root only.
#include <cstdlib>
#include <iostream>

#include "service/admin_cli/admin_app.h"

int main(int argc, char** argv) {
  xiaoan::SystemClock clock;
  xiaoan::admin::AdminIo io;
  io.args.assign(argv + 1, argv + argc);
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG", "XIAOAN_ADMIN_PASSWORD"}) {
    if (const char* v = std::getenv(name)) io.env[name] = v;
  }
  io.clock = &clock;
  io.out = &std::cout;
  io.err = &std::cerr;
  io.make_transport = xiaoan::admin::makeHttpsTransport;
  const int code = xiaoan::admin::runXiaoanAdmin(io);
  std::cout.flush();
  return std::cout.fail() && code == 0 ? 5 : code;
}
