#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "platform/file.h"
#include "platform/result.h"

// The local control channel (OS seam): a stream endpoint at a path that processes of this
// machine connect to, where the server learns from the OS who connected. A Unix domain socket
// on Linux; a named pipe on Windows (the path is then "\\.\pipe\NAME" and the mode becomes an
// ACL). Nothing here knows the protocol spoken over it (agent/control/frame.h does).

namespace xiaoan {

// When a wait gives up, on the monotonic clock.
using Deadline = std::chrono::steady_clock::time_point;

// Who is at the other end of a connection, as the OS recorded it when the peer connected
// (SO_PEERCRED): the peer cannot forge it. uid 0 is the administrator; on Windows the
// implementation reports uid 0 for LocalSystem and elevated administrators.
struct PeerIdentity {
  uint32_t pid = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// One connected stream. One thread uses a connection at a time; destroying it closes the
// stream (the peer reads end of stream, its writes fail).
class LocalConnection {
 public:
  virtual ~LocalConnection() = default;

  // Reads 1..n bytes (n > 0), waiting for the first until `deadline`; 0 means the peer closed
  // its end. Nothing by the deadline -> E_TIMEOUT; any other failure -> E_IO. Signals that
  // interrupt the wait are absorbed.
  virtual Result<size_t> readSome(void* buf, size_t n, Deadline deadline) = 0;
  // Writes all n bytes, waiting while the peer does not read until `deadline` (E_TIMEOUT; an
  // unknown part was sent). A peer that went away -> E_IO, never a signal that ends us.
  virtual Status writeAll(const void* buf, size_t n, Deadline deadline) = 0;
  // The peer's identity; E_IO when the OS cannot tell (then trust nothing the peer says).
  virtual Result<PeerIdentity> peer() const = 0;
};

struct LocalListenOptions {
  std::string path;       // the endpoint's name: a socket file on Linux
  uint32_t mode = 0600;   // who may connect, as permission bits (0666: every local user)
  uint32_t backlog = 64;  // connections the OS queues before connect() has to wait
};

// A listening endpoint. Thread-safe: several threads may wait in accept() at once; each
// connection goes to one of them. Destroying it stops listening and removes the endpoint
// (call wake() and let the waiting threads leave first).
class LocalListener {
 public:
  virtual ~LocalListener() = default;

  // Waits for the next client; the returned connection reads and writes with deadlines.
  // E_CANCELLED once wake() was called (at once, in every waiting and later call);
  // E_IO when the OS fails (out of descriptors...): the caller may retry later.
  virtual Result<std::unique_ptr<LocalConnection>> accept() = 0;
  // Makes every blocked and every later accept() return E_CANCELLED. For shutdown; callable
  // from any thread.
  virtual void wake() = 0;
};

// Opens endpoints and connects to them. Stateless: one instance may serve the whole process.
class LocalChannel {
 public:
  virtual ~LocalChannel() = default;

  // Listens at options.path with options.mode. An endpoint left at the path by a dead
  // process is replaced: the caller must know that no live server owns it (e.g. it holds the
  // instance lock). Something else at the path (a regular file...) -> E_EXISTS, left alone;
  // empty or too long path -> E_INVALID_ARGUMENT; anything else E_IO / E_PERMISSION_DENIED.
  virtual Result<std::unique_ptr<LocalListener>> listen(const LocalListenOptions& options) = 0;
  // Connects to the endpoint at `path`, waiting at most `timeout` while the server's backlog
  // is full (then E_TIMEOUT). No endpoint or nobody listening -> E_NOT_FOUND; not allowed to
  // connect -> E_PERMISSION_DENIED; empty or too long path -> E_INVALID_ARGUMENT.
  virtual Result<std::unique_ptr<LocalConnection>> connect(const std::string& path,
                                                           std::chrono::milliseconds timeout) = 0;
};

// The implementation for the OS this binary was built for.
std::unique_ptr<LocalChannel> makeLocalChannel();

// Takes ownership of a connected stream handle made elsewhere (one end of a socket pair): for
// tests and fuzzers that need a connection without an endpoint.
std::unique_ptr<LocalConnection> adoptLocalConnection(NativeHandle handle);

}  // namespace xiaoan
