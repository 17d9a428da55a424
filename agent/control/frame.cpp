#include "agent/control/frame.h"

#include <array>
#include <climits>
#include <cstdint>

namespace xiaoan::control {
namespace {

// Reads exactly n bytes. `eof_before_any` is set when the stream ended before the first byte.
Status readExact(LocalConnection& conn, char* buf, size_t n, Deadline deadline,
                 bool* eof_before_any) {
  size_t done = 0;
  while (done < n) {
    XIAOAN_ASSIGN_OR_RETURN(const size_t got, conn.readSome(buf + done, n - done, deadline));
    if (got == 0) {
      if (eof_before_any != nullptr) *eof_before_any = (done == 0);
      return Status(ErrorCode::kProtocol, "control connection closed in the middle of a frame");
    }
    done += got;
  }
  return Status::ok();
}

}  // namespace

Deadline deadlineAfter(std::chrono::milliseconds timeout) {
  return std::chrono::steady_clock::now() + timeout;
}

Status writeFrame(LocalConnection& conn, const google::protobuf::MessageLite& message,
                  Deadline deadline) {
  const size_t size = message.ByteSizeLong();
  if (size > kMaxFrameBytes) {
    return Status(ErrorCode::kTooLarge, "control frame of " + std::to_string(size) +
                                            " bytes exceeds " + std::to_string(kMaxFrameBytes));
  }
  std::string buf(4 + size, '\0');
  buf[0] = static_cast<char>((size >> 24) & 0xff);
  buf[1] = static_cast<char>((size >> 16) & 0xff);
  buf[2] = static_cast<char>((size >> 8) & 0xff);
  buf[3] = static_cast<char>(size & 0xff);
  if (size > 0 && !message.SerializeToArray(buf.data() + 4, static_cast<int>(size))) {
    return Status(ErrorCode::kInternal, "cannot serialize control message");
  }
  return conn.writeAll(buf.data(), buf.size(), deadline);
}

Status readFrame(LocalConnection& conn, google::protobuf::MessageLite& message, size_t max_bytes,
                 Deadline deadline) {
  message.Clear();
  std::array<unsigned char, 4> header{};
  bool eof_before_any = false;
  Status st = readExact(conn, reinterpret_cast<char*>(header.data()), header.size(), deadline,
                        &eof_before_any);
  if (!st.isOk()) {
    if (eof_before_any) {
      return Status(ErrorCode::kProtocol, "control connection closed before a frame arrived");
    }
    return st;
  }
  const uint32_t size = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) |
                        (uint32_t{header[2]} << 8) | uint32_t{header[3]};
  if (size > max_bytes || size > static_cast<uint32_t>(INT_MAX)) {
    return Status(ErrorCode::kTooLarge, "control frame of " + std::to_string(size) +
                                            " bytes exceeds " + std::to_string(max_bytes));
  }
  std::string body(size, '\0');
  if (size > 0) XIAOAN_RETURN_IF_ERROR(readExact(conn, body.data(), size, deadline, nullptr));
  if (!message.ParseFromString(body)) {
    return Status(ErrorCode::kProtocol, "control frame does not parse as " + message.GetTypeName());
  }
  return Status::ok();
}

Status exchangeFrames(LocalConnection& conn, const google::protobuf::MessageLite& request,
                      google::protobuf::MessageLite& response, Deadline deadline) {
  const Status sent = writeFrame(conn, request, deadline);
  if (sent.code() == ErrorCode::kTooLarge || sent.code() == ErrorCode::kInternal) return sent;
  const Status got = readFrame(conn, response, kMaxFrameBytes, deadline);
  return sent.isOk() || got.isOk() ? got : sent;
}

Result<std::unique_ptr<LocalConnection>> connectToAgent(LocalChannel& channel,
                                                        const std::string& path,
                                                        std::chrono::milliseconds timeout) {
  auto conn = channel.connect(path, timeout);
  if (conn.isOk() || conn.status().code() != ErrorCode::kNotFound) return conn;
  // No socket, or a stale one left by a dead agent: either way nobody answers there.
  return Status(ErrorCode::kDaemonNotRunning, conn.status().message(), conn.status().sysErrno());
}

}  // namespace xiaoan::control
