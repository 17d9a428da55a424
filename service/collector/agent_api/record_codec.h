#pragma once

#include <cstddef>
#include <string>

#include "platform/result.h"
#include "service/collector/store/store.h"
#include "xiaoan/v1/event.pb.h"

// The records of browsing, seat-session and site-alert events (browsing.proto) as the collector
// stores them: bounded, validated, with their times in Unix milliseconds.
namespace xiaoan::collector {

// browsing.proto: at most 500 visits per event.
inline constexpr size_t kMaxVisitsPerEvent = 500;
// Record keys are 32 hex digits; anything up to this is accepted, longer is refused.
inline constexpr size_t kMaxRecordKeyBytes = 64;
// Longer texts are cut (at a UTF-8 character boundary) rather than refused: a visit to a
// very long URL is still a visit.
inline constexpr size_t kMaxUrlBytes = 4096;
inline constexpr size_t kMaxTitleBytes = 1024;
inline constexpr size_t kMaxDomainBytes = 253;
inline constexpr size_t kMaxRecordTextBytes = 256;  // user, profile, where, pattern...

// Fills row.visits / row.session / row.alert from the event's payload when it is one of those
// (nothing otherwise) and, for a visit batch, sets row.payload_json to a summary
// ({"visits":N}): the visits table is their queryable form. Returns whether it handled the
// payload's JSON. E_INVALID_ARGUMENT: too many visits, a missing or oversized key, a time
// outside the Timestamp range, a session without a start.
Result<bool> extractRecords(const v1::Event& event, EventRow& row);

// The first `max` bytes of `text`, cut back to a UTF-8 character boundary.
std::string cutUtf8(const std::string& text, size_t max);

}  // namespace xiaoan::collector
