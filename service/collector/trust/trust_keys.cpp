#include "service/collector/trust/trust_keys.h"

#include <algorithm>

#include "common/trust/key_set.h"
#include "common/trust/metadata.h"
#include "platform/file_util.h"

namespace xiaoan::collector {
namespace {

struct TrustDir {
  std::string dir;
  std::string roots() const { return dir + "/roots"; }
  std::string content() const { return dir + "/content.key"; }
  std::string timestamp() const { return dir + "/timestamp.key"; }
};

TrustDir trustDirOf(const std::string& data_dir) { return TrustDir{data_dir + "/trust"}; }

// E_INVALID_ARGUMENT unless the newest root names `key` for `role`.
Status checkRoleKey(const v1::SignedEnvelope& newest, v1::Role role,
                    const crypto::SigningKey& key) {
  XIAOAN_ASSIGN_OR_RETURN(v1::RootMetadata root, trust::parseRoot(newest.payload()));
  const v1::RoleKeys* r = trust::findRole(root, role);
  if (r == nullptr ||
      std::find(r->key_ids().begin(), r->key_ids().end(), key.keyId()) == r->key_ids().end()) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(trust::roleName(role)) + " key " + key.keyId().substr(0, 16) +
                      " is not a " + std::string(trust::roleName(role)) + " key of root v" +
                      std::to_string(root.version()));
  }
  return Status::ok();
}

// The imported chain must extend what is already there: same payload for every old version.
Status checkExtends(const std::vector<v1::SignedEnvelope>& existing,
                    const std::vector<v1::SignedEnvelope>& chain) {
  if (existing.size() > chain.size()) {
    return Status(ErrorCode::kInvalidArgument,
                  "the collector already has root v" + std::to_string(existing.size()) +
                      "; the key directory only goes to v" + std::to_string(chain.size()));
  }
  for (size_t i = 0; i < existing.size(); ++i) {
    if (existing[i].payload() != chain[i].payload()) {
      return Status(ErrorCode::kInvalidArgument,
                    "root v" + std::to_string(i + 1) +
                        " differs from the imported one: this is another trust anchor");
    }
  }
  return Status::ok();
}

}  // namespace

Result<KeysImportOutcome> importKeys(const std::string& data_dir, const std::string& from) {
  const trust::KeyDir src{from};
  XIAOAN_ASSIGN_OR_RETURN(auto chain, trust::loadRootChain(src.rootsDir()));
  XIAOAN_ASSIGN_OR_RETURN(auto content,
                          crypto::SigningKey::load(src.roleKeyFile(v1::ROLE_CONTENT)));
  XIAOAN_ASSIGN_OR_RETURN(auto timestamp,
                          crypto::SigningKey::load(src.roleKeyFile(v1::ROLE_TIMESTAMP)));
  XIAOAN_RETURN_IF_ERROR(checkRoleKey(chain.back(), v1::ROLE_CONTENT, content));
  XIAOAN_RETURN_IF_ERROR(checkRoleKey(chain.back(), v1::ROLE_TIMESTAMP, timestamp));
  const TrustDir dst = trustDirOf(data_dir);
  std::vector<v1::SignedEnvelope> existing;
  auto loaded = trust::loadRootChain(dst.roots());
  if (loaded.isOk()) {
    existing = std::move(*loaded);
  } else if (loaded.status().code() != ErrorCode::kNotFound) {
    return loaded.status();
  }
  XIAOAN_RETURN_IF_ERROR(checkExtends(existing, chain));
  XIAOAN_RETURN_IF_ERROR(makeDirs(dst.roots(), 0700));
  KeysImportOutcome out;
  for (size_t i = existing.size(); i < chain.size(); ++i) {
    XIAOAN_RETURN_IF_ERROR(
        trust::writeEnvelopeFile(dst.roots() + "/" + std::to_string(i + 1) + ".pb", chain[i]));
    ++out.roots_added;
  }
  XIAOAN_RETURN_IF_ERROR(trust::writeKeyFile(dst.content(), content));
  XIAOAN_RETURN_IF_ERROR(trust::writeKeyFile(dst.timestamp(), timestamp));
  out.root_version = chain.size();
  out.content_key_id = content.keyId();
  out.timestamp_key_id = timestamp.keyId();
  return out;
}

Result<std::optional<CollectorKeys>> loadCollectorKeys(const std::string& data_dir) {
  const TrustDir dir = trustDirOf(data_dir);
  auto chain = trust::loadRootChain(dir.roots());
  if (!chain.isOk()) {
    if (chain.status().code() == ErrorCode::kNotFound) return std::optional<CollectorKeys>();
    return chain.status();
  }
  XIAOAN_ASSIGN_OR_RETURN(auto content, crypto::SigningKey::load(dir.content()));
  XIAOAN_ASSIGN_OR_RETURN(auto timestamp, crypto::SigningKey::load(dir.timestamp()));
  XIAOAN_RETURN_IF_ERROR(checkRoleKey(chain->back(), v1::ROLE_CONTENT, content));
  XIAOAN_RETURN_IF_ERROR(checkRoleKey(chain->back(), v1::ROLE_TIMESTAMP, timestamp));
  return std::optional<CollectorKeys>(
      CollectorKeys{std::move(*chain), std::move(content), std::move(timestamp)});
}

}  // namespace xiaoan::collector
