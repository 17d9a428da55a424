#pragma once

#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

namespace xiaoan::testing {

// Runs `body` on a thread moved into a new, empty network namespace (root only): what it opens
// and the commands it runs see only that namespace. False when not root or unshare fails.
inline bool inFreshNetns(const std::function<void()>& body) {
  if (::geteuid() != 0) return false;
  bool ok = false;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) != 0) return;
    ok = true;
    body();
  });
  t.join();
  return ok;
}

// Runs a shell command (in the calling thread's network namespace); its exit status.
inline int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

}  // namespace xiaoan::testing
