#pragma once

#include <string>
#include <vector>

#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"
#include "service/collector/store/store.h"

// SQL of re-enrollment (issue 10): a new instance enrolling as a terminal the school knows is
// compared with the terminal's current instance and handled by the school's ReenrollPolicy.
// Shared by the writer's transactions (enroll) and the admin session (policy, approvals).
namespace xiaoan::collector {

// Pending re-enrollments kept per terminal; beyond, the least recently seen unapproved go.
inline constexpr int64_t kMaxPendingPerTerminal = 16;

// What differs between `p` and the terminal's current instance, of "key", "smbios_uuid",
// "machine_id": a fact only one side reported differs; one neither reported does not.
std::vector<std::string> mismatchedFacts(const EnrollParams& p, const std::string& key_sha256,
                                         const std::string& smbios_uuid,
                                         const std::string& machine_id);

// Decides on `p` enrolling as the known `terminal_id` of `school_id`. kAuto links it. kApprove
// links it when it has the current instance's key or an admin approved it (the pending row is
// then removed); otherwise it records or refreshes the pending row and holds it.
Result<Reenrollment> decideReenrollment(SqliteDb& db, const std::string& school_id,
                                        const std::string& terminal_id, const EnrollParams& p);

Status writeReenrollPolicy(SqliteDb& db, const std::string& school_id, ReenrollPolicy policy);
Result<std::vector<PendingEnrollmentRow>> readPendingEnrollments(SqliteDb& db,
                                                                 const std::string& school_filter);
// Marks the pending row approved; E_NOT_FOUND when there is none.
Result<PendingEnrollmentRow> markPendingApproved(SqliteDb& db, const std::string& id);

}  // namespace xiaoan::collector
