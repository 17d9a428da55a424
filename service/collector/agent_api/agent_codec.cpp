#include "service/collector/agent_api/agent_codec.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "common/net/ipv4.h"
#include "common/proto_json.h"
#include "service/collector/agent_api/record_codec.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector {
namespace {

namespace v1 = ::xiaoan::v1;
using google::protobuf::internal::WireFormatLite;

constexpr size_t kMaxInterfaces = 256;
// A ComplianceStatus holds a handful of violations (one per kind and interface).
constexpr size_t kMaxViolations = 64;
constexpr size_t kMaxNoteBytes = 1024;
constexpr size_t kMaxAddressesPerInterface = 64;
constexpr size_t kMaxTextBytes = 256;
constexpr size_t kMaxClaimedIdBytes = 128;
constexpr size_t kMaxTokenBytes = 512;
constexpr size_t kMaxCsrBytes = size_t{16} * 1024;
constexpr size_t kMaxSpoolClasses = 16;
// google.protobuf.Timestamp range: 0001-01-01 .. 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

// Counts top-level `events` entries without materialising them, so a body full of tiny
// entries is refused before it costs memory.
Result<size_t> countBatchEntries(std::string_view body) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(body.data()),
                                            static_cast<int>(body.size()));
  size_t count = 0;
  while (uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == 1) {
      if (++count > kMaxEventsPerBatch) {
        return invalid("batch has more than " + std::to_string(kMaxEventsPerBatch) + " events");
      }
    }
    if (!WireFormatLite::SkipField(&in, tag)) break;  // the full parse reports the error
  }
  return count;
}

bool validText(const std::string& s, size_t max) { return s.size() <= max; }

Result<int64_t> wallTimeMs(const v1::Event& event) {
  return timestampMs(event.wall_time(), "event wall_time");
}

Status validateEvent(const v1::Event& e) {
  if (e.stream() != "security" && e.stream() != "activity") {
    return invalid("event stream must be \"security\" or \"activity\"");
  }
  if (e.seq() < 1 || e.seq() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return invalid("event seq out of range");
  }
  if (e.priority() != v1::PRIORITY_SECURITY && e.priority() != v1::PRIORITY_ACTIVITY) {
    return invalid("event priority not set");
  }
  if (!validText(e.claimed_agent_id(), kMaxClaimedIdBytes)) {
    return invalid("claimed_agent_id too long");
  }
  return Status::ok();
}

// Type name and JSON of the payload oneof, found by reflection so new payload kinds need no
// change here. Payloads this build does not know are kept (in the body) as type "unknown".
Status renderPayload(const v1::Event& e, EventRow& row) {
  const auto* oneof = v1::Event::descriptor()->FindOneofByName("payload");
  const auto* field = e.GetReflection()->GetOneofFieldDescriptor(e, oneof);
  if (field == nullptr) {
    row.type = "unknown";
    row.payload_json = "{}";
    return Status::ok();
  }
  row.type = field->name();
  XIAOAN_ASSIGN_OR_RETURN(row.payload_json, toCompactJson(e.GetReflection()->GetMessage(e, field)));
  return Status::ok();
}

Result<EventRow> toRow(const v1::Event& e) {
  XIAOAN_RETURN_IF_ERROR(validateEvent(e));
  EventRow row;
  row.stream = e.stream();
  row.epoch = e.epoch();
  row.seq = e.seq();
  row.priority = static_cast<int>(e.priority());
  XIAOAN_ASSIGN_OR_RETURN(row.wall_time_ms, wallTimeMs(e));
  XIAOAN_ASSIGN_OR_RETURN(bool rendered, extractRecords(e, row));
  if (!rendered) XIAOAN_RETURN_IF_ERROR(renderPayload(e, row));
  if (!e.SerializeToString(&row.body)) return Status(ErrorCode::kInternal, "event serialize");
  return row;
}

