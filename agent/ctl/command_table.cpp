#include "agent/ctl/command_table.h"

#include "agent/ctl/commands.h"

namespace xiaoan::ctl {

CommandTable makeCommandTable() {
  CommandTable table;
  table.add(makeStatusCommand());
  table.add(makeSendTestEventsCommand());
  table.add(makeApplyBundleCommand());
  table.add(makeScanCommand());
  table.add(makeQuarantineListCommand());
  table.add(makeQuarantineRestoreCommand());
  table.add(makeQuarantineDeleteCommand());
  table.add(makeBindingCheckCommand());
  table.add(makeIsolationReleaseCommand());
  table.add(makeHelpCommand());
  table.add(makeVersionCommand());
  return table;
}

}  // namespace xiaoan::ctl
