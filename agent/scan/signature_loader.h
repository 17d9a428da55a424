#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "platform/clock.h"
#include "platform/result.h"
#include "signatures/scan_rules.h"
#include "xiaoan/v1/common.pb.h"
#include "xiaoan/v1/scan.pb.h"

// The rules the agent scans with (issue 4 "Signatures", RELIABILITY.md U12). At start: the last
// good bundle (<state_dir>/signatures/current.pb, the verified artifact bytes), else the rules
// shipped with the agent (every .yar of builtin_signatures_dir, version 0). The content manager
// hands it each verified SIGNATURES artifact: parsed, version checked against the signed
// metadata, compiled — any failure rejects the whole bundle and the last good rules stay loaded;
// success persists the bytes (atomically) and then swaps the rules. The swap is a shared_ptr:
// scans in flight keep the rules they started with. Thread-safe.

namespace xiaoan::agent::scan {

struct SignatureLoaderOptions {
  std::string state_dir;
  std::string builtin_dir;  // AgentBootstrapConfig.builtin_signatures_dir
};

// What status says about the rules loaded.
struct LoadedSignatures {
  uint64_t version = 0;  // 0 = shipped with the agent
  google::protobuf::Timestamp issued_at;
  std::chrono::system_clock::time_point loaded_at;
  uint32_t rule_count = 0;
  std::string sha256;  // raw SHA-256 of the artifact bytes ("" for the built-in rules)
};

class SignatureLoader {
 public:
  using OnLoaded = std::function<void(const LoadedSignatures&)>;
  SignatureLoader(SignatureLoaderOptions options, const Clock& clock, OnLoaded on_loaded = {});

  // Loads the last good bundle or else the built-in rules. A damaged last good bundle is set
  // aside (current.pb.bad) and reported (lastError) — never a crash loop (RELIABILITY.md I4).
  // E_RULES_MISSING when nothing could be loaded.
  Status loadAtStart();

  // A verified SIGNATURES artifact. E_RULES_INVALID (malformed or not compiling; the message
  // names file:line), E_TOO_LARGE, E_META_MISMATCH (its version is not the signed one): the
  // bundle is rejected and the rules loaded stay. E_IO when it could not be persisted (not
  // loaded either: after a restart the agent must run what it reported).
  Status applyArtifact(std::string_view bytes, uint64_t artifact_version);

  // The rules now; nullptr while none are loaded.
  std::shared_ptr<const sig::ScanRules> rules() const;
  std::optional<LoadedSignatures> loaded() const;
  // The last bundle that failed (cleared by the next success).
  std::optional<v1::ErrorInfo> lastError() const;
  std::string currentPath() const { return dir_ + "/current.pb"; }

 private:
  struct Built {
    std::shared_ptr<const sig::ScanRules> rules;
    LoadedSignatures info;
  };
  Result<Built> build(const v1::SignatureBundle& bundle, std::string sha256) const;
  Result<Built> fromBytes(std::string_view bytes) const;
  Result<Built> fromBuiltinDir() const;
  void install(Built built, bool clear_error);
  void setError(const Status& st);

  const SignatureLoaderOptions options_;
  const std::string dir_;
  const Clock& clock_;
  const OnLoaded on_loaded_;
  std::mutex load_mu_;  // one build at a time (start-up vs content channel)
  mutable std::mutex mu_;
  std::shared_ptr<const sig::ScanRules> rules_;
  std::optional<LoadedSignatures> loaded_;
  std::optional<v1::ErrorInfo> last_error_;
};

}  // namespace xiaoan::agent::scan
