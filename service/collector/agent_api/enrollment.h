#pragma once

#include <memory>
#include <string>

#include "platform/clock.h"
#include "service/collector/agent_api/agent_codec.h"
#include "service/collector/agent_api/agent_responses.h"
#include "service/collector/agent_api/ingest_writer.h"
#include "service/collector/trust/pki_store.h"

namespace xiaoan::collector {

// POST /v1/enroll. The CSR is verified and the certificate issued before the database is
// touched; the token check, its use count, the terminal link and the agent record are one
// transaction in the writer, so concurrent enrollments can never exceed a token's max_uses.
class Enrollment {
 public:
  Enrollment(const PkiStore& pki, const Clock& clock, RetryAfterRange retry)
      : pki_(pki), clock_(clock), retry_(retry) {}

  // The writer job for a decoded request from `remote_address`; E_INVALID_ARGUMENT for a bad
  // CSR. A new instance enrolling as a known terminal (same MAC) is recorded as a
  // security_alert and handled by the school's ReenrollPolicy: under APPROVE it is answered
  // 403 E_ENROLL_PENDING until an admin approves it.
  Result<std::unique_ptr<WriteJob>> prepare(EnrollInput input, const std::string& remote_address,
                                            Responder respond) const;

 private:
  const PkiStore& pki_;
  const Clock& clock_;
  RetryAfterRange retry_;
};

}  // namespace xiaoan::collector
