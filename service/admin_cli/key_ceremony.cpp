#include "service/admin_cli/key_ceremony.h"

#include <algorithm>
#include <cstdio>

#include "common/trust/key_set.h"
#include "common/trust/metadata.h"
#include "platform/file.h"
#include "platform/file_util.h"

namespace xiaoan::admin {
namespace {

using google::protobuf::Timestamp;

constexpr uint32_t kMaxRootKeys = 9;
constexpr uint32_t kMaxExpiresDays = 3650;
constexpr std::array kRoleKeyRoles = {v1::ROLE_RELEASE, v1::ROLE_CONTENT, v1::ROLE_TIMESTAMP};

Timestamp protoTime(std::chrono::system_clock::time_point t) {
  Timestamp ts;
  ts.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  return ts;
}

Status usage(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

bool emptyOrMissing(const std::string& dir) {
  OpenOptions options = OpenOptions::dir();
  options.follow_symlink = true;  // the operator may name the key directory through a link
  auto opened = File::open(dir, options);
  if (!opened.isOk()) return opened.status().code() == ErrorCode::kNotFound;
  auto names = listDir(*opened);
  return !names.isOk() || names->empty();
}

void addKey(v1::RootMetadata& root, const std::string& id, const std::string& raw) {
  for (const auto& k : root.keys()) {
    if (k.key_id() == id) return;
  }
  auto* pk = root.add_keys();
  pk->set_key_id(id);
  pk->set_ed25519(raw);
}

void setRole(v1::RootMetadata& root, v1::Role role,
             const std::vector<const crypto::SigningKey*>& keys, uint32_t threshold) {
  auto* r = root.add_roles();
  r->set_role(role);
  r->set_threshold(threshold);
  for (const auto* k : keys) {
    addKey(root, k->keyId(), k->publicRaw());
    r->add_key_ids(k->keyId());
  }
}

// Copies a role (keys and threshold) from an earlier root; returns the copy.
v1::RoleKeys* keepRole(v1::RootMetadata& root, const v1::RootMetadata& from, v1::Role role) {
  const v1::RoleKeys* old = trust::findRole(from, role);
  v1::RoleKeys* kept = root.add_roles();
  *kept = *old;
  for (const auto& id : old->key_ids()) {
    for (const auto& k : from.keys()) {
      if (k.key_id() == id) addKey(root, id, k.ed25519());
    }
  }
  return kept;
}

Status validateInit(const KeyInitOptions& o) {
  if (o.out_dir.empty()) return usage("--out is required");
  if (o.root_keys < 1 || o.root_keys > kMaxRootKeys) return usage("--root-keys must be 1..9");
  if (o.threshold < 1 || o.threshold > o.root_keys) {
    return usage("--threshold must be 1..--root-keys");
  }
  if (o.expires_days < 1 || o.expires_days > kMaxExpiresDays) {
    return usage("--expires-days must be 1..3650");
  }
  if (!emptyOrMissing(o.out_dir)) return usage(o.out_dir + " exists and is not empty");
  return Status::ok();
}

Status writeRoot(const trust::KeyDir& dir, uint64_t version, const v1::SignedEnvelope& root) {
  XIAOAN_RETURN_IF_ERROR(trust::writeEnvelopeFile(dir.rootVersionFile(version), root));
  return trust::writeEnvelopeFile(dir.rootFile(), root);
}

}  // namespace

Result<KeyInitOutcome> initKeySet(const KeyInitOptions& o) {
  XIAOAN_RETURN_IF_ERROR(validateInit(o));
  const trust::KeyDir dir{o.out_dir};
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir.keysDir(), 0700));
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir.rootsDir(), 0755));
  KeyInitOutcome out;
  std::vector<crypto::SigningKey> root_keys;
  for (uint32_t i = 0; i < o.root_keys; ++i) {
    XIAOAN_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::generate());
    XIAOAN_RETURN_IF_ERROR(trust::writeKeyFile(dir.rootKeyFile(key.keyId()), key));
    out.keys.push_back({v1::ROLE_ROOT, key.keyId(), dir.rootKeyFile(key.keyId())});
    root_keys.push_back(std::move(key));
  }
  std::vector<const crypto::SigningKey*> signers;
  for (const auto& k : root_keys) signers.push_back(&k);
  v1::RootMetadata root;
  root.set_version(1);
  *root.mutable_issued_at() = protoTime(o.now);
  *root.mutable_expires() = protoTime(o.now + std::chrono::hours(24) * o.expires_days);
  root.set_deployment(o.deployment);
  setRole(root, v1::ROLE_ROOT, signers, o.threshold);
  for (v1::Role role : kRoleKeyRoles) {
    XIAOAN_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::generate());
    XIAOAN_RETURN_IF_ERROR(trust::writeKeyFile(dir.roleKeyFile(role), key));
    out.keys.push_back({role, key.keyId(), dir.roleKeyFile(role)});
    setRole(root, role, {&key}, 1);
  }
  XIAOAN_ASSIGN_OR_RETURN(auto envelope, trust::signMessage(v1::ROLE_ROOT, root, signers));
  XIAOAN_RETURN_IF_ERROR(trust::verifyRootChain({envelope}));
  XIAOAN_RETURN_IF_ERROR(writeRoot(dir, 1, envelope));
  return out;
}

