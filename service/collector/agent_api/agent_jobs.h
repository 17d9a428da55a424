#pragma once

#include <string>

#include "platform/clock.h"
#include "service/collector/agent_api/agent_codec.h"
#include "service/collector/agent_api/agent_responses.h"
#include "service/collector/agent_api/ingest_writer.h"
#include "service/collector/trust/content_issuer.h"
#include "xiaoan/v1/common.pb.h"

namespace xiaoan::collector {

// Stores one event batch under the certificate's agent id; answers with the acks after commit.
class EventBatchJob final : public WriteJob {
 public:
  EventBatchJob(std::string agent_id, std::string remote_address, DecodedBatch batch,
                size_t body_bytes, const Clock& clock, RetryAfterRange retry, Responder respond);
  size_t costBytes() const override { return cost_bytes_; }
  size_t rowCount() const override { return batch_.events.size(); }
  Status apply(WriteTxn& txn) override;
  void complete(const Status& status) override;

 private:
  Status storeRecords(WriteTxn& txn, const TerminalPlace& place, const EventRow& row, int64_t now);
  Status recordClaims(WriteTxn& txn);

  std::string agent_id_;
  std::string remote_address_;
  DecodedBatch batch_;
  size_t cost_bytes_;
  const Clock& clock_;
  RetryAfterRange retry_;
  Responder respond_;
  uint32_t stored_ = 0;
  uint32_t duplicates_ = 0;
  std::vector<std::string> foreign_claims_;
};

// Records a check-in; answers with the interval of the agent's merged policy, its stored heads
// and the signed content issued to it (content_issuer.h).
class CheckinJob final : public WriteJob {
 public:
  CheckinJob(std::string agent_id, CheckinInput input, const ContentIssuer& issuer,
             const Clock& clock, RetryAfterRange retry, Responder respond);
  size_t costBytes() const override { return 4096; }
  Status apply(WriteTxn& txn) override;
  void complete(const Status& status) override;

 private:
  std::string agent_id_;
  CheckinInput input_;
  const ContentIssuer& issuer_;
  const Clock& clock_;
  RetryAfterRange retry_;
  Responder respond_;
  std::string terminal_id_;
  std::vector<AckRow> heads_;
  AgentContent content_;
};

// Unix milliseconds of a clock reading.
int64_t unixMillis(std::chrono::system_clock::time_point t);

// Copies stored heads into a StreamAck list of a response.
void appendAcks(const std::vector<AckRow>& heads,
                google::protobuf::RepeatedPtrField<v1::StreamAck>* out);

}  // namespace xiaoan::collector