bool validIpv4Cidr(std::string_view cidr) {
  size_t slash = cidr.find('/');
  if (!net::parseIpv4(cidr.substr(0, slash))) return false;
  if (slash == std::string_view::npos) return true;
  std::string_view prefix = cidr.substr(slash + 1);
  unsigned bits = 0;
  auto [ptr, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
  return ec == std::errc() && ptr == prefix.data() + prefix.size() && !prefix.empty() && bits <= 32;
}

void addUnique(std::vector<std::string>& list, std::string value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(std::move(value));
  }
}

Status normalizeInterfaces(const v1::HostFacts& facts, NormalizedFacts& out) {
  if (static_cast<size_t>(facts.interfaces_size()) > kMaxInterfaces) {
    return invalid("too many network interfaces");
  }
  for (const auto& itf : facts.interfaces()) {
    if (itf.loopback()) continue;
    if (static_cast<size_t>(itf.ipv4_size()) > kMaxAddressesPerInterface) {
      return invalid("too many addresses on one interface");
    }
    // Malformed entries are skipped rather than refused: an odd virtual adapter must not keep a
    // PC from enrolling.
    addUnique(out.macs, normalizeMac(itf.mac()));
    addUnique(out.permanent_macs, normalizeMac(itf.permanent_mac()));
    for (const auto& cidr : itf.ipv4()) {
      if (validIpv4Cidr(cidr)) addUnique(out.ipv4, cidr);
    }
  }
  return Status::ok();
}

Result<NormalizedFacts> normalizeFacts(const v1::HostFacts& facts) {
  for (const auto* s :
       {&facts.hostname(), &facts.os_version(), &facts.smbios_uuid(), &facts.machine_id()}) {
    if (!validText(*s, kMaxTextBytes)) return invalid("host fact longer than 256 bytes");
  }
  NormalizedFacts out;
  out.hostname = facts.hostname();
  out.os_version = facts.os_version();
  out.smbios_uuid = facts.smbios_uuid();
  out.machine_id = facts.machine_id();
  XIAOAN_RETURN_IF_ERROR(normalizeInterfaces(facts, out));
  return out;
}

bool isLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status splitToken(const std::string& token, EnrollInput& out) {
  size_t dot = token.find('.');
  if (token.size() > kMaxTokenBytes || dot == std::string::npos || dot == 0 || dot > 64 ||
      dot + 1 == token.size() || !isLowerHex(std::string_view(token).substr(0, dot))) {
    return Status(ErrorCode::kUnauthorized, "malformed enrollment token");
  }
  out.token_id = token.substr(0, dot);
  out.token_secret = token.substr(dot + 1);
  return Status::ok();
}

template <typename M>
Status parseMessage(std::string_view body, M& message) {
  if (!message.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status(ErrorCode::kProtocol, std::string("undecodable ") + M::descriptor()->name());
  }
  return Status::ok();
}

}  // namespace

