#pragma once

#include "platform/hostname_control.h"

namespace xiaoan::testing {

// The machine's names in memory. `pending_reboot` models Windows (the running name changes at
// the next reboot); `fail_with` makes rename fail as the OS would.
class FakeHostnameControl final : public HostnameControl {
 public:
  Result<HostNames> read() const override { return names; }

  Result<RenameOutcome> rename(const std::string& name, const std::string& pretty) override {
    ++renames;
    if (!fail_with.isOk()) return fail_with;
    names.static_name = name;
    names.pretty = pretty;
    if (!pending_reboot) names.running = name;
    return RenameOutcome{pending_reboot};
  }

  HostNames names{"lab1-pc07", "lab1-pc07", ""};
  bool pending_reboot = false;
  Status fail_with;
  int renames = 0;
};

}  // namespace xiaoan::testing
