#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/text/tr.h"
#include "xiaoan/v1/browsing.pb.h"

namespace xiaoan::ctl {

// The rows of the status section 上网记录 / Browsing: collection on or off, profiles read, the
// last poll and its age, visits read since the agent started, the last error reading a profile.
std::vector<std::pair<std::string, std::string>> browsingStatusRows(const v1::BrowsingStatus& b,
                                                                    Lang lang, int64_t now);

}  // namespace xiaoan::ctl
