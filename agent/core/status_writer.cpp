#include "agent/core/status_writer.h"

#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent {

namespace {
constexpr size_t kMaxStatusBytes = 1024 * 1024;
}

Result<v1::AgentStatus> loadPersistedStatus(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, readFile(path, kMaxStatusBytes));
  v1::AgentStatus status;
  if (!status.ParseFromString(bytes)) {
    return Status(ErrorCode::kProtocol, path + " does not parse as AgentStatus");
  }
  return status;
}

StatusWriter::StatusWriter(const StatusModel& model, std::string path,
                           std::chrono::milliseconds period)
    : model_(model), path_(std::move(path)), period_(period) {}

StatusWriter::~StatusWriter() {
  wake_.stop();
  if (thread_.joinable()) thread_.join();
}

void StatusWriter::start() {
  thread_ = std::thread([this] { run(); });
}

void StatusWriter::stopAndWriteFinal() {
  wake_.stop();
  if (thread_.joinable()) thread_.join();
  Status st = writeIfChanged(false);
  if (!st.isOk())
    componentLogger(LogComponent::kAgentStatus)->warn("final status write: {}", st.toString());
}

Status StatusWriter::writeIfChanged(bool daemon_running) {
  v1::AgentStatus status = model_.snapshot(daemon_running);
  v1::AgentStatus compare = status;
  compare.clear_generated_at();
  std::string key = compare.SerializeAsString();
  if (key == last_written_) return Status::ok();
  XIAOAN_RETURN_IF_ERROR(atomicWriteFile(path_, status.SerializeAsString(), 0644));
  last_written_ = std::move(key);
  return Status::ok();
}

void StatusWriter::run() {
  auto log = componentLogger(LogComponent::kAgentStatus);
  bool failing = false;
  while (!wake_.sleepFor(period_)) {
    Status st = writeIfChanged();
    if (!st.isOk() && !failing) log->warn("cannot persist status: {}", st.toString());
    if (st.isOk() && failing) log->info("status persisted again");
    failing = !st.isOk();
  }
}

}  // namespace xiaoan::agent
