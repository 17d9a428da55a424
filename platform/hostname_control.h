#pragma once

#include <memory>
#include <string>

#include "platform/result.h"

// The machine's names (OS seam): read them, and rename the machine for the naming rule.
//
// Three names: the running name the network sees now; the static name configured for the next
// boot; and a free-form "pretty" name that may hold Chinese (a teacher's real name). On Linux the
// running name is the kernel's (sethostname), the static one /etc/hostname and the pretty one
// PRETTY_HOSTNAME in /etc/machine-info (what systemd-hostnamed serves); a rename there takes
// effect at once. On Windows the static name is the pending computer name and a rename takes
// effect at the next reboot.

namespace xiaoan {

struct HostNames {
  std::string running;      // what the network sees now
  std::string static_name;  // configured for the next boot; empty when not configured
  std::string pretty;       // free-form, UTF-8; empty when not set
};

struct RenameOutcome {
  bool pending_reboot = false;  // the running name changes only at the next reboot
};

class HostnameControl {
 public:
  virtual ~HostnameControl() = default;
  // E_IO when the running name cannot be read; a missing static or pretty name is empty.
  virtual Result<HostNames> read() const = 0;
  // Sets the running and static name to `name` (ASCII letters, digits and '-', 1..63 bytes:
  // E_INVALID_ARGUMENT otherwise) and the pretty name to `pretty` (UTF-8 without control
  // characters, at most 255 bytes; empty removes it). Needs the administrator's rights
  // (E_PERMISSION_DENIED). Files are replaced atomically; other lines of the pretty-name file
  // are kept.
  virtual Result<RenameOutcome> rename(const std::string& name, const std::string& pretty) = 0;
};

struct HostnameControlOptions {
  // Where the static and pretty names live (Linux: /etc). Tests point it at a scratch folder.
  std::string config_dir = "/etc";
};

std::unique_ptr<HostnameControl> makeHostnameControl(const HostnameControlOptions& options);

}  // namespace xiaoan
