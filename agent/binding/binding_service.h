#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/binding/binding_evaluator.h"
#include "platform/arp_probe.h"
#include "platform/clock.h"
#include "platform/isolation.h"
#include "platform/network_config.h"
#include "platform/network_info.h"
#include "xiaoan/v1/network.pb.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::agent::binding {

// Where the service's security events go (the daemon wraps them into spooled Events).
class BindingReporter {
 public:
  virtual ~BindingReporter() = default;
  virtual void report(v1::BindingEvent event) = 0;
};

struct BindingServiceOptions {
  std::string collector_host;  // stays reachable while isolated
  uint16_t collector_port = 443;
  std::chrono::milliseconds debounce{300};  // quiet time after a change before checking
  std::chrono::seconds fight_window{60};    // a restore undone within this is a fight
  uint32_t fight_limit = 3;                 // fights in a row that make it a RESTORE_FIGHT
  std::chrono::seconds policy_wait{30};     // at start: how long to wait for the policy
};

// IP/MAC binding on the agent: checks the network against the policy on every change (after a
// short quiet time) and every check_interval_seconds, also offline; reports violations as they
// appear and clear; restores and isolates per mode (binding_decision.h); keeps the compliance
// status. An isolation table found at start is kept only while the policy needs it.
// Threading: start()/stop() by the owner; the rest from any thread.
class BindingService {
 public:
  // `watcher` may be null (timer only); `prober` may be null (addresses restored unprobed).
  BindingService(BindingServiceOptions options, const Clock& clock, const NetworkInfo& net,
                 NetworkChangeWatcher* watcher, NetworkConfig& config, Isolation& isolation,
                 BindingReporter& reporter, ArpProber* prober = nullptr);
  ~BindingService();
  BindingService(const BindingService&) = delete;
  BindingService& operator=(const BindingService&) = delete;

  void start();
  void stop();

  // The binding part of the running policy (null: none yet or removed). Triggers a check, which
  // puts it into effect.
  void applyPolicy(const v1::BindingPolicy* policy);
  // Runs one check now (and what the mode says to do) and returns the result. E_IO when the
  // network cannot be read.
  Result<v1::ComplianceStatus> checkNow();
  // Removes the isolation at root's request; binding stays in force (it may isolate again
  // after the next grace period).
  Status releaseIsolation();
  v1::ComplianceStatus status() const;

 private:
  void run();
  Result<v1::ComplianceStatus> checkLocked();
  void track(const Evaluation& found);
  void act(const NetworkSnapshot& net, const Evaluation& found);
  void restore(const NetworkSnapshot& net, const Evaluation& found);
  // Before the assigned address is put back: whether another host answers for it (RFC 5227).
  bool addressTaken(const NetworkSnapshot& net, const Evaluation& found);
  Evaluation evaluate(const NetworkSnapshot& net) const;
  void enterIsolation(const v1::Violation& why);
  void leaveIsolation(const std::string& why);
  void noteRestore();
  std::chrono::seconds inViolation() const;
  void emit(v1::BindingEvent::Kind kind, const v1::Violation* v, std::string action,
            const Status& outcome, std::string detail);
  v1::ComplianceStatus statusLocked() const;
  v1::ComplianceStatus publishLocked();  // statusLocked() made what status() answers

  const BindingServiceOptions options_;
  const Clock& clock_;
  const NetworkInfo& net_;
  NetworkChangeWatcher* watcher_;
  NetworkConfig& config_;
  Isolation& isolation_;
  BindingReporter& reporter_;
  ArpProber* prober_;

  mutable std::mutex mu_;  // everything below; held for a whole check
  std::optional<v1::BindingPolicy> policy_;
  // Current violations by key, with when they were first seen (wall for reports, monotonic ns
  // for the grace period).
  struct Open {
    v1::Violation violation;
    uint64_t since_ns = 0;
  };
  std::map<std::string, Open> open_;
  uint32_t bound_index_ = 0;
  std::string permanent_mac_;
  bool isolated_ = false;
  bool restore_failed_ = false;
  uint32_t fights_ = 0;
  std::optional<uint64_t> last_restore_ns_;
  std::vector<std::string> collector_addresses_;  // last good resolution
  std::vector<ArpConflict> conflicts_;  // from the last probe, while the address is missing
  std::optional<std::chrono::system_clock::time_point> last_check_;
  bool checked_ = false;

  // What status() answers: published at the end of each check, so that status readers never
  // wait for a check that runs a network manager's tool.
  mutable std::mutex published_mu_;
  v1::ComplianceStatus published_;

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool stopping_ = false, dirty_ = false;
  bool policy_known_ = false;    // a policy (or its absence) was applied since start
  bool policy_pending_ = false;  // pending_policy_ waits for the next check
  std::optional<v1::BindingPolicy> pending_policy_;
  std::chrono::milliseconds next_wait_{1000};
  std::thread thread_;
};

}  // namespace xiaoan::agent::binding
