#include "agent/core/notifying_spool.h"

namespace xiaoan::agent {

Result<AppendResult> NotifyingSpool::append(v1::Event event) {
  auto r = inner_.append(std::move(event));
  if (r.isOk()) wake_.notify(kWakeAppended);
  return r;
}

}  // namespace xiaoan::agent
