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
std::unique_ptr<AdminCommand> makePolicyGetCommand();
std::unique_ptr<AdminCommand> makePolicySetCommand();
std::unique_ptr<AdminCommand> makePolicyApplyCommand();
std::unique_ptr<AdminCommand> makePolicyDeleteCommand();
std::unique_ptr<AdminCommand> makeBundleExportCommand();
std::unique_ptr<AdminCommand> makeSignaturesPublishCommand();
std::unique_ptr<AdminCommand> makeSignaturesListCommand();
std::unique_ptr<AdminCommand> makeDetectionsListCommand();
std::unique_ptr<AdminCommand> makeKeysInitCommand();
std::unique_ptr<AdminCommand> makeKeysRotateRootCommand();
std::unique_ptr<AdminCommand> makeHelpCommand();
std::unique_ptr<AdminCommand> makeVersionCommand();

}  // namespace xiaoan::admin
