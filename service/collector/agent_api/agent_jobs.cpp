#include "service/collector/agent_api/agent_jobs.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/time_util.h>

#include "common/proto_json.h"
#include "platform/logging.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

void setString(google::protobuf::Struct& s, const std::string& key, const std::string& value) {
  (*s.mutable_fields())[key].set_string_value(value);
}

}  // namespace

int64_t unixMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void appendAcks(const std::vector<AckRow>& heads,
                google::protobuf::RepeatedPtrField<v1::StreamAck>* out) {
  for (const auto& h : heads) {
    auto* ack = out->Add();
    ack->set_stream(h.stream);
    ack->set_epoch(h.epoch);
    ack->set_seq(h.seq);
  }
}

EventBatchJob::EventBatchJob(std::string agent_id, std::string remote_address, DecodedBatch batch,
                             size_t body_bytes, const Clock& clock, RetryAfterRange retry,
                             Responder respond)
    : agent_id_(std::move(agent_id)),
      remote_address_(std::move(remote_address)),
      batch_(std::move(batch)),
      // Decoded rows hold the body about twice (serialized event + payload JSON).
      cost_bytes_(body_bytes * 3 + 1024),
      clock_(clock),
      retry_(retry),
      respond_(std::move(respond)) {}

Status EventBatchJob::apply(WriteTxn& txn) {
  stored_ = 0;
  duplicates_ = 0;
  XIAOAN_ASSIGN_OR_RETURN(auto agent, txn.findAgent(agent_id_));
  if (!agent) return Status(ErrorCode::kUnauthorized, "agent is not enrolled");
  int64_t now = unixMillis(clock_.now());
  std::optional<TerminalPlace> place;  // read once, for the first event carrying records
  for (const auto& row : batch_.events) {
    XIAOAN_ASSIGN_OR_RETURN(bool inserted, txn.insertEvent(agent_id_, row, now));
    ++(inserted ? stored_ : duplicates_);
    // A resent event's records were stored with it the first time.
    if (!inserted || (row.visits.empty() && !row.session && !row.alert)) continue;
    if (!place) {
      XIAOAN_ASSIGN_OR_RETURN(place, txn.terminalPlace(*agent));
    }
    XIAOAN_RETURN_IF_ERROR(storeRecords(txn, *place, row, now));
  }
  for (const auto& head : batch_.heads) {
    XIAOAN_RETURN_IF_ERROR(txn.advanceHead(agent_id_, head, now));
  }
  XIAOAN_RETURN_IF_ERROR(recordClaims(txn));
  uint64_t added = stored_ + foreign_claims_.size();
  if (added > 0) XIAOAN_RETURN_IF_ERROR(txn.addTerminalEvents(agent->terminal_id, added));
  return Status::ok();
}

// The records an event carries, each deduplicated by its key per terminal: a visit re-read
// after a restore card comes in a new event (new seq) and adds nothing.
Status EventBatchJob::storeRecords(WriteTxn& txn, const TerminalPlace& place, const EventRow& row,
                                   int64_t now) {
  if (!row.visits.empty())
    XIAOAN_RETURN_IF_ERROR(txn.insertVisits(place, row.visits, now).status());
  if (row.session) XIAOAN_RETURN_IF_ERROR(txn.upsertSession(place, *row.session, now));
  if (row.alert) XIAOAN_RETURN_IF_ERROR(txn.insertAlert(place, *row.alert, now).status());
  return Status::ok();
}

// Events are stored under the certificate's identity whatever they claim; a foreign claim is
// itself recorded as a security event (RELIABILITY.md I5, P3).
Status EventBatchJob::recordClaims(WriteTxn& txn) {
  foreign_claims_.clear();
  int64_t now = unixMillis(clock_.now());
  for (const auto& claimed : batch_.claimed_ids) {
    if (claimed == agent_id_) continue;
    google::protobuf::Struct payload;
    setString(payload, "code", "E_FORBIDDEN");
    setString(payload, "message",
              "event batch claims another agent id; stored under the "
              "certificate identity");
    setString(payload, "claimed_agent_id", claimed);
    setString(payload, "cert_agent_id", agent_id_);
    setString(payload, "remote_address", remote_address_);
    XIAOAN_ASSIGN_OR_RETURN(std::string json, toCompactJson(payload));
    XIAOAN_RETURN_IF_ERROR(txn.insertCollectorEvent(agent_id_, "security_alert", json, now));
    foreign_claims_.push_back(claimed);
  }
  return Status::ok();
}

void EventBatchJob::complete(const Status& status) {
  if (!status.isOk()) return respond_(agentErrorResponse(status, retry_));
  for (const auto& claimed : foreign_claims_) {
    componentLogger(LogComponent::kCollectorIngest)
        ->warn(
            "agent {} from {} sent events claiming agent id '{}'; stored under the "
            "certificate identity, security_alert recorded",
            agent_id_, remote_address_, claimed);
  }
  v1::EventBatchResponse res;
  appendAcks(batch_.heads, res.mutable_acks());
  res.set_stored(stored_);
  res.set_duplicates(duplicates_);
  respond_(protobufResponse(res));
}

CheckinJob::CheckinJob(std::string agent_id, CheckinInput input, const ContentIssuer& issuer,
                       const Clock& clock, RetryAfterRange retry, Responder respond)
    : agent_id_(std::move(agent_id)),
      input_(std::move(input)),
      issuer_(issuer),
      clock_(clock),
      retry_(retry),
      respond_(std::move(respond)) {}

Status CheckinJob::apply(WriteTxn& txn) {
  CheckinUpdate u;
  u.agent_id = agent_id_;
  u.hostname = input_.facts.hostname;
  u.macs = input_.facts.macs;
  u.ipv4 = input_.facts.ipv4;
  u.os_version = input_.facts.os_version;
  u.agent_version = input_.agent_version;
  u.policy_version = input_.policy_version;
  u.spool_pending = input_.spool_pending;
  u.signatures_version = input_.signatures_version;
  u.last_full_scan_ms = input_.last_full_scan_ms;
  u.permanent_macs = input_.facts.permanent_macs;
  u.compliance = input_.compliance;
  u.now_ms = unixMillis(clock_.now());
  XIAOAN_ASSIGN_OR_RETURN(AgentRow agent, txn.recordCheckin(u));
  terminal_id_ = agent.terminal_id;
  XIAOAN_ASSIGN_OR_RETURN(heads_, txn.agentHeads(agent_id_));
  content_ = issuer_.issueForCheckin(txn, agent_id_, terminal_id_, input_.trust_root_version);
  return Status::ok();
}

void CheckinJob::complete(const Status& status) {
  if (!status.isOk()) return respond_(agentErrorResponse(status, retry_));
  v1::CheckinResponse res;
  res.set_checkin_interval_seconds(content_.checkin_interval_seconds);
  if (content_.trust) *res.mutable_trust() = std::move(*content_.trust);
  appendAcks(heads_, res.mutable_acks());
  *res.mutable_server_time() = TimeUtil::MillisecondsToTimestamp(unixMillis(clock_.now()));
  res.set_terminal_id(terminal_id_);
  respond_(protobufResponse(res));
}

}  // namespace xiaoan::collector
