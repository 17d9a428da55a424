#include "agent/naming/hostname_enforcer.h"

namespace xiaoan::agent {
namespace {

v1::Violation violation(v1::ViolationKind kind, std::string expected, std::string actual) {
  v1::Violation v;
  v.set_kind(kind);
  v.set_expected(std::move(expected));
  v.set_actual(std::move(actual));
  return v;
}

bool asksForName(const v1::NamingPolicy& p) {
  return p.has_hostname() || p.has_pattern() || p.has_fallback();
}

}  // namespace

bool HostnameEnforcer::matches(const HostNames& names,
                               const naming::HostnameDecision& decision) const {
  if (!naming::sameHostname(names.running, decision.hostname)) return false;
  // Linux keeps the configured name for the next boot and the written (Chinese) form apart.
  if (os_ == naming::HostOs::kLinux) {
    return naming::sameHostname(names.static_name, decision.hostname) &&
           names.pretty == decision.pretty;
  }
  return true;
}

NamingCheck HostnameEnforcer::check(const v1::NamingPolicy& policy) {
  NamingCheck out;
  if (!policy.enabled() || !asksForName(policy)) return out;
  naming::HostnameDecision decision = naming::decideHostname(policy, os_, codec_);
  out.note = naming::describeDecision(decision, os_, Lang::kEn);
  auto names = control_.read();
  std::string actual = names ? names->running : std::string();
  if (!decision.usable) {
    out.violations.push_back(
        violation(v1::VIOLATION_KIND_NAMING_RULE_UNUSABLE, policy.pattern(), actual));
    out.found = out.violations;
    return out;
  }
  out.expected_hostname = decision.hostname;
  if (names && matches(*names, decision)) return out;
  std::string expected = decision.hostname;
  if (decision.pretty != decision.hostname) expected += " (" + decision.pretty + ")";
  if (names && names->pretty != names->running && !names->pretty.empty()) {
    actual += " (" + names->pretty + ")";
  }
  out.violations.push_back(violation(v1::VIOLATION_KIND_HOSTNAME, expected, actual));
  out.found = out.violations;
  // Windows: an earlier rename already set the name for the next boot; renaming again at every
  // check would only repeat the same action and events.
  if (names && os_ == naming::HostOs::kWindows &&
      naming::sameHostname(names->static_name, decision.hostname)) {
    out.pending_reboot = true;
    return out;
  }
  if (policy.action() != v1::ENFORCEMENT_ACTION_ENFORCE) return out;
  auto renamed = control_.rename(decision.hostname, decision.pretty);
  out.renamed = renamed.isOk();
  out.rename_status = renamed.isOk() ? Status::ok() : renamed.status();
  if (!renamed) return out;
  out.pending_reboot = renamed->pending_reboot;
  // Effective now: the violation is gone. Pending a reboot: it stays until then.
  if (!out.pending_reboot) out.violations.clear();
  return out;
}

}  // namespace xiaoan::agent
