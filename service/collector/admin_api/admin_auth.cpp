#include "service/collector/admin_api/admin_auth.h"

#include "service/collector/trust/crypto_util.h"

namespace xiaoan::collector {
namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr size_t kMaxPasswordBytes = 256;

Status denied() { return Status(ErrorCode::kUnauthorized, "wrong user name or password"); }

bool startsWithBasic(std::string_view value) {
  constexpr std::string_view kScheme = "basic ";
  if (value.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return false;
  }
  return true;
}

}  // namespace

AdminAuthenticator::AdminAuthenticator(Store& store) : store_(store) {
  auto dummy = hashPassword("xiaoan-dummy-password");
  if (dummy.isOk()) dummy_hash_ = std::move(*dummy);
}

Result<std::string> AdminAuthenticator::authenticate(std::string_view authorization) {
  if (!startsWithBasic(authorization)) return denied();
  std::string_view encoded = authorization.substr(6);
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  auto decoded = base64Decode(encoded);
  if (!decoded.isOk()) return denied();
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return denied();
  std::string name = decoded->substr(0, colon);
  std::string password = decoded->substr(colon + 1);
  if (name.empty() || name.size() > kMaxNameBytes || password.size() > kMaxPasswordBytes) {
    return denied();
  }
  XIAOAN_ASSIGN_OR_RETURN(auto admin, store_.findAdmin(name));
  if (!admin) {
    (void)verifyPassword(password, dummy_hash_);
    return denied();
  }
  if (!verifyPassword(password, admin->password_hash)) return denied();
  return name;
}

}  // namespace xiaoan::collector
