#pragma once

// rtnetlink for the Linux network seam: a route socket that sends requests and reads dumps and
// acknowledgements, and the parsers that turn RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE messages
// into a NetworkSnapshot. Every length in a message is checked against the bytes received;
// malformed messages and attributes are skipped.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/network_info.h"
#include "platform/unique_fd.h"

namespace xiaoan::rtnl {

// Bounds on one dump: messages and bytes read before it is cut off (E_TOO_LARGE).
inline constexpr size_t kMaxDumpMessages = 16384;
inline constexpr size_t kMaxDumpBytes = 8 * 1024 * 1024;
inline constexpr size_t kReceiveBuffer = 32 * 1024;

// Collects what dump messages say. Interfaces past kMaxInterfaces, addresses past
// kMaxAddressesPerInterface are dropped.
class SnapshotBuilder {
 public:
  // Feeds one datagram as received: each well-formed RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE
  // message is taken in. Returns true when it held NLMSG_DONE; an NLMSG_ERROR with an errno
  // becomes that error.
  Result<bool> feed(const uint8_t* data, size_t len);
  // Interfaces by index with their addresses; the default route's gateway. Does not set dns.
  NetworkSnapshot build() const;
  size_t messages() const { return messages_; }

 private:
  void link(const uint8_t* msg, size_t len);
  void addr(const uint8_t* msg, size_t len);
  void route(const uint8_t* msg, size_t len);

  std::map<uint32_t, InterfaceFacts> links_;
  std::map<uint32_t, std::vector<std::string>> addrs_;  // addresses may come before links
  std::string gateway_;
  uint32_t gateway_index_ = 0;
  uint32_t gateway_metric_ = UINT32_MAX;
  bool have_default_ = false;
  size_t messages_ = 0;
};

// A NETLINK_ROUTE socket. Move-only.
class Socket {
 public:
  // `groups`: multicast groups to join (RTMGRP_*), 0 for a request socket.
  static Result<Socket> open(uint32_t groups = 0);
  // Sends a dump request for `type` (RTM_GETLINK/RTM_GETADDR/RTM_GETROUTE) of `family` and
  // feeds every answer to `builder` until NLMSG_DONE. E_TOO_LARGE past the dump bounds.
  Status dump(uint16_t type, uint8_t family, SnapshotBuilder& builder);
  // Sends `request` (a complete netlink message; flags get NLM_F_REQUEST | NLM_F_ACK and a
  // sequence number) and waits up to 2 s for its acknowledgement: OK, or the kernel's errno
  // (E_EXISTS, E_NOT_FOUND, E_PERMISSION_DENIED, E_IO).
  Status transact(std::vector<uint8_t> request, const std::string& what);
  int fd() const { return fd_.get(); }

 private:
  explicit Socket(UniqueFd fd) : fd_(std::move(fd)) {}
  Status send(std::vector<uint8_t>& request, uint16_t flags);
  Result<size_t> receive(std::vector<uint8_t>& buf, int timeout_ms);

  UniqueFd fd_;
  uint32_t seq_ = 0;
};

// Builds netlink request messages: a header, a fixed part, then attributes (4-byte aligned).
class MessageBuilder {
 public:
  MessageBuilder(uint16_t type, uint16_t flags, const void* fixed, size_t fixed_len);
  void attr(uint16_t type, const void* data, size_t len);
  void attrU32(uint16_t type, uint32_t value) { attr(type, &value, sizeof value); }
  std::vector<uint8_t> take();

 private:
  std::vector<uint8_t> buf_;
};

// "aa:bb:cc:dd:ee:ff" of 6 bytes; empty for another length or all zeros.
std::string formatMac(const uint8_t* bytes, size_t len);

}  // namespace xiaoan::rtnl
