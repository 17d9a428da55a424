#pragma once

#include <string>

#include "platform/isolation.h"
#include "platform/result.h"

namespace xiaoan {

inline constexpr const char* kIsolationTable = "inet xiaoan_isolation";

// The nft script that (re)creates the isolation table atomically; E_INVALID_ARGUMENT when an
// address is not a numeric literal (nothing from outside reaches the script unchecked).
Result<std::string> isolationRuleset(const IsolationRules& rules);

// The nft script that removes the table whether or not it exists.
std::string isolationRemoval();

}  // namespace xiaoan
