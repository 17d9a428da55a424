// Fuzzes signature-bundle loading: serialized SignatureBundle bytes -> parseBundle -> compile
// -> one scan, as the agent loads a bundle artifact and the collector validates a publish.
//
// Invariants (abort = finding): a rejected bundle is E_TOO_LARGE or E_INVALID_ARGUMENT; an
// accepted one passes checkBundleShape again and survives a serialize/parse round trip; a
// failed compile is E_RULES_INVALID with at least one error diagnostic; every diagnostic goes
// on the wire as valid UTF-8; compiled rules scan a small buffer without crashing.
// Bundles with more than kMaxCompiledSource bytes of rule text are parsed and checked but not
// compiled: compile time grows with the text and would drag exec/s down to nothing.
#include <google/protobuf/stubs/logging.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "signatures/bundle.h"

namespace {

using namespace xiaoan;

constexpr size_t kMaxCompiledSource = 64 * 1024;

// Malformed UTF-8 in string fields is expected input; keep protobuf's parser quiet about it.
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

void checkDiagnostics(const std::vector<sig::CompileDiagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    v1::RuleDiagnostic wire = sig::toProto(d);
    v1::RuleDiagnostic back;
    if (!back.ParseFromString(wire.SerializeAsString())) std::abort();
    if (back.file() != wire.file() || back.message() != wire.message()) std::abort();
  }
}

void compileAndScan(const v1::SignatureBundle& bundle) {
  std::vector<sig::CompileDiagnostic> diagnostics;
  auto rules = sig::compileRules(sig::sourcesOf(bundle), &diagnostics);
  checkDiagnostics(diagnostics);
  if (!rules.isOk()) {
    if (rules.status().code() != ErrorCode::kRulesInvalid) std::abort();
    return;
  }
  auto scanner = sig::YaraScanner::create(*rules);
  if (!scanner.isOk()) std::abort();
  scanner->setTimeout(std::chrono::seconds(1));
  static const std::string kData = std::string("MZ\x90\0", 4) + std::string(60, '\0') +
                                   "This program cannot be run in DOS mode. stratum+tcp:// eval(";
  sig::FileExternals ext{"a.exe", "/tmp/a.exe", "exe", "EXE", "root"};
  (void)scanner->scan({reinterpret_cast<const uint8_t*>(kData.data()), kData.size()}, ext);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto bundle = sig::parseBundle(bytes);
  if (!bundle.isOk()) {
    const ErrorCode code = bundle.status().code();
    if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kTooLarge) std::abort();
    return 0;
  }
  if (!sig::checkBundleShape(*bundle).isOk()) std::abort();
  if (!sig::parseBundle(bundle->SerializeAsString()).isOk()) std::abort();
  size_t total = 0;
  for (const auto& f : bundle->files()) total += f.content().size();
  if (total <= kMaxCompiledSource) compileAndScan(*bundle);
  return 0;
}