namespace {

// Root keys of `root` found among `available`.
std::vector<const crypto::SigningKey*> rootSignersOf(const v1::RootMetadata& root,
                                                     const std::vector<crypto::SigningKey>& keys) {
  std::vector<const crypto::SigningKey*> out;
  const v1::RoleKeys* role = trust::findRole(root, v1::ROLE_ROOT);
  for (const auto& k : keys) {
    if (std::find(role->key_ids().begin(), role->key_ids().end(), k.keyId()) !=
        role->key_ids().end()) {
      out.push_back(&k);
    }
  }
  return out;
}

// Installs a new key file for `role`; the previous one is kept as keys/<role>.<id>.retired.
Status installRoleKey(const trust::KeyDir& dir, v1::Role role, const v1::RootMetadata& old_root,
                      const crypto::SigningKey& key) {
  const std::string path = dir.roleKeyFile(role);
  const std::string old_id = trust::findRole(old_root, role)->key_ids(0);
  const std::string retired = dir.keysDir() + "/" + std::string(trust::roleName(role)) + "." +
                              old_id.substr(0, 16) + ".retired";
  if (Status st = renamePath(path, retired); !st.isOk() && st.code() != ErrorCode::kNotFound) {
    return Status(ErrorCode::kIo, "cannot retire " + path + ": " + st.message(), st.sysErrno());
  }
  return trust::writeKeyFile(path, key);
}

// The next root and the keys it introduces, built and signed in memory: nothing is written
// until the extended chain verifies, so a failure leaves the key directory as it was.
struct NextRoot {
  v1::SignedEnvelope envelope;
  std::vector<crypto::SigningKey> root_keys;
  std::vector<std::pair<v1::Role, crypto::SigningKey>> role_keys;
};

Result<NextRoot> buildNextRoot(const RotateRootOptions& o, const v1::RootMetadata& old,
                               const std::vector<const crypto::SigningKey*>& old_signers) {
  NextRoot n;
  for (uint32_t i = 0; i < o.new_root_keys; ++i) {
    XIAOAN_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::generate());
    n.root_keys.push_back(std::move(key));
  }
  // Keeping the root keys keeps all of them, also those held elsewhere (not in keys/).
  const v1::RoleKeys* old_role = trust::findRole(old, v1::ROLE_ROOT);
  const auto key_count =
      static_cast<uint32_t>(n.root_keys.empty() ? old_role->key_ids_size() : n.root_keys.size());
  // The default is the old threshold, capped to fewer new keys; an explicit one must fit.
  const uint32_t threshold = o.threshold.value_or(std::min(old_role->threshold(), key_count));
  if (threshold < 1 || threshold > key_count) {
    return usage("--threshold must be 1.." + std::to_string(key_count) +
                 " (the number of root keys of the new root)");
  }
  v1::RootMetadata next;
  next.set_version(old.version() + 1);
  *next.mutable_issued_at() = protoTime(o.now);
  *next.mutable_expires() = protoTime(o.now + std::chrono::hours(24) * o.expires_days);
  next.set_deployment(old.deployment());
  if (n.root_keys.empty()) {
    keepRole(next, old, v1::ROLE_ROOT)->set_threshold(threshold);
  } else {
    std::vector<const crypto::SigningKey*> new_root_signers;
    for (const auto& k : n.root_keys) new_root_signers.push_back(&k);
    setRole(next, v1::ROLE_ROOT, new_root_signers, threshold);
  }
  for (v1::Role role : kRoleKeyRoles) {
    if (std::find(o.rotate.begin(), o.rotate.end(), role) == o.rotate.end()) {
      keepRole(next, old, role);
      continue;
    }
    XIAOAN_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::generate());
    setRole(next, role, {&key}, 1);
    n.role_keys.emplace_back(role, std::move(key));
  }
  std::vector<const crypto::SigningKey*> signers = old_signers;
  for (const auto& k : n.root_keys) signers.push_back(&k);
  XIAOAN_ASSIGN_OR_RETURN(n.envelope, trust::signMessage(v1::ROLE_ROOT, next, signers));
  return n;
}

}  // namespace

