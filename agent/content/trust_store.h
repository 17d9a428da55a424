#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// <state_dir>/trust/state.pb: the metadata the agent trusts (TrustState).
//
// On first use the state is made from the pinned root (installed next to the CA bundle). A
// damaged state file is set aside (state.pb.bad, counted) and the agent pins the root again:
// bad state never stops the agent (RELIABILITY.md I4). save() is atomic; callers save only a
// state that trust::applyUpdate produced, so the file only ever holds verified metadata.
class TrustStore {
 public:
  TrustStore(const std::string& state_dir, std::string pinned_root_path);

  // The trusted state: the saved one, else one made from the pinned root (and saved).
  // E_TRUST_ROOT_MISSING when there is neither, or the pinned root does not verify.
  Result<v1::TrustState> load(std::chrono::system_clock::time_point now);

  Status save(const v1::TrustState& state);

  // Damaged state files set aside since start.
  uint64_t setAsideCount() const { return set_aside_; }
  std::string path() const { return dir_ + "/state.pb"; }
  const std::string& pinnedRootPath() const { return pinned_root_path_; }

 private:
  Result<v1::TrustState> loadSaved(std::chrono::system_clock::time_point now);
  Result<v1::TrustState> pin();
  void setAside(const std::string& why);

  std::string dir_;
  std::string pinned_root_path_;
  uint64_t set_aside_ = 0;
};

}  // namespace xiaoan::agent::content
