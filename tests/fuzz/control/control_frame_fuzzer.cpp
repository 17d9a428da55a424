// Fuzzes the local control socket's trust boundary: readFrame on arbitrary bytes from a peer,
// parsing as ControlRequest (what the agent reads) or ControlResponse (what xiaoanctl reads),
// and for a status answer the validation and both renderers, which must never fail on a
// status that passed validation.
//
// Input: byte 0 selects the message (bit 0: request/response) and a tight size cap (bit 1);
// the remaining bytes are what the peer sends before closing its end.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/control/frame.h"
#include "agent/ctl/status_source.h"
#include "agent/ctl/status_text_renderer.h"
#include "common/proto_json.h"
#include "platform/local_channel.h"
#include "platform/unique_fd.h"
#include "xiaoan/v1/control.pb.h"

namespace {

using xiaoan::LocalConnection;
using xiaoan::UniqueFd;

constexpr size_t kMaxInput = 64 * 1024;  // fits a socket buffer: one write, no writer thread

void renderOrDie(const xiaoan::v1::AgentStatus& status) {
  if (!xiaoan::ctl::validateStatus(status).isOk()) return;
  for (auto lang : {xiaoan::Lang::kZhCn, xiaoan::Lang::kEn}) {
    (void)xiaoan::ctl::renderStatusText(status, {lang, 1795269785});
  }
  if (!xiaoan::toStableJson(status).isOk()) std::abort();  // validation missed a case
}

template <typename Message>
void readOne(LocalConnection& conn, size_t max_bytes) {
  Message message;
  auto st = xiaoan::control::readFrame(conn, message, max_bytes,
                                       xiaoan::control::deadlineAfter(std::chrono::seconds(1)));
  if (!st.isOk()) {
    const auto code = st.code();
    if (code != xiaoan::ErrorCode::kProtocol && code != xiaoan::ErrorCode::kTooLarge) std::abort();
    return;
  }
  if constexpr (std::is_same_v<Message, xiaoan::v1::ControlResponse>) {
    if (message.has_status()) renderOrDie(message.status());
  }
  // What we accepted we can send back.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return;
  auto a = xiaoan::adoptLocalConnection(fds[0]);
  auto b = xiaoan::adoptLocalConnection(fds[1]);
  if (message.ByteSizeLong() < kMaxInput) {
    if (!xiaoan::control::writeFrame(*a, message).isOk()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > kMaxInput) return 0;
  const uint8_t selector = data[0];
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  UniqueFd peer(fds[0]);
  auto us = xiaoan::adoptLocalConnection(fds[1]);
  int buf = static_cast<int>(2 * kMaxInput);
  ::setsockopt(peer.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  if (size > 1 && ::write(peer.get(), data + 1, size - 1) != static_cast<ssize_t>(size - 1)) {
    return 0;
  }
  peer.reset();  // EOF after the bytes: truncated frames end, never hang
  const size_t max_bytes = (selector & 2) ? 64 : xiaoan::control::kMaxFrameBytes;
  if (selector & 1) {
    readOne<xiaoan::v1::ControlResponse>(*us, max_bytes);
  } else {
    readOne<xiaoan::v1::ControlRequest>(*us, max_bytes);
  }
  return 0;
}