Result<RotateRootOutcome> rotateRoot(const RotateRootOptions& o) {
  if (o.expires_days < 1 || o.expires_days > kMaxExpiresDays) {
    return usage("--expires-days must be 1..3650");
  }
  if (o.new_root_keys > kMaxRootKeys) return usage("--new-root-keys must be 1..9");
  const trust::KeyDir dir{o.dir};
  XIAOAN_ASSIGN_OR_RETURN(auto chain, trust::loadRootChain(dir.rootsDir()));
  XIAOAN_ASSIGN_OR_RETURN(v1::RootMetadata old, trust::parseRoot(chain.back().payload()));
  const auto available = trust::loadRootKeys(dir.keysDir());
  auto old_signers = rootSignersOf(old, available);
  const uint32_t old_threshold = trust::findRole(old, v1::ROLE_ROOT)->threshold();
  if (old_signers.size() < old_threshold) {
    return usage("root v" + std::to_string(old.version()) + " needs " +
                 std::to_string(old_threshold) + " of its root keys; found " +
                 std::to_string(old_signers.size()) + " in " + dir.keysDir());
  }
  XIAOAN_ASSIGN_OR_RETURN(NextRoot next, buildNextRoot(o, old, old_signers));
  chain.push_back(next.envelope);
  XIAOAN_RETURN_IF_ERROR(trust::verifyRootChain(chain));
  RotateRootOutcome out;
  out.from_version = old.version();
  out.to_version = old.version() + 1;
  for (const auto& k : next.root_keys) {
    XIAOAN_RETURN_IF_ERROR(trust::writeKeyFile(dir.rootKeyFile(k.keyId()), k));
    out.new_keys.push_back({v1::ROLE_ROOT, k.keyId(), dir.rootKeyFile(k.keyId())});
  }
  for (const auto& [role, key] : next.role_keys) {
    XIAOAN_RETURN_IF_ERROR(installRoleKey(dir, role, old, key));
    out.new_keys.push_back({role, key.keyId(), dir.roleKeyFile(role)});
  }
  XIAOAN_RETURN_IF_ERROR(writeRoot(dir, out.to_version, next.envelope));
  return out;
}

}  // namespace xiaoan::admin