Result<int64_t> timestampMs(const google::protobuf::Timestamp& t, const char* what) {
  if (t.seconds() < kMinTimestampSeconds || t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    return invalid(std::string(what) + " out of range");
  }
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

Result<DecodedBatch> decodeEventBatch(std::string_view body) {
  if (body.size() > kMaxEventBatchBytes) return Status(ErrorCode::kTooLarge, "batch too large");
  XIAOAN_ASSIGN_OR_RETURN(size_t count, countBatchEntries(body));
  // One arena for the whole batch: hundreds of small messages without a malloc each.
  google::protobuf::Arena arena;
  auto* batch = google::protobuf::Arena::CreateMessage<v1::EventBatch>(&arena);
  XIAOAN_RETURN_IF_ERROR(parseMessage(body, *batch));
  DecodedBatch out;
  out.events.reserve(count);
  std::map<std::pair<std::string, uint64_t>, uint64_t> heads;
  std::set<std::string> claimed;
  for (const auto& e : batch->events()) {
    XIAOAN_ASSIGN_OR_RETURN(EventRow row, toRow(e));
    uint64_t& head = heads[{row.stream, row.epoch}];
    head = std::max(head, row.seq);
    if (!e.claimed_agent_id().empty() && claimed.size() < kMaxClaimedIds) {
      claimed.insert(e.claimed_agent_id());
    }
    out.events.push_back(std::move(row));
  }
  for (const auto& [key, seq] : heads) out.heads.push_back({key.first, key.second, seq});
  out.claimed_ids.assign(claimed.begin(), claimed.end());
  return out;
}

Result<EnrollInput> decodeEnrollRequest(std::string_view body) {
  if (body.size() > kMaxSmallRequestBytes) return Status(ErrorCode::kTooLarge, "body too large");
  v1::EnrollRequest req;
  XIAOAN_RETURN_IF_ERROR(parseMessage(body, req));
  EnrollInput out;
  XIAOAN_RETURN_IF_ERROR(splitToken(req.token(), out));
  if (req.csr_pem().empty() || req.csr_pem().size() > kMaxCsrBytes) {
    return invalid("csr_pem missing or larger than 16 KiB");
  }
  if (!validText(req.agent_version(), kMaxTextBytes)) return invalid("agent_version too long");
  out.csr_pem = req.csr_pem();
  out.agent_version = req.agent_version();
  XIAOAN_ASSIGN_OR_RETURN(out.facts, normalizeFacts(req.facts()));
  return out;
}

namespace {

// The ComplianceStatus of a check-in, bounded and with valid enums, for storing.
Result<ComplianceUpdate> decodeCompliance(const v1::ComplianceStatus& c) {
  if (static_cast<size_t>(c.violations_size()) > kMaxViolations) {
    return invalid("too many violations in compliance");
  }
  if (!v1::ComplianceState_IsValid(c.state())) return invalid("unknown compliance state");
  ComplianceUpdate out;
  out.state = c.state();
  for (const auto& v : c.violations()) {
    if (!v1::ViolationKind_IsValid(v.kind())) return invalid("unknown violation kind");
    for (const auto* s : {&v.interface(), &v.expected(), &v.actual(), &v.other_mac()}) {
      if (!validText(*s, kMaxTextBytes)) return invalid("violation text longer than 256 bytes");
    }
    out.kinds.push_back(v.kind());
  }
  for (const auto* s : {&c.expected_hostname(), &c.naming_note(), &c.permanent_mac()}) {
    if (!validText(*s, kMaxNoteBytes)) return invalid("compliance text too long");
  }
  if (!c.SerializeToString(&out.status)) return Status(ErrorCode::kInternal, "serialize");
  return out;
}

}  // namespace

Result<CheckinInput> decodeCheckinRequest(std::string_view body) {
  if (body.size() > kMaxSmallRequestBytes) return Status(ErrorCode::kTooLarge, "body too large");
  v1::CheckinRequest req;
  XIAOAN_RETURN_IF_ERROR(parseMessage(body, req));
  if (!validText(req.agent_version(), kMaxTextBytes)) return invalid("agent_version too long");
  if (static_cast<size_t>(req.spool_size()) > kMaxSpoolClasses) return invalid("too many classes");
  CheckinInput out;
  out.agent_version = req.agent_version();
  out.policy_version = req.policy_version();
  out.trust_root_version = req.trust().root();
  out.signatures_version = req.signatures_version();
  if (req.has_last_full_scan()) {
    XIAOAN_ASSIGN_OR_RETURN(out.last_full_scan_ms,
                            timestampMs(req.last_full_scan(), "last_full_scan"));
  }
  for (const auto& cls : req.spool()) {
    // Saturate instead of wrapping: the figure is informational.
    uint64_t room = std::numeric_limits<uint64_t>::max() - out.spool_pending;
    out.spool_pending += std::min(room, cls.pending_records());
  }
  XIAOAN_ASSIGN_OR_RETURN(out.facts, normalizeFacts(req.facts()));
  if (req.has_compliance()) {
    XIAOAN_ASSIGN_OR_RETURN(out.compliance, decodeCompliance(req.compliance()));
  }
  return out;
}

}  // namespace xiaoan::collector
