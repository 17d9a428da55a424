#include "service/admin_cli/admin_command_table.h"

#include "service/admin_cli/commands.h"

namespace xiaoan::admin {

AdminCommandTable makeAdminCommandTable() {
  AdminCommandTable table;
  table.add(makeSchoolAddCommand());
  table.add(makeSchoolListCommand());
  table.add(makeSchoolReenrollPolicyCommand());
  table.add(makeEnrollmentPendingCommand());
  table.add(makeEnrollmentApproveCommand());
  table.add(makeTokenCreateCommand());
  table.add(makeTokenListCommand());
  table.add(makeTokenRevokeCommand());
  table.add(makeTerminalsListCommand());
  table.add(makeEventsListCommand());
  table.add(makeTerminalsSetRoomCommand());
  table.add(makeRoomsListCommand());
  table.add(makeRoomsAddCommand());
  table.add(makeRoomsRenameCommand());
  table.add(makeRoomsDeleteCommand());
  table.add(makeRegistryImportCommand());
  table.add(makeRegistryExportCommand());
  table.add(makeRegistryListCommand());
  table.add(makeComplianceCommand());
  table.add(makePolicyGetCommand());
  table.add(makePolicySetCommand());
  table.add(makePolicyApplyCommand());
  table.add(makePolicyDeleteCommand());
  table.add(makeBundleExportCommand());
  table.add(makeSignaturesPublishCommand());
  table.add(makeSignaturesListCommand());
  table.add(makeDetectionsListCommand());
  table.add(makeBrowsingSearchCommand());
  table.add(makeSessionsListCommand());
  table.add(makeAlertsListCommand());
  table.add(makeKeysInitCommand());
  table.add(makeKeysRotateRootCommand());
  table.add(makeHelpCommand());
  table.add(makeVersionCommand());
  return table;
}

}  // namespace xiaoan::admin
