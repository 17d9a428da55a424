#include "agent/core/host_facts.h"

#include "platform/logging.h"

namespace xiaoan::agent {

v1::HostFacts toHostFactsProto(const HostFactsData& data) {
  v1::HostFacts out;
  out.set_hostname(data.hostname);
  for (const auto& itf : data.interfaces) {
    if (itf.loopback) continue;
    auto* p = out.add_interfaces();
    p->set_name(itf.name);
    p->set_mac(itf.mac);
    p->set_permanent_mac(itf.permanent_mac);
    for (const auto& ip : itf.ipv4) p->add_ipv4(ip);
    p->set_up(itf.up);
    p->set_loopback(itf.loopback);
  }
  out.set_smbios_uuid(data.smbios_uuid);
  out.set_machine_id(data.machine_id);
  out.set_os_version(data.os_version);
  out.set_kernel_version(data.kernel_version);
  out.set_arch(data.arch);
  out.set_gateway(data.gateway);
  for (const auto& d : data.dns) out.add_dns(d);
  return out;
}

v1::HostFacts collectHostFacts(const HostInfo& host_info) {
  auto facts = host_info.collect();
  if (!facts.isOk()) {
    componentLogger(LogComponent::kAgentCore)
        ->warn("host facts unavailable: {}", facts.status().toString());
    return {};
  }
  return toHostFactsProto(*facts);
}

}  // namespace xiaoan::agent
