#include "service/collector/admin_api/rule_errors.h"

#include <map>
#include <set>
#include <string>

#include "signatures/bundle.h"
#include "signatures/yara/include_resolver.h"

namespace xiaoan::collector {
namespace {

using Includers = std::map<std::string, std::set<std::string>>;

// Who includes whom, by bundle name (unresolvable directives are the compiler's business).
Includers includersOf(const std::vector<sig::RuleSource>& sources) {
  Includers out;
  for (const auto& s : sources) {
    for (const auto& directive : sig::includeDirectives(s.text)) {
      auto target = sig::resolveIncludeName(s.name, directive);
      if (target.isOk()) out[*target].insert(s.name);
    }
  }
  return out;
}

// `name` and every file that includes it, directly or not.
std::set<std::string> withIncluders(const std::string& name, const Includers& includers) {
  std::set<std::string> out{name};
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    std::string next = std::move(todo.back());
    todo.pop_back();
    auto it = includers.find(next);
    if (it == includers.end()) continue;
    for (const auto& by : it->second) {
      if (out.insert(by).second) todo.push_back(by);
    }
  }
  return out;
}

// Appends the errors of one compile; returns the file of the first ("" when none is named).
std::string appendErrors(const std::vector<sig::CompileDiagnostic>& diagnostics,
                         std::vector<v1::RuleDiagnostic>& out) {
  std::string first;
  bool any = false;
  for (const auto& d : diagnostics) {
    if (d.warning) continue;
    if (!any) first = d.file;
    any = true;
    out.push_back(sig::toProto(d));
  }
  return first;
}

// How many were dropped.
size_t dropFiles(std::vector<sig::RuleSource>& sources, const std::set<std::string>& names) {
  return std::erase_if(sources, [&](const sig::RuleSource& s) { return names.contains(s.name); });
}

v1::RuleDiagnostic unlocated(const std::string& message) {
  v1::RuleDiagnostic d;
  d.set_message(message);
  return d;
}

}  // namespace

std::vector<v1::RuleDiagnostic> everyRuleError(std::vector<sig::RuleSource> sources,
                                               const std::vector<sig::CompileDiagnostic>& first,
                                               const Status& failure,
                                               const RuleErrorLimits& limits) {
  std::vector<v1::RuleDiagnostic> out;
  std::string broken = appendErrors(first, out);
  // The wrapper names the first error in its message; never answer without one.
  if (out.empty()) out.push_back(unlocated(failure.message()));
  const Includers includers = includersOf(sources);
  const auto deadline = std::chrono::steady_clock::now() + limits.budget;
  for (size_t pass = 0; !broken.empty(); ++pass) {
    // A file already dropped (or not in the bundle) would only fail the same way again.
    if (dropFiles(sources, withIncluders(broken, includers)) == 0 || sources.empty()) break;
    if (pass == limits.max_passes || std::chrono::steady_clock::now() >= deadline) {
      out.push_back(unlocated("more files may not compile; fix these and publish again"));
      break;
    }
    std::vector<sig::CompileDiagnostic> diagnostics;
    auto rules = sig::compileRules(sources, &diagnostics);
    if (rules.isOk() || rules.status().code() != ErrorCode::kRulesInvalid) break;
    size_t before = out.size();
    broken = appendErrors(diagnostics, out);
    if (out.size() == before) out.push_back(unlocated(rules.status().message()));
  }
  return out;
}

}  // namespace xiaoan::collector
