#include "service/admin_cli/key_ceremony.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "common/trust/key_set.h"
#include "common/trust/metadata.h"
#include "common/trust/trust_verifier.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::admin {
namespace {

using Clock = std::chrono::system_clock;

KeyInitOptions initOptions(const std::string& dir, uint32_t n, uint32_t k) {
  KeyInitOptions o;
  o.out_dir = dir;
  o.root_keys = n;
  o.threshold = k;
  o.deployment = "测试县教育局";
  o.now = Clock::now();
  return o;
}

TEST_CASE("keys init makes a 2-of-3 key set whose root verifies and pins") {
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/keys";
  auto made = initKeySet(initOptions(dir, 3, 2));
  REQUIRE_MESSAGE(made.isOk(), made.status().toString());
  CHECK(made->keys.size() == 6);
  const trust::KeyDir kd{dir};
  auto chain = trust::loadRootChain(kd.rootsDir());
  REQUIRE(chain.isOk());
  auto root = trust::parseRoot(chain->front().payload());
  REQUIRE(root.isOk());
  CHECK(trust::findRole(*root, v1::ROLE_ROOT)->threshold() == 2);
  CHECK(root->deployment() == "测试县教育局");
  CHECK(trust::stateFromPinnedRoot(*trust::readEnvelopeFile(kd.rootFile())).isOk());
  CHECK(trust::loadRootKeys(kd.keysDir()).size() == 3);
  // Never over an existing key set.
  CHECK(initKeySet(initOptions(dir, 1, 1)).status().code() == ErrorCode::kInvalidArgument);
  CHECK(initKeySet(initOptions(tmp.path() + "/x", 2, 3)).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("rotate-root needs the old threshold and rotates role keys") {
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/keys";
  REQUIRE(initKeySet(initOptions(dir, 3, 2)).isOk());
  const trust::KeyDir kd{dir};
  auto pinned = trust::stateFromPinnedRoot(*trust::readEnvelopeFile(kd.rootFile()));
  REQUIRE(pinned.isOk());
  RotateRootOptions o;
  o.dir = dir;
  o.new_root_keys = 1;
  o.threshold = 1;
  o.rotate = {v1::ROLE_CONTENT, v1::ROLE_TIMESTAMP};
  o.now = Clock::now();
  auto rotated = rotateRoot(o);
  REQUIRE_MESSAGE(rotated.isOk(), rotated.status().toString());
  CHECK(rotated->to_version == 2);
  auto chain = trust::loadRootChain(kd.rootsDir());
  REQUIRE(chain.isOk());
  REQUIRE(chain->size() == 2);
  // An agent pinned to v1 walks to v2 and forgets what the old content keys signed.
  v1::TrustUpdate update;
  *update.add_roots() = chain->back();
  auto walked = trust::applyUpdate(*pinned, update, {"a", Clock::now(), false});
  REQUIRE_MESSAGE(walked.isOk(), walked.status().toString());
  CHECK(walked->content_keys_rotated);
  CHECK(walked->timestamp_keys_rotated);
  auto content = crypto::SigningKey::load(kd.roleKeyFile(v1::ROLE_CONTENT));
  REQUIRE(content.isOk());
  auto root2 = trust::parseRoot(chain->back().payload());
  CHECK(trust::findRole(*root2, v1::ROLE_CONTENT)->key_ids(0) == content->keyId());

  // With only one of the three old root keys left, v3 cannot be signed... by v2's keys it can:
  // v2 has one new root key with threshold 1. Remove it to prove the check.
  for (const auto& k : rotated->new_keys) {
    if (k.role == v1::ROLE_ROOT) ::unlink(k.file.c_str());
  }
  RotateRootOptions again;
  again.dir = dir;
  again.now = Clock::now();
  CHECK(rotateRoot(again).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("rotate-root keeps every root key, also one held elsewhere, at its threshold") {
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/keys";
  auto made = initKeySet(initOptions(dir, 3, 2));
  REQUIRE(made.isOk());
  // The third custodian keeps their key elsewhere: two of three are at hand.
  for (const auto& k : made->keys) {
    if (k.role == v1::ROLE_ROOT) {
      REQUIRE(::unlink(k.file.c_str()) == 0);
      break;
    }
  }
  RotateRootOptions o;
  o.dir = dir;
  o.now = Clock::now();
  auto rotated = rotateRoot(o);
  REQUIRE_MESSAGE(rotated.isOk(), rotated.status().toString());
  const trust::KeyDir kd{dir};
  auto chain = trust::loadRootChain(kd.rootsDir());
  REQUIRE(chain.isOk());
  REQUIRE(chain->size() == 2);
  auto root2 = trust::parseRoot(chain->back().payload());
  REQUIRE(root2.isOk());
  CHECK(trust::findRole(*root2, v1::ROLE_ROOT)->key_ids_size() == 3);
  CHECK(trust::findRole(*root2, v1::ROLE_ROOT)->threshold() == 2);
}

TEST_CASE("rotate-root refuses a threshold above the new root's keys and writes nothing") {
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/keys";
  REQUIRE(initKeySet(initOptions(dir, 3, 2)).isOk());
  RotateRootOptions o;
  o.dir = dir;
  o.new_root_keys = 2;
  o.threshold = 3;
  o.now = Clock::now();
  CHECK(rotateRoot(o).status().code() == ErrorCode::kInvalidArgument);
  o.new_root_keys = 0;
  o.threshold = 4;  // more than the three kept keys
  CHECK(rotateRoot(o).status().code() == ErrorCode::kInvalidArgument);
  o.new_root_keys = 10;
  o.threshold.reset();
  CHECK(rotateRoot(o).status().code() == ErrorCode::kInvalidArgument);
  CHECK(::access(trust::KeyDir{dir}.rootVersionFile(2).c_str(), F_OK) != 0);
  CHECK(trust::loadRootKeys(trust::KeyDir{dir}.keysDir()).size() == 3);
}

}  // namespace
}  // namespace xiaoan::admin
