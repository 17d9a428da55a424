#include <sys/utsname.h>
#include <unistd.h>

#include "platform/file_util.h"
#include "platform/host_info.h"

namespace xiaoan {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string readSmall(const std::string& path) {
  auto r = readFile(path, 4096);
  return r ? trim(*r) : std::string();
}

std::string osPrettyName() {
  auto r = readFile("/etc/os-release", 65536);
  if (!r) return {};
  const std::string key = "PRETTY_NAME=";
  size_t pos = r->find(key);
  if (pos == std::string::npos) return {};
  size_t end = r->find('\n', pos);
  std::string v =
      r->substr(pos + key.size(), end == std::string::npos ? end : end - pos - key.size());
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

class LinuxHostInfo final : public HostInfo {
 public:
  LinuxHostInfo() : network_(makeNetworkInfo()) {}

  Result<HostFactsData> collect() const override {
    HostFactsData d;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0)
      return errnoStatus(ErrorCode::kIo, "gethostname");
    d.hostname = host;
    XIAOAN_ASSIGN_OR_RETURN(NetworkSnapshot net, network_->snapshot());
    d.interfaces = std::move(net.interfaces);
    d.gateway = std::move(net.gateway);
    d.dns = std::move(net.dns);
    d.smbios_uuid = readSmall("/sys/class/dmi/id/product_uuid");
    d.machine_id = readSmall("/etc/machine-id");
    d.boot_id = readSmall("/proc/sys/kernel/random/boot_id");
    d.os_version = osPrettyName();
    utsname u{};
    if (::uname(&u) == 0) {
      d.kernel_version = u.release;
      d.arch = u.machine;
    }
    return d;
  }

 private:
  std::unique_ptr<NetworkInfo> network_;
};

}  // namespace

std::unique_ptr<HostInfo> makeHostInfo() { return std::make_unique<LinuxHostInfo>(); }

}  // namespace xiaoan
