// Isolation on Linux: the `inet xiaoan_isolation` nftables table through `nft -f -`.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "platform/command_runner.h"
#include "platform/linux/nft_ruleset.h"

namespace xiaoan {
namespace {

using namespace std::chrono_literals;

bool isFamily(int family, const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(family, s.c_str(), buf) == 1;
}

std::string set(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return "{ " + out + " }";
}

// The accept rules for one direction: `dir` is "daddr"/"dport" (output) or "saddr"/"sport".
std::string exceptions(const IsolationRules& r, const std::vector<std::string>& v4,
                       const std::vector<std::string>& v6, bool out) {
  const std::string addr = out ? "daddr" : "saddr", port = out ? "dport" : "sport";
  const std::string p = std::to_string(r.collector_port);
  std::string s;
  if (!v4.empty()) s += "    ip " + addr + " " + set(v4) + " tcp " + port + " " + p + " accept\n";
  if (!v6.empty()) s += "    ip6 " + addr + " " + set(v6) + " tcp " + port + " " + p + " accept\n";
  if (r.allow_dhcp) {
    s += out ? "    udp sport 68 udp dport 67 accept\n" : "    udp sport 67 udp dport 68 accept\n";
  }
  if (!r.dns_servers.empty()) {
    s += "    ip " + addr + " " + set(r.dns_servers) + " udp " + port + " 53 accept\n";
    s += "    ip " + addr + " " + set(r.dns_servers) + " tcp " + port + " 53 accept\n";
  }
  return s;
}

std::string chain(const std::string& name, const std::string& hook, const std::string& lo,
                  const std::string& rules) {
  return "  chain " + name + " {\n    type filter hook " + hook +
         " priority -10; policy drop;\n    " + lo +
         " \"lo\" accept\n    ct state established,related accept\n" + rules + "  }\n";
}

class NftIsolation final : public Isolation {
 public:
  Status enter(const IsolationRules& rules) override {
    XIAOAN_ASSIGN_OR_RETURN(std::string script, isolationRuleset(rules));
    return nft(script);
  }
  Status leave() override { return nft(isolationRemoval()); }
  Result<bool> isActive() const override {
    XIAOAN_ASSIGN_OR_RETURN(
        CommandResult r,
        runCommand({"nft", "list", "table", "inet", "xiaoan_isolation"}, withTimeout(5s)));
    if (r.exit_code == 0) return true;
    if (r.err.find("No such file") != std::string::npos) return false;
    return Status(ErrorCode::kIo, "nft list table: " + r.err.substr(0, 200));
  }

 private:
  static Status nft(const std::string& script) {
    CommandOptions o = withTimeout(10s);
    o.stdin_data = script;
    XIAOAN_ASSIGN_OR_RETURN(CommandResult r, runCommand({"nft", "-f", "-"}, o));
    if (r.exit_code != 0) return Status(ErrorCode::kIo, "nft: " + r.err.substr(0, 300));
    return Status::ok();
  }
};

}  // namespace

Result<std::string> isolationRuleset(const IsolationRules& r) {
  std::vector<std::string> v4, v6;
  for (const auto& a : r.collector_addresses) {
    if (isFamily(AF_INET, a)) {
      v4.push_back(a);
    } else if (isFamily(AF_INET6, a)) {
      v6.push_back(a);
    } else {
      return Status(ErrorCode::kInvalidArgument, "collector address is not a literal: " + a);
    }
  }
  for (const auto& d : r.dns_servers) {
    if (!isFamily(AF_INET, d))
      return Status(ErrorCode::kInvalidArgument, "DNS server is not an IPv4 literal: " + d);
  }
  if (r.collector_port == 0) return Status(ErrorCode::kInvalidArgument, "collector port 0");
  return isolationRemoval() + "table " + kIsolationTable + " {\n" +
         chain("input", "input", "iif", exceptions(r, v4, v6, false)) +
         chain("output", "output", "oif", exceptions(r, v4, v6, true)) + "}\n";
}

std::string isolationRemoval() {
  // Declaring the table first makes the delete succeed when it did not exist.
  return std::string("table ") + kIsolationTable + "\ndelete table " + kIsolationTable + "\n";
}

std::unique_ptr<Isolation> makeIsolation() { return std::make_unique<NftIsolation>(); }

Result<std::vector<std::string>> resolveHostAddresses(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return Status(ErrorCode::kNotFound, host + ": " + ::gai_strerror(rc));
  std::vector<std::string> v4, v6;
  for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (a->ai_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, buf, sizeof buf);
      if (std::find(v4.begin(), v4.end(), buf) == v4.end()) v4.push_back(buf);
    } else if (a->ai_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, buf,
                  sizeof buf);
      if (std::find(v6.begin(), v6.end(), buf) == v6.end()) v6.push_back(buf);
    }
  }
  ::freeaddrinfo(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  if (v4.size() > 16) v4.resize(16);
  return v4;
}

}  // namespace xiaoan
