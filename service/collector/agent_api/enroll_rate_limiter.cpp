#include "service/collector/agent_api/enroll_rate_limiter.h"

#include <boost/asio/ip/address.hpp>

namespace xiaoan::collector {
namespace {

EnrollAdmission refused(const std::string& what, std::chrono::milliseconds wait) {
  const auto seconds = static_cast<uint32_t>((wait.count() + 999) / 1000);
  return {Status(ErrorCode::kRateLimited, "too many enrollments from this " + what + "; retry in " +
                                              std::to_string(seconds) + " s"),
          seconds};
}

}  // namespace

std::string addressKey(const std::string& remote_address) {
  const std::string ip = remote_address.substr(0, remote_address.rfind(':'));
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(ip, ec);
  if (ec || addr.is_v4()) return ip;
  auto v6 = addr.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

EnrollAdmission EnrollRateLimiter::admit(const std::string& token_id,
                                         const std::string& remote_address) {
  const uint64_t now = clock_.monotonicNs();
  std::lock_guard lock(mu_);
  if (auto wait = addresses_.take(addressKey(remote_address), now); wait.count() > 0) {
    return refused("address", wait);
  }
  if (auto wait = tokens_.take(token_id, now); wait.count() > 0) return refused("token", wait);
  return {};
}

}  // namespace xiaoan::collector
