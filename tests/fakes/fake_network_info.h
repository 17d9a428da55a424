#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "platform/network_info.h"

namespace xiaoan::testing {

// An interface for tests (aggregate designated initializers with gaps warn on GCC 12).
inline InterfaceFacts nic(std::string name, std::string mac, std::vector<std::string> ipv4,
                          uint32_t index, std::string permanent_mac = "") {
  InterfaceFacts f;
  f.name = std::move(name);
  f.mac = std::move(mac);
  f.permanent_mac = std::move(permanent_mac);
  f.ipv4 = std::move(ipv4);
  f.up = true;
  f.loopback = f.name == "lo";
  f.index = index;
  return f;
}

// A lab PC with loopback and one wired NIC (burned-in MAC = current MAC) at 10.1.2.37/24,
// gateway 10.1.2.1, DNS 10.1.0.53. Tests edit the snapshot through set()/edit(); change()
// also wakes the watcher side. Thread-safe.
class FakeNetworkInfo final : public NetworkInfo, public NetworkChangeWatcher {
 public:
  FakeNetworkInfo() {
    snap_.interfaces.push_back(nic("lo", "", {"127.0.0.1/8"}, 1));
    snap_.interfaces.push_back(
        nic("eth0", "52:54:00:12:34:56", {"10.1.2.37/24"}, 2, "52:54:00:12:34:56"));
    snap_.gateway = "10.1.2.1";
    snap_.gateway_index = 2;
    snap_.dns = {"10.1.0.53"};
  }

  // Changes the snapshot under the lock and signals a change to wait().
  template <typename F>
  void change(F f) {
    std::lock_guard lock(mu_);
    f(snap_);
    changed_ = true;
    cv_.notify_all();
  }
  // snapshot() fails with `st` while it is not OK.
  void failWith(Status st) {
    std::lock_guard lock(mu_);
    fail_ = std::move(st);
  }
  int snapshots() const {
    std::lock_guard lock(mu_);
    return snapshots_;
  }

  Result<NetworkSnapshot> snapshot() const override {
    std::lock_guard lock(mu_);
    ++snapshots_;
    if (!fail_.isOk()) return fail_;
    return snap_;
  }

  Result<bool> wait(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return changed_ || woken_; });
    const bool changed = changed_;
    changed_ = woken_ = false;
    return changed;
  }
  void wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  NetworkSnapshot snap_;
  Status fail_ = Status::ok();
  mutable int snapshots_ = 0;
  bool changed_ = false, woken_ = false;
};

}  // namespace xiaoan::testing
