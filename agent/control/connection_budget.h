#pragma once

#include <cstdint>
#include <map>
#include <mutex>

// Who may hold the control socket's workers (issue 10 finding 7, RELIABILITY.md X7): any
// local user may connect, so one user's slow clients must not take every worker, and root's
// requests always find one. Pure bookkeeping over peer uids (the OS vouches for them), so it
// is tested without sockets or threads.

namespace xiaoan::control {

struct ConnectionLimits {
  uint32_t workers = 8;            // connections served at once (one thread each)
  uint32_t reserved_for_root = 2;  // workers the connections of other users never hold
  uint32_t max_per_user = 3;       // connections of one non-root uid admitted at once
  uint32_t max_root = 32;          // root's connections admitted at once (served or waiting)
};

// Connections admitted (being served or waiting for a worker) per uid. Other users together
// hold at most workers - reserved_for_root, so at least reserved_for_root workers are always
// root's; root's connections beyond the free workers wait for one (other root requests only,
// each bounded by the server's time-outs). Thread-safe.
class ConnectionBudget {
 public:
  // Zero workers, per-user or root limits are raised to 1; reserved_for_root is kept below
  // workers so that other users have at least one.
  explicit ConnectionBudget(ConnectionLimits limits);

  // Admits a connection of `uid`: false when a non-root uid has max_per_user admitted, when
  // other users hold every worker not reserved for root, or when root has max_root.
  bool tryAcquire(uint32_t uid);
  // Gives back what tryAcquire(uid) took.
  void release(uint32_t uid);

  uint32_t admitted() const;
  uint32_t admitted(uint32_t uid) const;
  const ConnectionLimits& limits() const { return limits_; }

 private:
  const ConnectionLimits limits_;
  mutable std::mutex mu_;
  uint32_t non_root_ = 0;
  std::map<uint32_t, uint32_t> per_uid_;  // uids with connections admitted now (none at 0)
};

}  // namespace xiaoan::control
