#pragma once

#include <string>

#include "common/text/tr.h"
#include "xiaoan/v1/browsing.pb.h"

namespace xiaoan::ctl {

// Site blocking in one line: "拦截 2 个域名；已生效：Chrome、Chromium、Edge；未覆盖：Firefox
// （policies.json 由其他程序管理）".
std::string blockingLine(const v1::BrowsingStatus& b, Lang lang);

// Seat sessions in one line: "当前 1 个登录会话".
std::string sessionsLine(const v1::BrowsingStatus& b, Lang lang);

}  // namespace xiaoan::ctl
