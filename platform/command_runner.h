#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "platform/result.h"

// Running an external program (OS seam): the network managers' and the firewall's command-line
// tools (nmcli, networkctl, nft). No shell is involved: arguments are passed as they are.

namespace xiaoan {

struct CommandOptions {
  std::chrono::milliseconds timeout{10000};  // killed (SIGKILL) after this: E_TIMEOUT
  std::string stdin_data;                    // written to its standard input, then closed
  size_t max_output = 256 * 1024;            // stdout and stderr each; the rest is dropped
};

// Options with only a timeout.
inline CommandOptions withTimeout(std::chrono::milliseconds timeout) {
  CommandOptions o;
  o.timeout = timeout;
  return o;
}

struct CommandResult {
  int exit_code = -1;  // the exit status; 128 + signal when killed by a signal
  std::string out;     // standard output (at most max_output bytes)
  std::string err;     // standard error (at most max_output bytes)
};

// Runs argv[0] (looked up in PATH when it has no '/') with the other elements as arguments, in an
// environment with only PATH and LC_ALL=C, and waits for it. E_NOT_FOUND when the program does
// not exist, E_TIMEOUT when it ran too long (it is killed and reaped), E_IO for other failures.
// A non-zero exit status is not an error here: the caller reads exit_code.
// Threading: callable from any thread.
Result<CommandResult> runCommand(const std::vector<std::string>& argv,
                                 const CommandOptions& options = {});

// Whether a program of that name is found in PATH (or exists, for a path).
bool commandExists(const std::string& name);

}  // namespace xiaoan
