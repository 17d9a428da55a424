#pragma once

#include <mutex>
#include <vector>

#include "platform/login_records.h"

namespace xiaoan::testing {

// The LoginRecords fake: the test sets the sessions open now, the history and the boot time;
// changeToken() changes with every set. Thread-safe (the tracker reads it from its thread).
class FakeLoginRecords final : public LoginRecords {
 public:
  void setCurrent(std::vector<LoginRecord> current) {
    std::lock_guard lock(mu_);
    current_ = std::move(current);
    ++generation_;
  }
  void addHistory(LoginRecord r) {
    std::lock_guard lock(mu_);
    history_.push_back(std::move(r));
  }
  void setBootTime(std::chrono::system_clock::time_point t) {
    std::lock_guard lock(mu_);
    boot_ = t;
  }
  // current() fails with `status` (OK: works again).
  void setCurrentError(Status status) {
    std::lock_guard lock(mu_);
    error_ = std::move(status);
    ++generation_;
  }
  int currentCalls() const {
    std::lock_guard lock(mu_);
    return current_calls_;
  }

  Result<std::vector<LoginRecord>> current() const override {
    std::lock_guard lock(mu_);
    ++current_calls_;
    if (!error_.isOk()) return error_;
    return current_;
  }
  Result<std::vector<LoginRecord>> history(std::chrono::system_clock::time_point since,
                                           size_t max) const override {
    std::lock_guard lock(mu_);
    std::vector<LoginRecord> out;
    for (const auto& r : history_) {
      if (r.time >= since) out.push_back(r);
    }
    if (out.size() > max) out.erase(out.begin(), out.end() - static_cast<ptrdiff_t>(max));
    return out;
  }
  Result<std::chrono::system_clock::time_point> bootTime() const override {
    std::lock_guard lock(mu_);
    return boot_;
  }
  std::string changeToken() const override {
    std::lock_guard lock(mu_);
    return "g" + std::to_string(generation_);
  }

 private:
  mutable std::mutex mu_;
  std::vector<LoginRecord> current_, history_;
  std::chrono::system_clock::time_point boot_{};
  Status error_;
  int generation_ = 0;
  mutable int current_calls_ = 0;
};

}  // namespace xiaoan::testing
