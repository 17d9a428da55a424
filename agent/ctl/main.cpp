// xiaoanctl: local status and diagnostics of the xiaoan agent. Composition root only.
#include <cstdlib>
#include <iostream>

#include "agent/ctl/ctl_app.h"
#include "platform/process.h"

int main(int argc, char** argv) {
  xiaoan::SystemClock clock;
  xiaoan::ctl::CtlIo io;
  io.args.assign(argv + 1, argv + argc);
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    if (const char* v = std::getenv(name)) io.env[name] = v;
  }
  io.euid = xiaoan::effectiveUserId();
  io.clock = &clock;
  io.out = &std::cout;
  io.out_is_tty = xiaoan::isTerminal(xiaoan::StdStream::kOut);
  io.err = &std::cerr;
  const int code = xiaoan::ctl::runXiaoanctl(io);
  std::cout.flush();
  return std::cout.fail() && code == 0 ? 5 : code;
}
