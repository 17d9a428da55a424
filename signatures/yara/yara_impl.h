#pragma once

// The libyara side of YaraRules and YaraScanner. Only for code inside signatures/ that needs the
// compiled rules themselves (e.g. to inspect rules); everything else uses yara_rules.h.

#include <yara.h>

#include <string>
#include <vector>

#include "signatures/yara/yara_library.h"
#include "signatures/yara/yara_rules.h"

namespace xiaoan::sig {

struct YaraRules::Impl {
  YaraLibraryRef library;  // declared first: destroyed after the rules
  YR_RULES* rules = nullptr;
  uint32_t rule_count = 0;
  uint64_t compiled_bytes = 0;

  explicit Impl(YaraLibraryRef lib) : library(std::move(lib)) {}
  ~Impl() {
    if (rules != nullptr) yr_rules_destroy(rules);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

// Maps a libyara error code of a scan to our Status ("what: libyara error N").
Status yaraScanStatus(int rc, const char* what);

}  // namespace xiaoan::sig
