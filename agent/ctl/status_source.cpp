#include "agent/ctl/status_source.h"

#include "agent/ctl/daemon_client.h"
#include "platform/file_util.h"

namespace xiaoan::ctl {
namespace {

constexpr size_t kMaxStatusFileBytes = 1024 * 1024;
constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

bool validTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= kMinTimestampSeconds && t.seconds() <= kMaxTimestampSeconds &&
         t.nanos() >= 0 && t.nanos() <= 999'999'999;
}

// Daemon failures after which the persisted status is the best we can show.
bool daemonAbsent(const Status& st) {
  return st.code() == ErrorCode::kDaemonNotRunning || st.code() == ErrorCode::kTimeout ||
         st.code() == ErrorCode::kIo;
}

// The status from a get_status answer. Whatever goes wrong here, the daemon is running, so
// these errors never lead to the persisted status.
Result<v1::AgentStatus> statusFromAnswer(v1::ControlResponse& response) {
  if (response.has_error() && !response.error().code().empty()) {
    return Status(errorCodeFromName(response.error().code()),
                  "agent answered " + response.error().code() + ": " + response.error().message());
  }
  if (!response.has_status()) {
    return Status(ErrorCode::kProtocol, "agent answered get_status without a status");
  }
  XIAOAN_RETURN_IF_ERROR(validateStatus(response.status()));
  v1::AgentStatus status = std::move(*response.mutable_status());
  status.set_daemon_running(true);
  return status;
}

}  // namespace

Status validateStatus(const v1::AgentStatus& s) {
  const google::protobuf::Timestamp* stamps[] = {
      &s.started_at(), &s.offline_since(), &s.last_checkin(), &s.last_upload(), &s.generated_at()};
  for (const auto* t : stamps) {
    if (!validTimestamp(*t)) return Status(ErrorCode::kProtocol, "status has an invalid time");
  }
  for (const auto& c : s.spool()) {
    if (!validTimestamp(c.oldest_pending())) {
      return Status(ErrorCode::kProtocol, "status has an invalid spool time");
    }
  }
  return Status::ok();
}

Result<v1::AgentStatus> readPersistedStatus(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, readFile(path, kMaxStatusFileBytes));
  v1::AgentStatus status;
  if (!status.ParseFromString(bytes)) {
    return Status(ErrorCode::kProtocol, path + " is not a valid AgentStatus");
  }
  Status valid = validateStatus(status);
  if (!valid.isOk()) return Status(valid.code(), path + ": " + valid.message());
  status.set_daemon_running(false);
  return status;
}

Result<StatusLookup> lookupStatus(const std::string& socket_path, const std::string& state_dir,
                                  std::chrono::milliseconds timeout) {
  StatusLookup lookup;
  lookup.persisted_path = state_dir + "/status.pb";
  v1::ControlRequest request;
  request.mutable_get_status();
  auto answer = callDaemon(socket_path, request, timeout);
  if (answer.isOk()) {
    XIAOAN_ASSIGN_OR_RETURN(lookup.status, statusFromAnswer(answer.value()));
    return lookup;
  }
  if (!daemonAbsent(answer.status())) return answer.status();
  lookup.daemon_problem = answer.status();
  auto persisted = readPersistedStatus(lookup.persisted_path);
  if (persisted.isOk()) {
    lookup.status = std::move(persisted).value();
  } else {
    lookup.persisted_problem = persisted.status();
  }
  return lookup;
}

}  // namespace xiaoan::ctl
