#pragma once

#include <string>
#include <string_view>

#include "platform/result.h"
#include "service/collector/store/store.h"

namespace xiaoan::collector {

// HTTP Basic authentication of admin accounts (PBKDF2-SHA256 hashes in the store).
class AdminAuthenticator {
 public:
  explicit AdminAuthenticator(Store& store);

  // The admin's name for a valid "Authorization: Basic ..." value; E_UNAUTHORIZED otherwise.
  // Unknown users cost the same PBKDF2 work as known ones (no user enumeration by timing).
  Result<std::string> authenticate(std::string_view authorization);

 private:
  Store& store_;
  std::string dummy_hash_;
};

}  // namespace xiaoan::collector
