#include "agent/scan/scan_status.h"

namespace xiaoan::agent::scan {
namespace {

google::protobuf::Timestamp stampOf(std::chrono::system_clock::time_point t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  return ts;
}

}  // namespace

void fillRulesStatus(const SignatureLoader& loader, v1::ScanStatus& s) {
  if (const auto loaded = loader.loaded()) {
    s.set_bundle_version(loaded->version);
    if (loaded->issued_at.seconds() != 0) *s.mutable_bundle_issued_at() = loaded->issued_at;
    *s.mutable_bundle_loaded_at() = stampOf(loaded->loaded_at);
    s.set_rule_count(loaded->rule_count);
  }
  if (const auto error = loader.lastError()) *s.mutable_last_bundle_error() = *error;
}

v1::ScanState scanStateOf(bool rules_loaded, v1::ScanState scheduled, bool any_running,
                          bool enabled) {
  if (!rules_loaded) return v1::SCAN_STATE_NO_RULES;
  const bool held =
      scheduled == v1::SCAN_STATE_WAITING_WINDOW || scheduled == v1::SCAN_STATE_PAUSED_USER_ACTIVE;
  if (any_running && !held) return v1::SCAN_STATE_RUNNING;
  if (scheduled != v1::SCAN_STATE_UNSPECIFIED) return scheduled;
  return enabled ? v1::SCAN_STATE_IDLE : v1::SCAN_STATE_DISABLED;
}

}  // namespace xiaoan::agent::scan
