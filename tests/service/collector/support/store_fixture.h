#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "service/collector/store/sqlite_store.h"
#include "service/collector/trust/crypto_util.h"
#include "tests/service/collector/support/temp_dir.h"

namespace xiaoan::collector::testing {

inline constexpr int64_t kNow = 1'800'000'000'000;  // ms

// A SqliteStore on a fresh file with helpers for schools, tokens, enrollments and events.
struct StoreFixture {
  TempDir dir;
  std::unique_ptr<SqliteStore> store = open();

  std::unique_ptr<SqliteStore> open() {
    auto s = SqliteStore::open(dir.file("collector.db"), true);
    REQUIRE_MESSAGE(s.isOk(), s.status().toString());
    return std::move(*s);
  }

  void addSchool(const std::string& id) {
    REQUIRE(
        store->addSchool({id, "School " + id, "S", kNow}, {kNow, "admin", "school.add", id, "{}"})
            .isOk());
  }

  // A token "<id>.<secret>" for `school` with the given limits.
  void addToken(const std::string& id, const std::string& school, uint32_t max_uses = 0,
                std::optional<int64_t> expires = std::nullopt) {
    TokenRow t;
    t.id = id;
    t.secret_sha256_hex = sha256Hex("secret-" + id);
    t.school_id = school;
    t.max_uses = max_uses;
    t.expires_at_ms = expires;
    t.created_at_ms = kNow;
    REQUIRE(store->addToken(t, {kNow, "admin", "token.create", id, "{}"}).isOk());
  }

  EnrollParams params(const std::string& token, const std::string& agent,
                      std::vector<std::string> macs, int64_t now = kNow) {
    EnrollParams p;
    p.token_id = token;
    p.token_secret_sha256_hex = sha256Hex("secret-" + token);
    p.agent_id = agent;
    p.cert_serial_hex = "01";
    p.hostname = "pc-" + agent;
    p.macs = std::move(macs);
    p.now_ms = now;
    return p;
  }

  Result<EnrollOutcome> enroll(const EnrollParams& p) {
    auto txn = store->beginWrite();
    REQUIRE(txn.isOk());
    auto out = (*txn)->enroll(p);
    if (out.isOk()) REQUIRE((*txn)->commit().isOk());
    return out;
  }

  // Inserts events seq first..last of (stream, epoch) for `agent` and commits.
  std::pair<int, int> insert(const std::string& agent, const std::string& stream, uint64_t epoch,
                             uint64_t first, uint64_t last) {
    auto txn = store->beginWrite();
    REQUIRE(txn.isOk());
    int stored = 0;
    int dups = 0;
    for (uint64_t seq = first; seq <= last; ++seq) {
      EventRow row{stream, epoch, seq, "diagnostic", 2, kNow, "body", "{}"};
      auto inserted = (*txn)->insertEvent(agent, row, kNow);
      REQUIRE(inserted.isOk());
      ++(*inserted ? stored : dups);
    }
    REQUIRE((*txn)->advanceHead(agent, {stream, epoch, last}, kNow).isOk());
    REQUIRE((*txn)->commit().isOk());
    return {stored, dups};
  }
};

}  // namespace xiaoan::collector::testing
