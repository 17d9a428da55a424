// NetworkConfig on Linux: rtnetlink for addresses and the default route; nmcli, a
// systemd-networkd .network file + networkctl, or resolv.conf for what survives a reboot.
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <charconv>

#include "platform/command_runner.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "platform/linux/ifupdown.h"
#include "platform/linux/resolv_conf.h"
#include "platform/linux/rtnetlink.h"
#include "platform/network_config.h"
#include "platform/network_info.h"

namespace xiaoan {
namespace {

using namespace std::chrono_literals;

struct Cidr {
  in_addr addr{};
  uint8_t prefix = 0;
};

Result<Cidr> parseCidr(const std::string& text) {
  const size_t slash = text.find('/');
  Cidr c;
  unsigned prefix = 0;
  const char* end = text.data() + text.size();
  if (slash == std::string::npos ||
      ::inet_pton(AF_INET, text.substr(0, slash).c_str(), &c.addr) != 1 ||
      std::from_chars(text.data() + slash + 1, end, prefix).ptr != end || prefix > 32)
    return Status(ErrorCode::kInvalidArgument, "not an IPv4 address/prefix: " + text);
  c.prefix = static_cast<uint8_t>(prefix);
  return c;
}

Status addressRequest(uint16_t type, uint16_t flags, uint32_t index, const std::string& cidr) {
  XIAOAN_ASSIGN_OR_RETURN(Cidr c, parseCidr(cidr));
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = c.prefix;
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  ifa.ifa_index = index;
  rtnl::MessageBuilder m(type, flags, &ifa, sizeof ifa);
  m.attr(IFA_LOCAL, &c.addr, 4);
  m.attr(IFA_ADDRESS, &c.addr, 4);
  if (type == RTM_NEWADDR && c.prefix < 31) {
    const uint32_t host_mask = c.prefix == 0 ? 0xffffffffu : (0xffffffffu >> c.prefix);
    in_addr brd{c.addr.s_addr | htonl(host_mask)};
    m.attr(IFA_BROADCAST, &brd, 4);
  }
  XIAOAN_ASSIGN_OR_RETURN(rtnl::Socket sock, rtnl::Socket::open());
  return sock.transact(m.take(), (type == RTM_NEWADDR ? "add " : "remove ") + cidr);
}

std::string firstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// Runs a tool; its failure (or a non-zero exit) as E_IO with what it said.
Status runTool(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
               std::string* out = nullptr) {
  XIAOAN_ASSIGN_OR_RETURN(CommandResult r, runCommand(argv, withTimeout(timeout)));
  if (r.exit_code != 0) {
    return Status(ErrorCode::kIo, argv[0] + " " + argv[1] + " exited " +
                                      std::to_string(r.exit_code) + ": " + firstLine(r.err));
  }
  if (out != nullptr) *out = std::move(r.out);
  return Status::ok();
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

class LinuxNetworkConfig final : public NetworkConfig {
 public:
  explicit LinuxNetworkConfig(NetworkConfigOptions o) : o_(std::move(o)) {}

  Status addAddress(uint32_t index, const std::string& cidr) override {
    return addressRequest(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, cidr);
  }
  Status removeAddress(uint32_t index, const std::string& cidr) override {
    return addressRequest(RTM_DELADDR, 0, index, cidr);
  }

  // "ip route replace default via GW dev IFACE": metric 0, so it is the route in use.
  Status replaceDefaultRoute(uint32_t index, const std::string& gateway) override {
    in_addr gw{};
    if (::inet_pton(AF_INET, gateway.c_str(), &gw) != 1)
      return Status(ErrorCode::kInvalidArgument, "not an IPv4 gateway: " + gateway);
    rtmsg rt{};
    rt.rtm_family = AF_INET;
    rt.rtm_table = RT_TABLE_MAIN;
    rt.rtm_protocol = RTPROT_STATIC;
    rt.rtm_scope = RT_SCOPE_UNIVERSE;
    rt.rtm_type = RTN_UNICAST;
    rtnl::MessageBuilder m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rt, sizeof rt);
    m.attr(RTA_GATEWAY, &gw, 4);
    m.attrU32(RTA_OIF, index);
    XIAOAN_ASSIGN_OR_RETURN(rtnl::Socket sock, rtnl::Socket::open());
    return sock.transact(m.take(), "default route via " + gateway);
  }

  NetworkOwner ownerOf(const std::string& itf, uint32_t index) const override {
    if (managedByNetworkManager(itf)) return NetworkOwner::kNetworkManager;
    auto links = readFile(o_.networkd_run_dir + "/" + std::to_string(index), 64 * 1024);
    if (links.isOk() && (links->find("ADMIN_STATE=configured") != std::string::npos ||
                         links->find("ADMIN_STATE=configuring") != std::string::npos))
      return NetworkOwner::kNetworkd;
    auto ifupdown = readFile(o_.ifupdown_file, kMaxIfupdownBytes);
    if (ifupdown.isOk() && hasIfupdownStanza(*ifupdown, itf)) return NetworkOwner::kIfupdown;
    return NetworkOwner::kNone;
  }

  Status persist(NetworkOwner owner, const Ipv4Assignment& a) override {
    switch (owner) {
      case NetworkOwner::kNetworkManager:
        return persistNetworkManager(a);
      case NetworkOwner::kNetworkd:
        return persistNetworkd(a);
      case NetworkOwner::kIfupdown:
        return persistIfupdown(a);
      default:
        return Status(ErrorCode::kUnsupported,
                      std::string("no configuration written for ") + networkOwnerName(owner));
    }
  }

  Status setDnsServers(const std::vector<std::string>& servers) override {
    auto st = statPath(o_.resolv_conf, false);
    if (st.isOk() && st->isSymlink()) {
      return Status(ErrorCode::kUnsupported,
                    o_.resolv_conf + " is a symlink to a resolver stub: DNS cannot be set there");
    }
    std::string text;
    if (auto old = readFile(o_.resolv_conf, kMaxResolvConfBytes); old.isOk()) text = *old;
    return atomicWriteFile(o_.resolv_conf, replaceResolvConfNameservers(text, servers), 0644);
  }

 private:
  static bool managedByNetworkManager(const std::string& itf) {
    if (!commandExists("nmcli")) return false;
    auto r = runCommand({"nmcli", "-t", "-f", "DEVICE,STATE", "dev"}, withTimeout(3s));
    if (!r.isOk() || r->exit_code != 0) return false;
    size_t start = 0;
    const std::string& out = r->out;
    while (start < out.size()) {
      size_t end = out.find('\n', start);
      if (end == std::string::npos) end = out.size();
      const std::string line = out.substr(start, end - start);
      if (line.rfind(itf + ":", 0) == 0) {
        const std::string state = line.substr(itf.size() + 1);
        return state != "unmanaged" && state.rfind("unavailable", 0) != 0;
      }
      start = end + 1;
    }
    return false;
  }

  static Status persistNetworkManager(const Ipv4Assignment& a) {
    std::string out;
    XIAOAN_RETURN_IF_ERROR(
        runTool({"nmcli", "-g", "GENERAL.CONNECTION", "dev", "show", a.interface}, 5s, &out));
    const std::string con = firstLine(out);
    if (con.empty())
      return Status(ErrorCode::kNotFound, "no NetworkManager connection on " + a.interface);
    std::vector<std::string> mod = {"nmcli",          "con", "mod", con, "ipv4.method", "manual",
                                    "ipv4.addresses", a.cidr};
    if (!a.gateway.empty()) mod.insert(mod.end(), {"ipv4.gateway", a.gateway});
    if (!a.dns.empty())
      mod.insert(mod.end(), {"ipv4.dns", joined(a.dns, ","), "ipv4.ignore-auto-dns", "yes"});
    XIAOAN_RETURN_IF_ERROR(runTool(mod, 10s));
    return runTool({"nmcli", "con", "up", con}, 20s);
  }

  Status persistNetworkd(const Ipv4Assignment& a) {
    std::string text =
        "# Written by xiaoan-agent: the address the school assigned to this PC (IP/MAC "
        "binding).\n[Match]\n";
    text += a.mac.empty() ? "Name=" + a.interface + "\n" : "MACAddress=" + a.mac + "\n";
    text += "\n[Network]\nAddress=" + a.cidr + "\n";
    if (!a.gateway.empty()) text += "Gateway=" + a.gateway + "\n";
    if (!a.dns.empty()) text += "DNS=" + joined(a.dns, " ") + "\n";
    XIAOAN_RETURN_IF_ERROR(makeDirs(o_.networkd_dir, 0755));
    XIAOAN_RETURN_IF_ERROR(
        atomicWriteFile(o_.networkd_dir + "/00-xiaoan-" + a.interface + ".network", text, 0644));
    XIAOAN_RETURN_IF_ERROR(runTool({"networkctl", "reload"}, 10s));
    return runTool({"networkctl", "reconfigure", a.interface}, 10s);
  }

  // The stanza rewritten in place; the running configuration is already right (netlink), so
  // nothing is restarted: it is what the next boot brings up.
  Status persistIfupdown(const Ipv4Assignment& a) {
    XIAOAN_ASSIGN_OR_RETURN(std::string text, readFile(o_.ifupdown_file, kMaxIfupdownBytes));
    return atomicWriteFile(o_.ifupdown_file, rewriteIfupdownStanza(text, a), 0644);
  }

  const NetworkConfigOptions o_;
};

}  // namespace

const char* networkOwnerName(NetworkOwner owner) {
  switch (owner) {
    case NetworkOwner::kNetworkManager:
      return "NetworkManager";
    case NetworkOwner::kNetworkd:
      return "systemd-networkd";
    case NetworkOwner::kIfupdown:
      return "ifupdown";
    case NetworkOwner::kNone:
      break;
  }
  return "netlink";
}

std::unique_ptr<NetworkConfig> makeNetworkConfig(NetworkConfigOptions options) {
  return std::make_unique<LinuxNetworkConfig>(std::move(options));
}

}  // namespace xiaoan
