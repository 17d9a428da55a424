// The local control channel on Linux: Unix domain stream sockets, peer identity from
// SO_PEERCRED, an eventfd that wakes the threads waiting in accept().
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <thread>

#include "platform/linux/posix_error.h"
#include "platform/local_channel.h"
#include "platform/unique_fd.h"

namespace xiaoan {
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

// Waits until `fd` is ready for `events` (or has an error or hang-up, which the following
// read or write reports), or the deadline passes.
Status waitReady(int fd, short events, Deadline deadline, const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, remainingMs(deadline));
    if (rc > 0) return Status::ok();
    if (rc == 0) {
      if (steady_clock::now() >= deadline) {
        return Status(ErrorCode::kTimeout, std::string("local socket ") + what + " timed out");
      }
      continue;
    }
    if (errno != EINTR) return errnoStatus(ErrorCode::kIo, std::string("poll for ") + what);
  }
}

// recv/send with MSG_DONTWAIT so that a blocking descriptor cannot overrun the deadline and
// MSG_NOSIGNAL so that a vanished peer is an error, not SIGPIPE. Pipes fall back to read/write.
ssize_t readSomeFd(int fd, void* buf, size_t n) {
  ssize_t r = ::recv(fd, buf, n, MSG_DONTWAIT);
  if (r < 0 && errno == ENOTSOCK) r = ::read(fd, buf, n);
  return r;
}

ssize_t writeSomeFd(int fd, const void* buf, size_t n) {
  ssize_t r = ::send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (r < 0 && errno == ENOTSOCK) r = ::write(fd, buf, n);
  return r;
}

bool wouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

class UnixConnection final : public LocalConnection {
 public:
  explicit UnixConnection(UniqueFd fd) : fd_(std::move(fd)) {}

  Result<size_t> readSome(void* buf, size_t n, Deadline deadline) override {
    for (;;) {
      const ssize_t r = readSomeFd(fd_.get(), buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno == EINTR) continue;
      if (!wouldBlock(errno)) return errnoStatus(ErrorCode::kIo, "read local socket");
      XIAOAN_RETURN_IF_ERROR(waitReady(fd_.get(), POLLIN, deadline, "read"));
    }
  }

  Status writeAll(const void* buf, size_t n, Deadline deadline) override {
    const char* p = static_cast<const char*>(buf);
    size_t done = 0;
    while (done < n) {
      const ssize_t r = writeSomeFd(fd_.get(), p + done, n - done);
      if (r >= 0) {
        done += static_cast<size_t>(r);
        continue;
      }
      if (errno == EINTR) continue;
      if (!wouldBlock(errno)) return errnoStatus(ErrorCode::kIo, "write local socket");
      XIAOAN_RETURN_IF_ERROR(waitReady(fd_.get(), POLLOUT, deadline, "write"));
    }
    return Status::ok();
  }

  Result<PeerIdentity> peer() const override {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      return errnoStatus(ErrorCode::kIo, "SO_PEERCRED");
    }
    return PeerIdentity{static_cast<uint32_t>(cred.pid), cred.uid, cred.gid};
  }

 private:
  UniqueFd fd_;
};

class UnixListener final : public LocalListener {
 public:
  UnixListener(std::string path, UniqueFd fd, UniqueFd wake_fd)
      : path_(std::move(path)), fd_(std::move(fd)), wake_fd_(std::move(wake_fd)) {}
  ~UnixListener() override {
    fd_.reset();
    ::unlink(path_.c_str());
  }

