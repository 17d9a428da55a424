#pragma once

#include <string>
#include <utility>
#include <vector>

#include "platform/error_code.h"
#include "xiaoan/v1/scan.pb.h"
#include "xiaoan/v1/status.pb.h"

// Scans and quarantine entries as xiaoanctl shows them (scan, quarantine, status).

namespace xiaoan::ctl {

// "计划扫描" / "scheduled scan", ...
std::string scanKindText(v1::ScanKind kind, Lang lang);

// The updating progress line: files done (of found), bytes, rate, ETA.
std::string scanProgressLine(const v1::ScanProgress& p, Lang lang);

// What was skipped, per reason: "无法读取 3，过大 1" / "unreadable 3, too large 1"; "" for none.
std::string skipText(const v1::ScanSkipCounts& k, Lang lang);

// The summary at the end of `xiaoanctl scan`: outcome, counts, skips, detections with their
// paths and rules.
std::string scanSummaryText(const v1::ScanProgress& p, Lang lang);

// "EICAR_Test_File, Webshell_PHP_Eval" of the matches.
std::string ruleList(const google::protobuf::RepeatedPtrField<v1::RuleMatch>& matches);

// The rows of the status section 防病毒 / Antivirus: bundle version and age, rules, state, last
// full scan, files scanned, detections, quarantine, CPU cap and use, running scans, the last
// bundle error. `now` is for ages.
std::vector<std::pair<std::string, std::string>> scanStatusRows(const v1::ScanStatus& s, Lang lang,
                                                                int64_t now);

}  // namespace xiaoan::ctl
