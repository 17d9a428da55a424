#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "service/collector/admin_api/admin_api.h"
#include "service/collector/admin_api/admin_request.h"
#include "service/collector/agent_api/agent_responses.h"
#include "service/collector/agent_api/enroll_rate_limiter.h"
#include "service/collector/agent_api/ingest_writer.h"
#include "service/collector/http/http_types.h"
#include "service/collector/retention_job.h"
#include "service/collector/store/db_check.h"

namespace xiaoan::collector {

// Everything `serve` can be told; defaults are the production values.
struct CollectorConfig {
  CollectorConfig() {
    agent_listener.name = "agent api";
    agent_listener.port = 8443;
    admin_listener.name = "admin api";
    admin_listener.port = 8444;
    admin_listener.max_connections = 64;
    // An admin's browser or script needs a few; 8 addresses' worth of idle sockets cannot
    // take the admin listener's whole budget.
    admin_listener.max_connections_per_address = 8;
    // One signature bundle upload beside the small requests of other admins.
    admin_listener.max_body_bytes_in_flight = kMaxPublishBodyBytes + 16ull * 1024 * 1024;
  }

  // D: ca.pem, ca.key, server.pem, server.key, collector.db, collector.id, collector.lock,
  // trust/, artifacts/
  std::string data_dir;
  // How the database is checked before serving (quick_check; integrity_check with --check-db).
  DbCheck db_check = DbCheck::kQuick;
  // Language of the messages a person reads when the start is refused.
  Lang lang = Lang::kZhCn;
  ListenerOptions agent_listener;
  ListenerOptions admin_listener;
  WriterOptions writer;
  // Admin workers and the admin requests allowed to wait (admin_api.h).
  AdminApiOptions admin;
  // Check-in interval of the built-in policy defaults (policy layers may override it).
  uint32_t checkin_interval_seconds = 60;
  // Lifetimes of the signed timestamps and content targets issued to agents (content_issuer.h).
  std::chrono::seconds timestamp_ttl{std::chrono::hours(24 * 7)};
  std::chrono::seconds targets_ttl{std::chrono::hours(24 * 30)};
  RetryAfterRange retry;
  // Enrollment attempts per token and per source address (429 E_RATE_LIMITED beyond).
  EnrollRateLimits enroll_limits;
  int io_threads = 2;
  // Retention passes (retention_job.h): every retention_interval (0 = never), the first one
  // retention_first_delay after the start.
  std::chrono::seconds retention_interval{std::chrono::hours(1)};
  std::chrono::seconds retention_first_delay{std::chrono::minutes(5)};
  RetentionOptions retention;
  // How long stop() waits for in-flight requests after the writer has drained.
  std::chrono::seconds shutdown_grace{10};
};

}  // namespace xiaoan::collector
