#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"
#include "signatures/yara/yara_rules.h"
#include "xiaoan/v1/scan.pb.h"

// The signature bundle format (proto SignatureBundle), shared by the collector (publish),
// xiaoan-admin (read a directory) and the agent (load an artifact). Everything here treats its
// input as untrusted: bounded sizes and counts, names checked, clear error codes.

namespace xiaoan::sig {

inline constexpr uint64_t kMaxBundleBytes = 64ull << 20;  // serialized bundle
inline constexpr uint32_t kMaxBundleFiles = 10000;
inline constexpr uint64_t kMaxRuleFileBytes = 8ull << 20;
inline constexpr size_t kMaxRuleFileName = 512;

// Parses a serialized SignatureBundle and checks its shape (caps, file names: relative,
// '/'-separated, no "." / ".." / empty segments, unique, UTF-8). E_TOO_LARGE / E_INVALID_ARGUMENT.
Result<v1::SignatureBundle> parseBundle(std::string_view bytes);

// Same checks on a bundle built in memory.
Status checkBundleShape(const v1::SignatureBundle& bundle);

// Reads every *.yar / *.yara file under `dir` (recursively, sorted by name, regular files only,
// symlinks refused) into a bundle without version; for `xiaoan-admin signatures publish DIR`.
Result<v1::SignatureBundle> bundleFromDirectory(const std::string& dir);

// The sources of a bundle, in order, for compileRules / ScanRules::build.
std::vector<RuleSource> sourcesOf(const v1::SignatureBundle& bundle);

// Diagnostics in the wire form.
v1::RuleDiagnostic toProto(const CompileDiagnostic& d);

}  // namespace xiaoan::sig
