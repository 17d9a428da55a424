#pragma once

#include <string>

#include "platform/error_code.h"
#include "xiaoan/v1/network.pb.h"

namespace xiaoan::ctl {

// One violation for a person: "IP 地址不符（eth0：应为 10.1.2.37/24，实际 10.1.2.99/24）".
std::string violationText(const v1::Violation& v, Lang lang);

// The binding state with its reason in one line: "合规", "违规：网关不符（…）等 2 项",
// "已隔离（仅可访问管理服务器）：MAC 地址被修改（…）".
std::string complianceLine(const v1::ComplianceStatus& c, Lang lang);

}  // namespace xiaoan::ctl
