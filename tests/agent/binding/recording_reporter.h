#pragma once

#include <mutex>
#include <vector>

#include "agent/binding/binding_service.h"

namespace xiaoan::agent::binding {

// Keeps every event the binding service reports, for assertions.
class RecordingReporter final : public BindingReporter {
 public:
  void report(v1::BindingEvent e) override {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
  }
  std::vector<v1::BindingEvent::Kind> kinds() {
    std::lock_guard lock(mu);
    std::vector<v1::BindingEvent::Kind> out;
    for (const auto& e : events) out.push_back(e.kind());
    return out;
  }
  v1::BindingEvent last(v1::BindingEvent::Kind kind) {
    std::lock_guard lock(mu);
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind() == kind) return *it;
    return {};
  }
  // The kinds reported since the last call.
  std::vector<v1::BindingEvent::Kind> takeKinds() {
    auto out = kinds();
    clear();
    return out;
  }
  void clear() {
    std::lock_guard lock(mu);
    events.clear();
  }
  std::mutex mu;
  std::vector<v1::BindingEvent> events;
};

}  // namespace xiaoan::agent::binding
