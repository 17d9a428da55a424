#include "platform/logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <array>

namespace xiaoan {
namespace {

constexpr size_t kComponents = static_cast<size_t>(LogComponent::kCount);

constexpr std::array<std::string_view, kComponents> kNames = {
    "agent.core",       "agent.main",        "agent.checkin",        "agent.upload",
    "agent.identity",   "agent.status",      "agent.control",        "agent.spool",
    "agent.content",    "agent.scan",        "signatures.rules",     "collector",
    "collector.http",   "collector.ingest",  "collector.agent_api",  "collector.admin_api",
    "collector.enroll", "collector.content", "collector.signatures", "collector.protobuf",
};

using Loggers = std::array<std::shared_ptr<spdlog::logger>, kComponents>;

// Built once, on first use (thread-safe static initialisation); never changed after.
const Loggers& loggers() {
  static const Loggers all = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    Loggers out;
    for (size_t i = 0; i < kComponents; ++i) {
      out[i] = std::make_shared<spdlog::logger>(std::string(kNames[i]), sink);
      out[i]->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
      out[i]->set_level(spdlog::get_level());
    }
    return out;
  }();
  return all;
}

}  // namespace

std::string_view logComponentName(LogComponent component) {
  return kNames.at(static_cast<size_t>(component));
}

const std::shared_ptr<spdlog::logger>& componentLogger(LogComponent component) {
  return loggers().at(static_cast<size_t>(component));
}

bool setLogLevel(const std::string& level) {
  auto lv = spdlog::level::from_str(level);
  if (lv == spdlog::level::off && level != "off") return false;
  spdlog::set_level(lv);
  for (const auto& logger : loggers()) logger->set_level(lv);
  return true;
}

}  // namespace xiaoan
