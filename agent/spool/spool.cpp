#include "agent/spool/spool.h"

#include "agent/spool/file_spool.h"

namespace xiaoan::agent {

Result<std::unique_ptr<Spool>> Spool::open(const SpoolOptions& options) {
  XIAOAN_ASSIGN_OR_RETURN(std::unique_ptr<FileSpool> spool, FileSpool::create(options));
  return std::unique_ptr<Spool>(std::move(spool));
}

}  // namespace xiaoan::agent
