// Fuzzes the signed content channel's verifier (RELIABILITY.md I1, P1): envelope and payload
// parsing, verifyRole for every role and applyUpdate against a fixed trusted state.
//
// Input: byte 0 selects, the rest is a serialized TrustUpdate.
//   bit 0: re-sign every envelope with the fixed key of its role (reach past the signatures)
//   bit 1: first point the timestamp's references at the supplied targets (reach past hashes)
//   bit 2: offline (expiry waived)
//   bit 3: start from root + timestamp v5 + content v5 instead of the pinned root alone
// Invariants (abort = finding): a rejection carries a channel error code; an accepted state
// summarizes; versions never go down unless that role's keys were rotated.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tests/fuzz/trust/trust_fuzz_world.h"

namespace {

using namespace xiaoan;

// Malformed UTF-8 in string fields is expected input; keep protobuf's parser quiet about it.
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

// XIAOAN_FUZZ_VERBOSE=1 prints each input's outcome (for checking what new seeds reach).
void report(const Status& st) {
  static const bool verbose = std::getenv("XIAOAN_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s\n", st.isOk() ? "accepted" : st.toString().c_str());
}

void parseAlone(const v1::TrustUpdate& u) {
  const auto& root = fuzz::world().rootMeta(1);
  for (const auto& env : u.roots()) {
    (void)trust::verifyRole(env, v1::ROLE_ROOT, root);
    (void)trust::parseRoot(env.payload());
  }
  (void)trust::verifyRole(u.timestamp(), v1::ROLE_TIMESTAMP, root);
  (void)trust::parseTimestamp(u.timestamp().payload());
  (void)trust::verifyRole(u.content_targets(), v1::ROLE_CONTENT, root);
  (void)trust::parseTargets(u.content_targets().payload());
  (void)trust::parseTargets(u.release_targets().payload());
}

void checkAccepted(const v1::TrustState& before, const trust::UpdateOutcome& out) {
  const auto now = fuzz::world().now;
  auto old_summary = trust::summarize(before, now);
  auto new_summary = trust::summarize(out.state, now);
  if (!old_summary.isOk() || !new_summary.isOk()) std::abort();
  if (new_summary->root_version != out.root_version_after) std::abort();
  if (new_summary->root_version < old_summary->root_version) std::abort();
  if (!out.timestamp_keys_rotated &&
      new_summary->timestamp_version < old_summary->timestamp_version) {
    std::abort();
  }
  if (!out.content_keys_rotated &&
      new_summary->content_targets_version < old_summary->content_targets_version) {
    std::abort();
  }
  if (!out.changed &&
      trust::serializeDeterministic(out.state) != trust::serializeDeterministic(before)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 2 * trust::kMaxEnvelopeBytes) return 0;
  const uint8_t selector = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)trust::parseEnvelope(rest);
  v1::TrustUpdate update;
  if (!update.ParseFromString(std::string(rest))) return 0;
  if (selector & 2) fuzz::fixReferences(update);
  if (selector & 1) fuzz::resignAll(update);
  parseAlone(update);
  const v1::TrustState& current = (selector & 8) ? fuzz::establishedState() : fuzz::pinnedState();
  auto out = trust::applyUpdate(current, update, fuzz::world().options((selector & 4) != 0));
  report(out.status());
  if (!out.isOk()) {
    if (!trust::isChannelRejection(out.status().code())) std::abort();
    return 0;
  }
  checkAccepted(current, *out);
  return 0;
}
