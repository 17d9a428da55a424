#pragma once

#include <chrono>
#include <ostream>

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_field.h>

#include "platform/error_code.h"
#include "service/admin_cli/admin_api_client.h"
#include "service/admin_cli/admin_command_table.h"
#include "service/admin_cli/admin_io.h"

namespace xiaoan::admin {

// What a command runs with: the injected world, resolved global options, the API client.
struct AdminContext {
  const AdminIo& io;
  const AdminCommandTable& table;
  Lang lang = Lang::kZhCn;
  bool json = false;
  AdminApiClient* api = nullptr;  // set for commands that need the server

  std::ostream& out() const { return *io.out; }
  std::ostream& err() const { return *io.err; }
  int64_t nowSeconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(io.clock->now().time_since_epoch())
        .count();
  }
};

// Prints "E_CODE: <line in the user's language> (<detail>)" to stderr.
void printError(const AdminContext& ctx, const Status& status);

// Prints a failed API call and returns its exit code (4 for 401/403, else 5).
int reportApiFailure(const AdminContext& ctx, const Status& status);

// Prints a usage error and returns 2.
int reportUsage(const AdminContext& ctx, const std::string& message);

// Prints `message` as JSON (--json); returns 0, or 5 when it cannot be rendered.
int printJson(const AdminContext& ctx, const google::protobuf::Message& message);

// Local time of a timestamp for tables, "-" when unset.
std::string tableTime(const google::protobuf::Timestamp& t, bool set);

// "a,b,c" for a table cell, "-" when empty.
std::string commaList(const google::protobuf::RepeatedPtrField<std::string>& items);

}  // namespace xiaoan::admin
