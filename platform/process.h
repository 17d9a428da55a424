#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>

#include "platform/file.h"
#include "platform/result.h"

// This process and its relation to the OS (OS seam): what main() needs to start a daemon or
// a command-line tool. POSIX signals on Linux; console control events and the service
// manager on Windows.

namespace xiaoan {

enum class StdStream { kIn, kOut, kErr };

// Whether the stream is a terminal (a console on Windows): output may then redraw a line.
bool isTerminal(StdStream stream);

// The effective user id. uid 0 is the administrator; on Windows 0 stands for an elevated
// administrator or LocalSystem, and another value for everyone else.
uint32_t effectiveUserId();
// Whether this process runs with the administrator's rights (root; elevated on Windows).
bool runningAsAdministrator();

// The permission bits taken away from every file and directory this process creates from now
// on (umask). No effect on Windows, where new files inherit their directory's ACL.
void setFileCreationMask(uint32_t mask);

// Writing to a socket or pipe whose reader went away becomes an error of that write instead
// of a signal that ends the process (SIGPIPE ignored). Call once at start-up.
void ignoreBrokenPipe();

// The requests to stop that reach a process from outside.
enum class ProcessSignal {
  kInterrupt,  // SIGINT: Ctrl-C in the terminal
  kTerminate,  // SIGTERM: the service manager or `kill`
  kHangup,     // SIGHUP: the terminal went away, or "reload" by convention
};
const char* processSignalName(ProcessSignal signal);

// Raises this process's soft limit of open files (descriptors, sockets included) to its hard
// limit and returns the limit now in force; a server sizes its connection caps to fit it.
uint64_t raiseOpenFileLimit();

// Delivers chosen signals to wait() instead of their default action (which ends the process).
// Construct it in main() before any thread is started: the signals are held back in the
// calling thread and in every thread it starts later, so only wait() receives them. They stay
// held back after the waiter is gone, so that a second SIGTERM cannot cut a clean shutdown
// short.
class SignalWaiter {
 public:
  explicit SignalWaiter(std::initializer_list<ProcessSignal> signals);
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Blocks until one of the signals arrives and says which.
  ProcessSignal wait();

 private:
  uint32_t signals_ = 0;  // bit per ProcessSignal
};

// While it lives, an interrupt (Ctrl-C) or a termination request sets a flag instead of
// ending the process: a command can then finish cleanly (cancel what it started). What
// handled the signals before is restored by the destructor. The flag is process-wide: one
// watch at a time.
class InterruptWatch {
 public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // Whether SIGINT or SIGTERM arrived since construction. Callable from any thread.
  bool interrupted() const;

 private:
  struct Saved;  // the handlers to restore
  std::unique_ptr<Saved> saved_;
};

// The daemon's line back to the process that started it: that process waits in daemonize()
// and exits with the code reported here, so a script sees whether start-up worked.
class DaemonStartReport {
 public:
  DaemonStartReport() = default;  // not daemonized: report() does nothing
  ~DaemonStartReport();           // never reported: the starter exits with its fallback code
  DaemonStartReport(DaemonStartReport&& other) noexcept;
  DaemonStartReport& operator=(DaemonStartReport&& other) noexcept;
  DaemonStartReport(const DaemonStartReport&) = delete;
  DaemonStartReport& operator=(const DaemonStartReport&) = delete;

  // Tells the starter to exit with `exit_code` (0..255). Only the first call counts.
  void report(int exit_code);

 private:
  friend Result<DaemonStartReport> daemonize(int);
  explicit DaemonStartReport(NativeHandle handle) : handle_(handle) {}
  NativeHandle handle_ = kInvalidHandle;
};

// Turns this process into a background daemon: fork, new session, fork again (so no
// controlling terminal can come back), working directory "/", standard input and output on
// the null device (standard error stays: it carries the logs). The calling process does not
// return from here: it waits for the daemon's report() and exits with that code, or with
// `exit_code_if_unreported` when the daemon ends without reporting. Returns in the daemon;
// an error only when nothing was forked yet. Call before any thread is started.
// Windows: E_UNSUPPORTED (the service manager starts the agent there).
Result<DaemonStartReport> daemonize(int exit_code_if_unreported);

}  // namespace xiaoan
