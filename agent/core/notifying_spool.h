#pragma once

#include <memory>

#include "agent/core/wake_signal.h"
#include "agent/spool/spool.h"

namespace xiaoan::agent {

// Bits raised on the uploader's WakeSignal.
inline constexpr uint32_t kWakeAppended = 1u << 0;   // new records in the spool
inline constexpr uint32_t kWakeRecovered = 1u << 1;  // the collector answered again

// A Spool that raises kWakeAppended on `wake` after every successful append, so that the
// uploader sleeps without polling and still sends new events at once. Everything else is
// forwarded unchanged.
class NotifyingSpool final : public Spool {
 public:
  NotifyingSpool(Spool& inner, WakeSignal& wake) : inner_(inner), wake_(wake) {}

  Result<AppendResult> append(v1::Event event) override;
  Result<std::vector<v1::Event>> readPending(std::string_view stream, size_t max_count,
                                             size_t max_bytes, uint64_t after_seq) override {
    return inner_.readPending(stream, max_count, max_bytes, after_seq);
  }
  Status ack(std::string_view stream, uint64_t epoch, uint64_t seq) override {
    return inner_.ack(stream, epoch, seq);
  }
  Status sync() override { return inner_.sync(); }
  SpoolStats stats() const override { return inner_.stats(); }

 private:
  Spool& inner_;
  WakeSignal& wake_;
};

}  // namespace xiaoan::agent