  Result<std::unique_ptr<LocalConnection>> accept() override {
    for (;;) {
      pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {wake_fd_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return errnoStatus(ErrorCode::kIo, "poll " + path_);
      }
      if (fds[1].revents != 0) return Status(ErrorCode::kCancelled, "listener woken");
      UniqueFd conn(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (conn.valid())
        return std::unique_ptr<LocalConnection>(new UnixConnection(std::move(conn)));
      // Another thread took it, or the client left before we got to it.
      if (wouldBlock(errno) || errno == EINTR || errno == ECONNABORTED || errno == EPROTO) {
        continue;
      }
      return errnoStatus(ErrorCode::kIo, "accept " + path_);
    }
  }

  // The counter is never read back, so the eventfd stays readable for every waiter.
  void wake() override {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
  }

 private:
  std::string path_;
  UniqueFd fd_;
  UniqueFd wake_fd_;
};

Result<sockaddr_un> socketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return Status(ErrorCode::kInvalidArgument, "bad local socket path '" + path + "'");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

// A socket left at `path` is removed; anything else there stays and is an error.
Status removeStaleSocket(const std::string& path) {
  struct stat sb {};
  if (::lstat(path.c_str(), &sb) != 0) {
    return errno == ENOENT ? Status::ok() : posixStatus("lstat " + path);
  }
  if (!S_ISSOCK(sb.st_mode)) {
    return Status(ErrorCode::kExists, path + " exists and is not a socket; not replacing it");
  }
  if (::unlink(path.c_str()) != 0) return posixStatus("unlink " + path);
  return Status::ok();
}

Status connectError(int err, const std::string& path) {
  switch (err) {
    case ENOENT:
    case ECONNREFUSED:
    case ENOTDIR:
      return errnoStatus(ErrorCode::kNotFound, "connect " + path, err);
    default:
      return posixStatus("connect " + path, err);
  }
}

class UnixLocalChannel final : public LocalChannel {
 public:
  Result<std::unique_ptr<LocalListener>> listen(const LocalListenOptions& options) override {
    const std::string& path = options.path;
    XIAOAN_ASSIGN_OR_RETURN(const sockaddr_un addr, socketAddress(path));
    UniqueFd wake_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_fd.valid()) return posixStatus("eventfd");
    XIAOAN_RETURN_IF_ERROR(removeStaleSocket(path));
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return posixStatus("socket(AF_UNIX)");
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      return posixStatus("bind " + path);
    }
    const int raw = fd.get();
    // From here on the socket file is the listener's to remove, whatever fails next.
    auto listener = std::make_unique<UnixListener>(path, std::move(fd), std::move(wake_fd));
    // Mode before listen(): until then nobody can connect, whatever the umask gave the file.
    if (::chmod(path.c_str(), options.mode & 07777) != 0) return posixStatus("chmod " + path);
    const int backlog = options.backlog > INT_MAX ? INT_MAX : static_cast<int>(options.backlog);
    if (::listen(raw, backlog) != 0) return posixStatus("listen " + path);
    return std::unique_ptr<LocalListener>(std::move(listener));
  }

  Result<std::unique_ptr<LocalConnection>> connect(const std::string& path,
                                                   milliseconds timeout) override {
    XIAOAN_ASSIGN_OR_RETURN(const sockaddr_un addr, socketAddress(path));
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return posixStatus("socket(AF_UNIX)");
    const Deadline deadline = steady_clock::now() + timeout;
    for (;;) {
      if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ||
          errno == EISCONN) {
        return std::unique_ptr<LocalConnection>(new UnixConnection(std::move(fd)));
      }
      const int err = errno;
      // A non-blocking AF_UNIX connect answers EAGAIN while the listener's backlog is full;
      // it never completes asynchronously, so retry until the deadline.
      if (err == EINTR) continue;
      if (err != EAGAIN) return connectError(err, path);
      if (steady_clock::now() >= deadline) {
        return Status(ErrorCode::kTimeout, "connect " + path + ": listener backlog stays full");
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
  }
};

}  // namespace

std::unique_ptr<LocalChannel> makeLocalChannel() { return std::make_unique<UnixLocalChannel>(); }

std::unique_ptr<LocalConnection> adoptLocalConnection(NativeHandle handle) {
  return std::make_unique<UnixConnection>(UniqueFd(static_cast<int>(handle)));
}

}  // namespace xiaoan
