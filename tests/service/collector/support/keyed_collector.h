#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "common/trust/key_set.h"
#include "common/trust/metadata.h"
#include "common/trust/trust_verifier.h"
#include "service/admin_cli/key_ceremony.h"
#include "service/collector/trust/trust_keys.h"
#include "tests/service/collector/support/collector_harness.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector::testing {

// A key set made by `xiaoan-admin keys init`, imported as `xiaoan-collector keys import` does.
struct KeyedCollector {
  TempDir keys_dir;
  std::string keys = keys_dir.path() + "/keys";
  CollectorHarness h{CollectorConfig{}, [this](const std::string& data) {
                       admin::KeyInitOptions o;
                       o.out_dir = keys;
                       o.now = std::chrono::system_clock::now();
                       REQUIRE(admin::initKeySet(o).isOk());
                       REQUIRE(importKeys(data, keys).isOk());
                     }};

  v1::TrustState pinned() const {
    auto root = trust::readEnvelopeFile(keys + "/root.pb");
    REQUIRE(root.isOk());
    return *trust::stateFromPinnedRoot(*root);
  }
};

inline v1::CheckinResponse checkin(CollectorHarness& h, const TestAgent& agent, uint64_t root = 0) {
  v1::CheckinRequest req;
  req.set_agent_version("test");
  req.mutable_trust()->set_root(root);
  auto res = h.agentCall("/v1/checkin", req.SerializeAsString(), agent.identity);
  REQUIRE(res.isOk());
  REQUIRE_MESSAGE(res->status == 200, res->body);
  v1::CheckinResponse out;
  REQUIRE(out.ParseFromString(res->body));
  return out;
}

// The policy version named by the content targets of a check-in answer.
inline uint64_t policyVersion(const v1::CheckinResponse& res) {
  auto targets = trust::parseTargets(res.trust().content_targets().payload());
  REQUIRE(targets.isOk());
  REQUIRE(targets->artifacts_size() > 0);
  return targets->artifacts(0).version();
}

}  // namespace xiaoan::collector::testing
