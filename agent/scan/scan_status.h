#pragma once

#include "agent/scan/signature_loader.h"
#include "xiaoan/v1/status.pb.h"

// Pieces of what `xiaoanctl status` shows about the antivirus (AgentStatus.scan) that do not
// belong to one part of the service: the rules loaded and the overall state.

namespace xiaoan::agent::scan {

// The rules part: bundle version, issue and load times, rule count, last bundle error.
void fillRulesStatus(const SignatureLoader& loader, v1::ScanStatus& s);

// The overall state: NO_RULES before any rules, RUNNING while a pass runs (unless the
// scheduled one is held by its window or the user), else what scheduled scanning last said,
// else IDLE or DISABLED by policy.
v1::ScanState scanStateOf(bool rules_loaded, v1::ScanState scheduled, bool any_running,
                          bool enabled);

}  // namespace xiaoan::agent::scan
