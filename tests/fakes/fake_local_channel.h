#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/local_channel.h"

namespace xiaoan::testing {

// One direction of an in-memory stream: bytes written by one end, read by the other.
struct FakeStreamBuffer {
  std::mutex mu;
  std::condition_variable changed;
  std::string bytes;
  size_t capacity = std::numeric_limits<size_t>::max();  // writes wait while it is full
  bool writer_closed = false;                            // the reader sees end of stream
  bool reader_closed = false;                            // writes fail (E_IO)
};

// One end of an in-memory connection; `peer` is what the OS would say about the other end.
class FakeConnection final : public LocalConnection {
 public:
  FakeConnection(std::shared_ptr<FakeStreamBuffer> in, std::shared_ptr<FakeStreamBuffer> out,
                 std::optional<PeerIdentity> peer)
      : in_(std::move(in)), out_(std::move(out)), peer_(peer) {}
  ~FakeConnection() override {
    close(*in_, [](FakeStreamBuffer& b) { b.reader_closed = true; });
    close(*out_, [](FakeStreamBuffer& b) { b.writer_closed = true; });
  }

  Result<size_t> readSome(void* buf, size_t n, Deadline deadline) override {
    std::unique_lock lock(in_->mu);
    const bool ready = in_->changed.wait_until(
        lock, deadline, [&] { return !in_->bytes.empty() || in_->writer_closed; });
    if (!ready) return Status(ErrorCode::kTimeout, "fake connection: read timed out");
    const size_t take = std::min(n, in_->bytes.size());
    std::memcpy(buf, in_->bytes.data(), take);
    in_->bytes.erase(0, take);
    in_->changed.notify_all();
    return take;  // 0: the writer closed and everything was read
  }

  Status writeAll(const void* buf, size_t n, Deadline deadline) override {
    const char* p = static_cast<const char*>(buf);
    std::unique_lock lock(out_->mu);
    while (n > 0) {
      const bool ready = out_->changed.wait_until(lock, deadline, [&] {
        return out_->reader_closed || out_->bytes.size() < out_->capacity;
      });
      if (!ready) return Status(ErrorCode::kTimeout, "fake connection: write timed out");
      if (out_->reader_closed) return Status(ErrorCode::kIo, "fake connection: peer closed");
      const size_t take = std::min(n, out_->capacity - out_->bytes.size());
      out_->bytes.append(p, take);
      p += take;
      n -= take;
      out_->changed.notify_all();
    }
    return Status::ok();
  }

  Result<PeerIdentity> peer() const override {
    if (!peer_) return Status(ErrorCode::kIo, "fake connection: peer identity unknown");
    return *peer_;
  }

 private:
  template <typename Fn>
  static void close(FakeStreamBuffer& b, Fn mark) {
    std::lock_guard lock(b.mu);
    mark(b);
    b.changed.notify_all();
  }

  std::shared_ptr<FakeStreamBuffer> in_;
  std::shared_ptr<FakeStreamBuffer> out_;
  std::optional<PeerIdentity> peer_;
};

// The local channel without a kernel: endpoints are names in a map, connections are pairs of
// in-memory buffers, and each client says which identity the server sees. Thread-safe.
class FakeLocalChannel final : public LocalChannel {
 public:
  // What the server is told about clients of connect(); connectAs() picks another.
  PeerIdentity client_identity{4242, 1000, 1000};
  // What clients are told about the server.
  PeerIdentity server_identity{1, 0, 0};

  FakeLocalChannel() : state_(std::make_shared<State>()) {}

  Result<std::unique_ptr<LocalListener>> listen(const LocalListenOptions& options) override {
    if (options.path.empty()) return Status(ErrorCode::kInvalidArgument, "empty path");
    auto endpoint = std::make_shared<Endpoint>();
    std::lock_guard lock(state_->mu);
    state_->endpoints[options.path] = endpoint;  // replaces what was there, like the OS
    state_->listened.push_back(options);
    return std::unique_ptr<LocalListener>(new Listener(state_, options.path, endpoint));
  }

  Result<std::unique_ptr<LocalConnection>> connect(const std::string& path,
                                                   std::chrono::milliseconds) override {
    return connectAs(path, client_identity);
  }

  // Connects as `who`: the server's peer() answers that (nullopt: the OS cannot tell).
  Result<std::unique_ptr<LocalConnection>> connectAs(const std::string& path,
                                                     std::optional<PeerIdentity> who,
                                                     size_t buffer_capacity = SIZE_MAX) {
    std::shared_ptr<Endpoint> endpoint;
    {
      std::lock_guard lock(state_->mu);
      auto it = state_->endpoints.find(path);
      if (it == state_->endpoints.end()) {
        return Status(ErrorCode::kNotFound, "fake channel: nobody listens at " + path);
      }
      endpoint = it->second;
    }
    auto to_server = std::make_shared<FakeStreamBuffer>();
    auto to_client = std::make_shared<FakeStreamBuffer>();
    to_server->capacity = to_client->capacity = buffer_capacity;
    {
      std::lock_guard lock(endpoint->mu);
      endpoint->pending.push_back(std::make_unique<FakeConnection>(to_server, to_client, who));
      endpoint->changed.notify_one();
    }
    return std::unique_ptr<LocalConnection>(
        new FakeConnection(to_client, to_server, server_identity));
  }

  // Every listen() so far (path, mode, backlog), oldest first.
  std::vector<LocalListenOptions> listened() const {
    std::lock_guard lock(state_->mu);
    return state_->listened;
  }
  // Whether something listens at `path` now.
  bool listening(const std::string& path) const {
    std::lock_guard lock(state_->mu);
    return state_->endpoints.count(path) != 0;
  }

 private:
  struct Endpoint {
    std::mutex mu;
    std::condition_variable changed;
    std::deque<std::unique_ptr<LocalConnection>> pending;
    bool woken = false;
  };
  struct State {
    mutable std::mutex mu;
    std::map<std::string, std::shared_ptr<Endpoint>> endpoints;
    std::vector<LocalListenOptions> listened;
  };

  class Listener final : public LocalListener {
   public:
    Listener(std::shared_ptr<State> state, std::string path, std::shared_ptr<Endpoint> endpoint)
        : state_(std::move(state)), path_(std::move(path)), endpoint_(std::move(endpoint)) {}
    ~Listener() override {
      std::lock_guard lock(state_->mu);
      auto it = state_->endpoints.find(path_);
      if (it != state_->endpoints.end() && it->second == endpoint_) state_->endpoints.erase(it);
    }

    Result<std::unique_ptr<LocalConnection>> accept() override {
      std::unique_lock lock(endpoint_->mu);
      endpoint_->changed.wait(lock,
                              [&] { return endpoint_->woken || !endpoint_->pending.empty(); });
      if (endpoint_->woken) return Status(ErrorCode::kCancelled, "fake listener woken");
      auto conn = std::move(endpoint_->pending.front());
      endpoint_->pending.pop_front();
      return conn;
    }

    void wake() override {
      std::lock_guard lock(endpoint_->mu);
      endpoint_->woken = true;
      endpoint_->changed.notify_all();
    }

   private:
    std::shared_ptr<State> state_;
    std::string path_;
    std::shared_ptr<Endpoint> endpoint_;
  };

  std::shared_ptr<State> state_;
};

}  // namespace xiaoan::testing
