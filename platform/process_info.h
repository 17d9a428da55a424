#pragma once

#include <cstdint>

// Facts about the calling process (OS seam). Signals, daemonizing and child processes live in
// platform/process.h; this header only says who we are.

namespace xiaoan {

// The OS process id of the calling process (getpid on POSIX, GetCurrentProcessId on Windows).
// Never fails; thread-safe.
uint32_t currentProcessId();

}  // namespace xiaoan
