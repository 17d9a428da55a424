#include "agent/control/frame.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <thread>

namespace xiaoan::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Milliseconds left until `deadline`, rounded up so that we never spin with a 0 timeout
// while time remains.
int remainingMs(Deadline deadline) {
  auto left = deadline - steady_clock::now();
  if (left <= steady_clock::duration::zero()) return 0;
  auto ms = std::chrono::ceil<milliseconds>(left).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

// Waits until `fd` is ready for `events` (or has an error/hang-up, which the following
// read/write reports), or the deadline passes.
Status waitReady(int fd, short events, Deadline deadline, const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, remainingMs(deadline));
    if (rc > 0) return Status::ok();
    if (rc == 0) {
      if (steady_clock::now() >= deadline) {
        return Status(ErrorCode::kTimeout, std::string("control socket ") + what + " timed out");
      }
      continue;
    }
    if (errno != EINTR) return errnoStatus(ErrorCode::kIo, std::string("poll for ") + what);
  }
}

// recv/send with MSG_DONTWAIT so that a blocking descriptor cannot overrun the deadline and
// MSG_NOSIGNAL so that a vanished peer is an error, not SIGPIPE. Pipes fall back to read/write.
ssize_t readSome(int fd, char* buf, size_t n) {
  ssize_t r = ::recv(fd, buf, n, MSG_DONTWAIT);
  if (r < 0 && errno == ENOTSOCK) r = ::read(fd, buf, n);
  return r;
}

ssize_t writeSome(int fd, const char* buf, size_t n) {
  ssize_t r = ::send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (r < 0 && errno == ENOTSOCK) r = ::write(fd, buf, n);
  return r;
}

bool retryable(int err) { return err == EINTR || err == EAGAIN || err == EWOULDBLOCK; }

// Reads exactly n bytes. `eof_before_any` is set when the stream ended before the first byte.
Status readExact(int fd, char* buf, size_t n, Deadline deadline, bool* eof_before_any) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = readSome(fd, buf + done, n - done);
    if (r > 0) {
      done += static_cast<size_t>(r);
      continue;
    }
    if (r == 0) {
      if (eof_before_any != nullptr) *eof_before_any = (done == 0);
      return Status(ErrorCode::kProtocol, "control connection closed in the middle of a frame");
    }
    if (!retryable(errno)) return errnoStatus(ErrorCode::kIo, "read control socket");
    if (errno != EINTR) XIAOAN_RETURN_IF_ERROR(waitReady(fd, POLLIN, deadline, "read"));
  }
  return Status::ok();
}

Status writeAll(int fd, const char* buf, size_t n, Deadline deadline) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = writeSome(fd, buf + done, n - done);
    if (r >= 0) {
      done += static_cast<size_t>(r);
      continue;
    }
    if (!retryable(errno)) return errnoStatus(ErrorCode::kIo, "write control socket");
    if (errno != EINTR) XIAOAN_RETURN_IF_ERROR(waitReady(fd, POLLOUT, deadline, "write"));
  }
  return Status::ok();
}

Status connectStatus(int err, const std::string& path) {
  switch (err) {
    case ENOENT:
    case ECONNREFUSED:
    case ENOTDIR:
      return errnoStatus(ErrorCode::kDaemonNotRunning, "connect " + path, err);
    case EACCES:
    case EPERM:
      return errnoStatus(ErrorCode::kPermissionDenied, "connect " + path, err);
    default:
      return errnoStatus(ErrorCode::kIo, "connect " + path, err);
  }
}

}  // namespace

Deadline deadlineAfter(milliseconds timeout) { return steady_clock::now() + timeout; }

Status writeFrame(int fd, const google::protobuf::MessageLite& message, Deadline deadline) {
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
  return writeAll(fd, buf.data(), buf.size(), deadline);
}

Status readFrame(int fd, google::protobuf::MessageLite& message, size_t max_bytes,
                 Deadline deadline) {
  message.Clear();
  std::array<unsigned char, 4> header{};
  bool eof_before_any = false;
  Status st = readExact(fd, reinterpret_cast<char*>(header.data()), header.size(), deadline,
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
  if (size > 0) XIAOAN_RETURN_IF_ERROR(readExact(fd, body.data(), size, deadline, nullptr));
  if (!message.ParseFromString(body)) {
    return Status(ErrorCode::kProtocol, "control frame does not parse as " + message.GetTypeName());
  }
  return Status::ok();
}

Result<UniqueFd> connectUnixSocket(const std::string& path, milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return Status(ErrorCode::kInvalidArgument, "bad control socket path '" + path + "'");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errnoStatus(ErrorCode::kIo, "socket(AF_UNIX)");
  const Deadline deadline = deadlineAfter(timeout);
  for (;;) {
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
      return fd;
    }
    const int err = errno;
    // A non-blocking AF_UNIX connect answers EAGAIN while the listener's backlog is full;
    // it never completes asynchronously, so retry until the deadline.
    if (err == EINTR) continue;
    if (err == EISCONN) return fd;
    if (err != EAGAIN) return connectStatus(err, path);
    if (steady_clock::now() >= deadline) {
      return Status(ErrorCode::kTimeout, "connect " + path + ": listener backlog stays full");
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
}

}  // namespace xiaoan::control
