#include "agent/scan/signature_loader.h"

#include <cstdio>

#include "common/crypto/ed25519.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "signatures/bundle.h"
#include "signatures/yara/yara_library.h"

namespace xiaoan::agent::scan {
namespace {

// A first compile error, "file:line: message", as the rejection line.
Status rulesInvalid(const Status& compile, const std::vector<sig::CompileDiagnostic>& diags) {
  for (const auto& d : diags) {
    if (!d.warning) {
      return Status(ErrorCode::kRulesInvalid,
                    d.file + ":" + std::to_string(d.line) + ": " + d.message);
    }
  }
  return Status(ErrorCode::kRulesInvalid, compile.message());
}

}  // namespace

SignatureLoader::SignatureLoader(SignatureLoaderOptions options, const Clock& clock,
                                 OnLoaded on_loaded)
    : options_(std::move(options)),
      dir_(options_.state_dir + "/signatures"),
      clock_(clock),
      on_loaded_(std::move(on_loaded)) {}

Result<SignatureLoader::Built> SignatureLoader::build(const v1::SignatureBundle& bundle,
                                                      std::string sha256) const {
  std::vector<sig::CompileDiagnostic> diags;
  sig::ScanRules::Options o;
  o.bundle_version = bundle.version();
  auto rules = sig::ScanRules::build(sig::sourcesOf(bundle), o, &diags);
  if (!rules.isOk()) return rulesInvalid(rules.status(), diags);
  Built b;
  b.info.version = bundle.version();
  if (bundle.has_issued_at()) b.info.issued_at = bundle.issued_at();
  b.info.loaded_at = clock_.now();
  b.info.rule_count = (*rules)->ruleCount();
  b.info.sha256 = std::move(sha256);
  b.rules = std::move(rules).value();
  return b;
}

Result<SignatureLoader::Built> SignatureLoader::fromBytes(std::string_view bytes) const {
  auto bundle = sig::parseBundle(bytes);
  if (!bundle.isOk()) {
    if (bundle.status().code() == ErrorCode::kTooLarge) return bundle.status();
    return Status(ErrorCode::kRulesInvalid, bundle.status().message());
  }
  return build(*bundle, crypto::sha256(bytes));
}

Result<SignatureLoader::Built> SignatureLoader::fromBuiltinDir() const {
  auto bundle = sig::bundleFromDirectory(options_.builtin_dir);
  if (!bundle.isOk()) {
    return Status(ErrorCode::kRulesMissing,
                  "built-in rules " + options_.builtin_dir + ": " + bundle.status().message());
  }
  bundle->set_version(0);
  return build(*bundle, "");
}

Status SignatureLoader::loadAtStart() {
  std::lock_guard build_lock(load_mu_);
  auto log = componentLogger(LogComponent::kAgentScan);
  auto bytes = readFile(currentPath(), sig::kMaxBundleBytes);
  if (bytes.isOk()) {
    auto built = fromBytes(*bytes);
    if (built.isOk()) {
      log->info("loaded signature bundle v{} ({} rules)", built->info.version,
                built->info.rule_count);
      install(std::move(built).value(), false);
      return Status::ok();
    }
    const std::string bad = currentPath() + ".bad";
    log->warn("{}: {}; moved to {}, using the built-in rules", currentPath(),
              built.status().toString(), bad);
    std::rename(currentPath().c_str(), bad.c_str());
    setError(built.status());
  } else if (bytes.status().code() != ErrorCode::kNotFound) {
    setError(bytes.status());
  }
  auto builtin = fromBuiltinDir();
  if (!builtin.isOk()) {
    log->error("no signature rules loaded: {}", builtin.status().toString());
    return builtin.status();
  }
  log->info("loaded the built-in rules of {} ({} rules)", options_.builtin_dir,
            builtin->info.rule_count);
  install(std::move(builtin).value(), false);
  return Status::ok();
}

Status SignatureLoader::applyArtifact(std::string_view bytes, uint64_t artifact_version) {
  std::lock_guard build_lock(load_mu_);
  auto built = fromBytes(bytes);
  Status st = built.isOk() ? Status::ok() : built.status();
  if (st.isOk() && built->info.version != artifact_version) {
    st = Status(ErrorCode::kMetaMismatch,
                "signature bundle says version " + std::to_string(built->info.version) +
                    ", the signed metadata names version " + std::to_string(artifact_version));
  }
  if (st.isOk()) st = makeDirs(dir_, 0700);
  if (st.isOk()) st = atomicWriteFile(currentPath(), bytes, 0600);
  if (!st.isOk()) {
    setError(st);
    return st;
  }
  componentLogger(LogComponent::kAgentScan)
      ->info("signature bundle v{} loaded ({} rules)", built->info.version, built->info.rule_count);
  install(std::move(built).value(), true);
  return Status::ok();
}

void SignatureLoader::install(Built built, bool clear_error) {
  const LoadedSignatures info = built.info;
  {
    std::lock_guard lock(mu_);
    rules_ = std::move(built.rules);
    loaded_ = info;
    if (clear_error) last_error_.reset();
  }
  // The rules replaced were freed here unless a running scan still holds them (then that
  // scan's end trims): give their pages back.
  sig::trimHeap();
  if (on_loaded_) on_loaded_(info);
}

void SignatureLoader::setError(const Status& st) {
  v1::ErrorInfo e;
  e.set_code(std::string(errorCodeName(st.code())));
  e.set_message(st.message());
  std::lock_guard lock(mu_);
  last_error_ = std::move(e);
}

std::shared_ptr<const sig::ScanRules> SignatureLoader::rules() const {
  std::lock_guard lock(mu_);
  return rules_;
}

std::optional<LoadedSignatures> SignatureLoader::loaded() const {
  std::lock_guard lock(mu_);
  return loaded_;
}

std::optional<v1::ErrorInfo> SignatureLoader::lastError() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace xiaoan::agent::scan
