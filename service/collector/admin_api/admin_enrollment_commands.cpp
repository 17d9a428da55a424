// The admin API's re-enrollment policy and approvals (issue 10).
#include <google/protobuf/util/time_util.h>

#include "common/proto_json.h"
#include "service/collector/admin_api/admin_commands.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

v1::PendingEnrollment pendingProto(const PendingEnrollmentRow& r) {
  v1::PendingEnrollment p;
  p.set_id(r.id);
  p.set_school_id(r.school_id);
  p.set_terminal_id(r.terminal_id);
  p.set_hostname(r.hostname);
  for (const auto& m : r.macs) p.add_macs(m);
  for (const auto& m : r.mismatched) p.add_mismatched(m);
  *p.mutable_first_seen() = TimeUtil::MillisecondsToTimestamp(r.first_seen_ms);
  *p.mutable_last_seen() = TimeUtil::MillisecondsToTimestamp(r.last_seen_ms);
  p.set_attempts(r.attempts);
  p.set_approved(r.approved);
  return p;
}

}  // namespace

ReenrollPolicy toStoreReenrollPolicy(v1::ReenrollPolicy policy) {
  return policy == v1::REENROLL_POLICY_APPROVE ? ReenrollPolicy::kApprove : ReenrollPolicy::kAuto;
}

v1::ReenrollPolicy toProtoReenrollPolicy(ReenrollPolicy policy) {
  return policy == ReenrollPolicy::kApprove ? v1::REENROLL_POLICY_APPROVE
                                            : v1::REENROLL_POLICY_AUTO;
}

Result<std::string> AdminCommands::setReenrollPolicy(const SetReenrollPolicy& cmd,
                                                     const std::string& admin) {
  v1::SetReenrollPolicyRequest detail;
  detail.set_policy(cmd.policy);
  XIAOAN_RETURN_IF_ERROR(store_.setReenrollPolicy(
      cmd.school_id, toStoreReenrollPolicy(cmd.policy),
      auditRow(nowMs(), admin, "school.reenroll_policy", cmd.school_id, detail)));
  return toCompactJson(detail);
}

Result<std::string> AdminCommands::listPendingEnrollments(const ListPendingEnrollments& cmd) {
  XIAOAN_ASSIGN_OR_RETURN(auto rows, store_.listPendingEnrollments(cmd.school_id));
  v1::PendingEnrollmentList list;
  for (const auto& r : rows) *list.add_enrollments() = pendingProto(r);
  return toCompactJson(list);
}

Result<std::string> AdminCommands::approvePendingEnrollment(const ApprovePendingEnrollment& cmd,
                                                            const std::string& admin) {
  v1::PendingEnrollment detail;
  detail.set_id(cmd.id);
  XIAOAN_ASSIGN_OR_RETURN(
      PendingEnrollmentRow row,
      store_.approvePendingEnrollment(
          cmd.id, auditRow(nowMs(), admin, "enrollment.approve", cmd.id, detail)));
  return toCompactJson(pendingProto(row));
}

}  // namespace xiaoan::collector
