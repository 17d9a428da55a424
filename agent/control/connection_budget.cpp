#include "agent/control/connection_budget.h"

#include <algorithm>

namespace xiaoan::control {
namespace {

ConnectionLimits sane(ConnectionLimits l) {
  l.workers = std::max<uint32_t>(1, l.workers);
  l.reserved_for_root = std::min(l.reserved_for_root, l.workers - 1);
  l.max_per_user = std::max<uint32_t>(1, l.max_per_user);
  l.max_root = std::max<uint32_t>(1, l.max_root);
  return l;
}

}  // namespace

ConnectionBudget::ConnectionBudget(ConnectionLimits limits) : limits_(sane(limits)) {}

bool ConnectionBudget::tryAcquire(uint32_t uid) {
  std::lock_guard lock(mu_);
  uint32_t& mine = per_uid_[uid];
  const bool root = uid == 0;
  const bool full = root ? mine >= limits_.max_root
                         : mine >= limits_.max_per_user ||
                               non_root_ >= limits_.workers - limits_.reserved_for_root;
  if (full) {
    if (mine == 0) per_uid_.erase(uid);
    return false;
  }
  ++mine;
  if (!root) ++non_root_;
  return true;
}

void ConnectionBudget::release(uint32_t uid) {
  std::lock_guard lock(mu_);
  auto it = per_uid_.find(uid);
  if (it == per_uid_.end()) return;  // never taken: nothing to give back
  if (--it->second == 0) per_uid_.erase(it);
  if (uid != 0) --non_root_;
}

uint32_t ConnectionBudget::admitted() const {
  std::lock_guard lock(mu_);
  uint32_t n = 0;
  for (const auto& [uid, count] : per_uid_) n += count;
  return n;
}

uint32_t ConnectionBudget::admitted(uint32_t uid) const {
  std::lock_guard lock(mu_);
  auto it = per_uid_.find(uid);
  return it == per_uid_.end() ? 0 : it->second;
}

}  // namespace xiaoan::control
