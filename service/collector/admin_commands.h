#pragma once

#include <string>

#include "platform/clock.h"
#include "service/collector/admin_request.h"
#include "service/collector/store.h"

namespace xiaoan::collector {

// Executes parsed admin commands against the store and renders the answer as JSON.
// Mutations are recorded in the admin audit table in the same transaction.
class AdminCommands {
 public:
  AdminCommands(Store& store, const Clock& clock, uint32_t checkin_interval_seconds)
      : store_(store), clock_(clock), checkin_interval_seconds_(checkin_interval_seconds) {}

  // JSON body of the answer; errors carry E_NOT_FOUND / E_INVALID_ARGUMENT / E_DATABASE.
  Result<std::string> run(const AdminCommand& command, const std::string& admin);

 private:
  Result<std::string> listSchools();
  Result<std::string> addSchool(const AddSchool& cmd, const std::string& admin);
  Result<std::string> createToken(const CreateToken& cmd, const std::string& admin);
  Result<std::string> listTokens(const ListTokens& cmd);
  Result<std::string> revokeToken(const RevokeToken& cmd, const std::string& admin);
  Result<std::string> listTerminals(const ListTerminals& cmd);
  Result<std::string> listEvents(const ListEvents& cmd);
  int64_t nowMs() const;

  Store& store_;
  const Clock& clock_;
  uint32_t checkin_interval_seconds_;
};

}  // namespace xiaoan::collector
