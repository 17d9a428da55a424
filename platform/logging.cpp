#include "platform/logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

namespace xiaoan {
namespace {

std::shared_ptr<spdlog::sinks::sink> sharedSink() {
  static auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return sink;
}

}  // namespace

std::shared_ptr<spdlog::logger> componentLogger(const std::string& name) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, sharedSink());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  logger->set_level(spdlog::get_level());
  spdlog::register_logger(logger);
  return logger;
}

bool setLogLevel(const std::string& level) {
  auto lv = spdlog::level::from_str(level);
  if (lv == spdlog::level::off && level != "off") return false;
  spdlog::set_level(lv);
  return true;
}

}  // namespace xiaoan
