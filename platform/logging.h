#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace xiaoan {

// A named component logger ("agent.spool", "collector.ingest") writing to stderr, which
// systemd/journald captures. Diagnostics only: events go through the spool.
std::shared_ptr<spdlog::logger> componentLogger(const std::string& name);

// Sets the level of all component loggers: "trace".."error"; false when unknown.
bool setLogLevel(const std::string& level);

}  // namespace xiaoan
