#pragma once

#include <string>
#include <vector>

#include "common/naming/naming_rule.h"
#include "platform/hostname_control.h"
#include "platform/text_codec.h"
#include "xiaoan/v1/network.pb.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::agent {

// What one naming check found and did.
struct NamingCheck {
  // HOSTNAME (the machine's name differs from the rule's) or NAMING_RULE_UNUSABLE (no candidate
  // of the rule fits this OS). Empty when compliant or naming is off.
  std::vector<v1::Violation> violations;
  std::string expected_hostname;  // the name the rule asks for ("" when off or unusable)
  std::string note;               // why the fallback applied, one English line ("" otherwise)
  bool renamed = false;           // a rename was done in this check
  bool pending_reboot = false;    // the rename takes effect at the next reboot
  Status rename_status;           // outcome of the rename, when one was tried
};

// Checks the machine's names against NamingPolicy and, with action ENFORCE, renames the
// machine. The rule is decided by common/naming (the same code the collector uses to show the
// admin what each PC will be called); the OS names go through the HostnameControl seam.
class HostnameEnforcer {
 public:
  HostnameEnforcer(HostnameControl& control, const TextCodec& codec, naming::HostOs os)
      : control_(control), codec_(codec), os_(os) {}

  NamingCheck check(const v1::NamingPolicy& policy);

 private:
  bool matches(const HostNames& names, const naming::HostnameDecision& decision) const;

  HostnameControl& control_;
  const TextCodec& codec_;
  naming::HostOs os_;
};

}  // namespace xiaoan::agent
