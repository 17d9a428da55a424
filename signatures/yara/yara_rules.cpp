#include "signatures/yara/yara_rules.h"

#include <cstring>
#include <string>

#include "signatures/yara/yara_impl.h"

namespace xiaoan::sig {

YaraRules::YaraRules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
YaraRules::YaraRules(YaraRules&&) noexcept = default;
YaraRules& YaraRules::operator=(YaraRules&&) noexcept = default;
YaraRules::~YaraRules() = default;

uint32_t YaraRules::ruleCount() const { return impl_ ? impl_->rule_count : 0; }
uint64_t YaraRules::compiledBytes() const { return impl_ ? impl_->compiled_bytes : 0; }

Status yaraScanStatus(int rc, const char* what) {
  std::string message = std::string(what) + ": libyara error " + std::to_string(rc);
  switch (rc) {
    case ERROR_SCAN_TIMEOUT:
      return Status(ErrorCode::kScanTimeout, std::string(what) + ": timeout");
    // Limits a file's content can exhaust: too many matches, regexp fibers, stack.
    case ERROR_TOO_MANY_MATCHES:
    case ERROR_TOO_MANY_RE_FIBERS:
    case ERROR_EXEC_STACK_OVERFLOW:
    case ERROR_INSUFFICIENT_MEMORY:
      return Status(ErrorCode::kTooLarge, message);
    default:
      return Status(ErrorCode::kInternal, message);
  }
}

struct YaraScanner::Impl {
  YaraLibraryRef library;  // destroyed after the scanner
  YR_SCANNER* scanner = nullptr;
  int flags = SCAN_FLAGS_REPORT_RULES_MATCHING;
  std::vector<Match> matches;
  // External values as last set, so unchanged ones (owner, type) are not set again.
  std::string externals[std::size(kExternalNames)];
  bool externals_set = false;

  explicit Impl(YaraLibraryRef lib) : library(std::move(lib)) {}
  ~Impl() {
    if (scanner != nullptr) yr_scanner_destroy(scanner);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status setExternals(const FileExternals& ext);
};

namespace {

int scanCallback(YR_SCAN_CONTEXT*, int message, void* data, void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  auto& matches = *static_cast<std::vector<Match>*>(user);
  const YR_RULE* rule = static_cast<const YR_RULE*>(data);
  Match m;
  m.rule = rule->identifier;
  m.rule_namespace = rule->ns->name;
  const char* tag = nullptr;
  yr_rule_tags_foreach(rule, tag) { m.tags.emplace_back(tag); }
  matches.push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

}  // namespace

Status YaraScanner::Impl::setExternals(const FileExternals& ext) {
  const std::string* values[] = {&ext.filename, &ext.filepath, &ext.extension, &ext.filetype,
                                 &ext.owner};
  static_assert(std::size(values) == std::size(kExternalNames));
  for (size_t i = 0; i < std::size(values); ++i) {
    if (externals_set && externals[i] == *values[i]) continue;
    // libyara copies the value; a NUL inside a name cuts it there, as it would in C.
    int rc = yr_scanner_define_string_variable(scanner, kExternalNames[i], values[i]->c_str());
    if (rc != ERROR_SUCCESS) {
      externals_set = false;
      return yaraScanStatus(rc, "define external");
    }
    externals[i] = *values[i];
  }
  externals_set = true;
  return Status::ok();
}

Result<YaraScanner> YaraScanner::create(const YaraRules& rules) {
  XIAOAN_ASSIGN_OR_RETURN(YaraLibraryRef lib, YaraLibraryRef::acquire());
  auto impl = std::make_unique<Impl>(std::move(lib));
  int rc = yr_scanner_create(rules.impl().rules, &impl->scanner);
  if (rc != ERROR_SUCCESS) return yaraScanStatus(rc, "yr_scanner_create");
  yr_scanner_set_callback(impl->scanner, scanCallback, &impl->matches);
  yr_scanner_set_flags(impl->scanner, impl->flags);
  return YaraScanner(std::move(impl));
}

YaraScanner::YaraScanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
YaraScanner::YaraScanner(YaraScanner&&) noexcept = default;
YaraScanner& YaraScanner::operator=(YaraScanner&&) noexcept = default;
YaraScanner::~YaraScanner() = default;

void YaraScanner::setTimeout(std::chrono::seconds timeout) {
  yr_scanner_set_timeout(impl_->scanner, static_cast<int>(timeout.count()));
}

void YaraScanner::setFastMode(bool fast) {
  impl_->flags = SCAN_FLAGS_REPORT_RULES_MATCHING | (fast ? SCAN_FLAGS_FAST_MODE : 0);
  yr_scanner_set_flags(impl_->scanner, impl_->flags);
}

Result<std::vector<Match>> YaraScanner::scan(std::span<const uint8_t> data,
                                             const FileExternals& externals) {
  XIAOAN_RETURN_IF_ERROR(impl_->setExternals(externals));
  impl_->matches.clear();
  int rc = yr_scanner_scan_mem(impl_->scanner, data.data(), data.size());
  if (rc != ERROR_SUCCESS) {
    impl_->matches.clear();
    return yaraScanStatus(rc, "scan");
  }
  // Hand the vector over; an empty result allocates nothing.
  return std::move(impl_->matches);
}

}  // namespace xiaoan::sig
