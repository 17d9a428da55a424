#pragma once

#include <string>

#include "agent/content/content_reporter.h"
#include "agent/core/event_factory.h"
#include "agent/core/status_model.h"
#include "agent/spool/spool.h"

namespace xiaoan::agent {

// The daemon's ears for the content channel: conditions and ContentStatus go to the status
// model, ContentUpdateEvents (security priority) to the spool. A spool that cannot take an
// event is logged; the content channel goes on (RELIABILITY.md I4).
class StatusContentReporter final : public content::ContentReporter {
 public:
  StatusContentReporter(StatusModel& status, const EventFactory& events, Spool& spool)
      : status_(status), events_(events), spool_(spool) {}

  void reportEvent(v1::ContentUpdateEvent event) override;
  void setCondition(const std::string& key, const Status& status) override;
  void reportStatus(const v1::ContentStatus& status, uint64_t policy_version) override;

 private:
  StatusModel& status_;
  const EventFactory& events_;
  Spool& spool_;
};

}  // namespace xiaoan::agent
