#include "service/collector/trust/trust_keys.h"

#include <doctest/doctest.h>

#include "platform/file_util.h"
#include "service/admin_cli/key_ceremony.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::collector {
namespace {

std::string makeKeySet(const std::string& dir) {
  admin::KeyInitOptions o;
  o.out_dir = dir;
  o.now = std::chrono::system_clock::now();
  REQUIRE(admin::initKeySet(o).isOk());
  return dir;
}

TEST_CASE("keys import copies the chain and the online keys only") {
  testing::TempDir tmp;
  const std::string keys = makeKeySet(tmp.path() + "/keys");
  const std::string data = tmp.path() + "/data";
  CHECK(loadCollectorKeys(data)->has_value() == false);
  auto imported = importKeys(data, keys);
  REQUIRE_MESSAGE(imported.isOk(), imported.status().toString());
  CHECK(imported->root_version == 1);
  auto loaded = loadCollectorKeys(data);
  REQUIRE(loaded.isOk());
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->roots.size() == 1);
  CHECK((*loaded)->content.keyId() == imported->content_key_id);
  CHECK(readFile(data + "/trust/release.key", 4096).status().code() == ErrorCode::kNotFound);
  // Importing again is harmless; another key set is another trust anchor and is refused.
  CHECK(importKeys(data, keys).isOk());
  const std::string other = makeKeySet(tmp.path() + "/other");
  CHECK(importKeys(data, other).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("keys import refuses a content key the root does not name") {
  testing::TempDir tmp;
  const std::string keys = makeKeySet(tmp.path() + "/keys");
  const std::string other = makeKeySet(tmp.path() + "/other");
  auto pem = readFile(other + "/keys/content.key", 4096);
  REQUIRE(pem.isOk());
  REQUIRE(atomicWriteFile(keys + "/keys/content.key", *pem, 0600).isOk());
  CHECK(importKeys(tmp.path() + "/data", keys).status().code() == ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace xiaoan::collector
