#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "service/collector/agent_responses.h"
#include "service/collector/http_types.h"
#include "service/collector/ingest_writer.h"

namespace xiaoan::collector {

// Everything `serve` can be told; defaults are the production values.
struct CollectorConfig {
  CollectorConfig() {
    agent_listener.name = "agent api";
    agent_listener.port = 8443;
    admin_listener.name = "admin api";
    admin_listener.port = 8444;
    admin_listener.max_connections = 64;
    admin_listener.max_body_bytes_in_flight = 16ull * 1024 * 1024;
  }

  std::string data_dir;  // D: ca.pem, ca.key, server.pem, server.key, collector.db
  ListenerOptions agent_listener;
  ListenerOptions admin_listener;
  WriterOptions writer;
  uint32_t checkin_interval_seconds = 60;
  RetryAfterRange retry;
  int io_threads = 2;
  // How long stop() waits for in-flight requests after the writer has drained.
  std::chrono::seconds shutdown_grace{10};
};

}  // namespace xiaoan::collector
