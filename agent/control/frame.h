#pragma once

// Framing of the local control protocol (control.proto) shared by xiaoanctl and the agent:
// each frame is a 4-byte big-endian length followed by that many bytes of a serialized
// protobuf message. One request and one response per connection.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <google/protobuf/message_lite.h>

#include "platform/local_channel.h"
#include "platform/result.h"

namespace xiaoan::control {

using Deadline = xiaoan::Deadline;

// Largest frame either side sends or accepts.
inline constexpr size_t kMaxFrameBytes = 1024 * 1024;
// Default time budget for one read, write or connect.
inline constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

// now + timeout on the monotonic clock.
Deadline deadlineAfter(std::chrono::milliseconds timeout);

// Writes one frame, giving up at `deadline` with E_TIMEOUT. A message larger than
// kMaxFrameBytes -> E_TOO_LARGE; a peer that went away -> E_IO.
Status writeFrame(LocalConnection& conn, const google::protobuf::MessageLite& message,
                  Deadline deadline = deadlineAfter(kDefaultTimeout));

// Reads one frame into `message` (cleared first). Length above `max_bytes` -> E_TOO_LARGE
// (nothing more is read); end of stream before the frame is complete or bytes that do not
// parse as `message` -> E_PROTOCOL; no complete frame by `deadline` -> E_TIMEOUT.
Status readFrame(LocalConnection& conn, google::protobuf::MessageLite& message,
                 size_t max_bytes = kMaxFrameBytes,
                 Deadline deadline = deadlineAfter(kDefaultTimeout));

// One exchange: writes `request`, then reads `response`, both by `deadline`. A server that
// refuses the connection answers (E_OVERLOADED) and closes without reading: when the write
// fails, an answer already sent is still read and returned; otherwise the write's error.
Status exchangeFrames(LocalConnection& conn, const google::protobuf::MessageLite& request,
                      google::protobuf::MessageLite& response, Deadline deadline);

// Connects to the agent's control socket at `path`, waiting at most `timeout`. No socket or
// nobody listening -> E_DAEMON_NOT_RUNNING; not allowed to open it -> E_PERMISSION_DENIED;
// path too long -> E_INVALID_ARGUMENT; the listener's backlog stays full -> E_TIMEOUT.
Result<std::unique_ptr<LocalConnection>> connectToAgent(
    LocalChannel& channel, const std::string& path,
    std::chrono::milliseconds timeout = kDefaultTimeout);

}  // namespace xiaoan::control
