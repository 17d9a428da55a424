#pragma once

#include <cstdint>
#include <string>

#include "platform/error_code.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::ctl {

struct TextRenderOptions {
  Lang lang = Lang::kZhCn;
  // "Now" for relative ages ("3 分钟前"); injected so that output is reproducible.
  int64_t now_unix_seconds = 0;
};

// The human view of an AgentStatus: a headline (healthy / degraded and why / not running),
// then sections 代理, 连接, 本地缓存, 策略, 防病毒, 错误 (Agent, Connection, Spool, Policy,
// Antivirus — when the status has it —, Errors) of aligned "key | value" rows. Times are local
// ("2026-11-21 14:03:05") with their age. Every string from the status is sanitized for the
// terminal.
std::string renderStatusText(const v1::AgentStatus& status, const TextRenderOptions& options);

}  // namespace xiaoan::ctl
