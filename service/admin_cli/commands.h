#pragma once

#include <memory>

#include "service/admin_cli/admin_command.h"

namespace xiaoan::admin {

// One small class each, in <name>_command.cpp; registered in admin_command_table.cpp.
std::unique_ptr<AdminCommand> makeSchoolAddCommand();
std::unique_ptr<AdminCommand> makeSchoolListCommand();
std::unique_ptr<AdminCommand> makeSchoolReenrollPolicyCommand();
std::unique_ptr<AdminCommand> makeEnrollmentPendingCommand();
std::unique_ptr<AdminCommand> makeEnrollmentApproveCommand();
std::unique_ptr<AdminCommand> makeTokenCreateCommand();
std::unique_ptr<AdminCommand> makeTokenListCommand();
std::unique_ptr<AdminCommand> makeTokenRevokeCommand();
std::unique_ptr<AdminCommand> makeTerminalsListCommand();
std::unique_ptr<AdminCommand> makeEventsListCommand();
std::unique_ptr<AdminCommand> makeTerminalsSetRoomCommand();
std::unique_ptr<AdminCommand> makeRoomsListCommand();
std::unique_ptr<AdminCommand> makeRoomsAddCommand();
std::unique_ptr<AdminCommand> makeRoomsRenameCommand();
std::unique_ptr<AdminCommand> makeRoomsDeleteCommand();
std::unique_ptr<AdminCommand> makeRegistryImportCommand();
std::unique_ptr<AdminCommand> makeRegistryExportCommand();
std::unique_ptr<AdminCommand> makeRegistryListCommand();
std::unique_ptr<AdminCommand> makeComplianceCommand();
std::unique_ptr<AdminCommand> makePolicyGetCommand();
std::unique_ptr<AdminCommand> makePolicySetCommand();
std::unique_ptr<AdminCommand> makePolicyApplyCommand();
std::unique_ptr<AdminCommand> makePolicyDeleteCommand();
std::unique_ptr<AdminCommand> makeBundleExportCommand();
std::unique_ptr<AdminCommand> makeSignaturesPublishCommand();
std::unique_ptr<AdminCommand> makeSignaturesListCommand();
std::unique_ptr<AdminCommand> makeDetectionsListCommand();
std::unique_ptr<AdminCommand> makeBrowsingSearchCommand();
std::unique_ptr<AdminCommand> makeSessionsListCommand();
std::unique_ptr<AdminCommand> makeAlertsListCommand();
std::unique_ptr<AdminCommand> makeKeysInitCommand();
std::unique_ptr<AdminCommand> makeKeysRotateRootCommand();
std::unique_ptr<AdminCommand> makeHelpCommand();
std::unique_ptr<AdminCommand> makeVersionCommand();

}  // namespace xiaoan::admin
