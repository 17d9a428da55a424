#include "agent/content/trust_store.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "platform/file_util.h"
#include "tests/agent/content/content_fixture.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::TrustFixture;
using xiaoan::testing::TempDir;

struct Env {
  TempDir dir;
  TrustFixture f;
  std::string root_path = dir.sub("root.pb");
  TrustStore store{dir.str(), root_path};

  void installRoot() { dir.write("root.pb", f.signedRoot(1).SerializeAsString()); }
  size_t filesInTrustDir() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.sub("trust")))
      ++n;
    return n;
  }
};

TEST_CASE("the first load pins the installed root and saves the state") {
  Env e;
  e.installRoot();
  auto state = e.store.load(e.f.now);
  REQUIRE_MESSAGE(state.isOk(), state.status().toString());
  CHECK(state->root().payload() == e.f.signedRoot(1).payload());
  auto saved = readFile(e.store.path(), 1 << 20);
  REQUIRE(saved.isOk());
  v1::TrustState parsed;
  REQUIRE(parsed.ParseFromString(*saved));
  CHECK(parsed.root().payload() == state->root().payload());
  CHECK(e.store.setAsideCount() == 0);
}

TEST_CASE("no installed root, or one that does not verify, is E_TRUST_ROOT_MISSING") {
  Env e;
  auto missing = e.store.load(e.f.now);
  REQUIRE_FALSE(missing.isOk());
  CHECK(missing.status().code() == ErrorCode::kTrustRootMissing);

  v1::SignedEnvelope forged = e.f.signedRoot(1);
  forged.mutable_signatures(0)->mutable_sig()->at(0) ^= 1;
  e.dir.write("root.pb", forged.SerializeAsString());
  auto bad = e.store.load(e.f.now);
  REQUIRE_FALSE(bad.isOk());
  CHECK(bad.status().code() == ErrorCode::kTrustRootMissing);

  e.dir.write("root.pb", "not an envelope at all");
  CHECK(e.store.load(e.f.now).status().code() == ErrorCode::kTrustRootMissing);
  CHECK_FALSE(std::filesystem::exists(e.store.path()));
}

TEST_CASE("a saved state wins over the installed root and survives a reload") {
  Env e;
  e.installRoot();
  auto pinned = e.store.load(e.f.now);
  REQUIRE(pinned.isOk());
  auto outcome = trust::applyUpdate(*pinned, e.f.update(1, 1), e.f.options());
  REQUIRE_MESSAGE(outcome.isOk(), outcome.status().toString());
  REQUIRE(e.store.save(outcome->state).isOk());
  CHECK(e.filesInTrustDir() == 1);  // written in place: no temp files left behind

  TrustStore again(e.dir.str(), e.root_path);
  auto loaded = again.load(e.f.now);
  REQUIRE(loaded.isOk());
  CHECK(loaded->timestamp().payload() == outcome->state.timestamp().payload());
  CHECK(loaded->content_targets().payload() == outcome->state.content_targets().payload());
}

TEST_CASE("a damaged state file is set aside, counted, and the root pinned again") {
  Env e;
  e.installRoot();
  std::filesystem::create_directories(e.dir.sub("trust"));
  SUBCASE("garbage") { e.dir.write("trust/state.pb", std::string("\xff\xff\xff garbage", 12)); }
  SUBCASE("a state whose root payload is damaged") {
    v1::TrustState state = e.f.pinnedState();
    state.mutable_root()->set_payload("damaged");
    e.dir.write("trust/state.pb", state.SerializeAsString());
  }
  SUBCASE("an empty file") { e.dir.write("trust/state.pb", ""); }
  auto state = e.store.load(e.f.now);
  REQUIRE_MESSAGE(state.isOk(), state.status().toString());
  CHECK(state->root().payload() == e.f.signedRoot(1).payload());
  CHECK(e.store.setAsideCount() == 1);
  CHECK(std::filesystem::exists(e.store.path() + ".bad"));
  // The re-pinned state was saved: the next start loads it without setting anything aside.
  TrustStore again(e.dir.str(), e.root_path);
  REQUIRE(again.load(e.f.now).isOk());
  CHECK(again.setAsideCount() == 0);
}

}  // namespace
}  // namespace xiaoan::agent::content
