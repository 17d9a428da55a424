#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"
#include "service/collector/registry/registry_csv.h"
#include "service/collector/store/store.h"

// Decoding and validation of every agent API request body. These are the functions the
// handlers call on untrusted bytes (and the fuzz targets exercise). Errors:
// E_PROTOCOL (not decodable), E_INVALID_ARGUMENT (decodable but invalid),
// E_UNAUTHORIZED (malformed enrollment token).
namespace google::protobuf {
class Timestamp;
}  // namespace google::protobuf

namespace xiaoan::collector {

// Unix milliseconds of a Timestamp within its documented range (0001..9999);
// E_INVALID_ARGUMENT "<what> out of range" otherwise.
Result<int64_t> timestampMs(const google::protobuf::Timestamp& t, const char* what);

inline constexpr size_t kMaxEventsPerBatch = 1000;
inline constexpr size_t kMaxEventBatchBytes = size_t{4} * 1024 * 1024;
inline constexpr size_t kMaxSmallRequestBytes = size_t{64} * 1024;  // enroll, checkin

// Facts as stored: bounded strings, valid normalised MACs ("aa:bb:cc:dd:ee:ff") and IPv4 CIDRs.
struct NormalizedFacts {
  std::string hostname;
  std::vector<std::string> macs;
  std::vector<std::string> permanent_macs;  // burned-in MACs the OS reported (issue 11)
  std::vector<std::string> ipv4;
  std::string os_version;
  std::string smbios_uuid;
  std::string machine_id;
};

struct DecodedBatch {
  std::vector<EventRow> events;
  // Highest seq per (stream, epoch) in the batch: the ack once the batch is committed.
  std::vector<AckRow> heads;
  // Distinct non-empty claimed_agent_id values (at most kMaxClaimedIds kept).
  std::vector<std::string> claimed_ids;
};
inline constexpr size_t kMaxClaimedIds = 16;

struct EnrollInput {
  std::string token_id;
  std::string token_secret;
  std::string csr_pem;
  std::string agent_version;
  NormalizedFacts facts;
};

struct CheckinInput {
  std::string agent_version;
  uint64_t policy_version = 0;
  uint64_t spool_pending = 0;
  uint64_t trust_root_version = 0;           // newer roots are sent with the answer
  uint64_t signatures_version = 0;           // signature bundle loaded (0 = built-in rules)
  std::optional<int64_t> last_full_scan_ms;  // Unix ms; nullopt when unset
  NormalizedFacts facts;
  // The agent's latest binding/naming check; nullopt before its first (bounded: at most 64
  // violations, texts of at most 256 bytes, notes of at most 1 KiB).
  std::optional<ComplianceUpdate> compliance;
};

Result<DecodedBatch> decodeEventBatch(std::string_view body);
Result<EnrollInput> decodeEnrollRequest(std::string_view body);
Result<CheckinInput> decodeCheckinRequest(std::string_view body);

// MACs from host facts are normalised with normalizeMac (registry/registry_csv.h), the same
// function the seat registry uses, so that both compare equal.

}  // namespace xiaoan::collector
