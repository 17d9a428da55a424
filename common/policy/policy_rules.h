#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"
#include "xiaoan/v1/policy.pb.h"

// The rules of a Policy (proto/xiaoan/v1/policy.proto): validation with field paths, the
// built-in defaults, layer merging, strict JSON input for admins and the bounded parse of a
// PolicyDocument on the agent. Shared by the collector, xiaoan-admin and the agent so that all
// three accept exactly the same policies.
namespace xiaoan::policy {

// Admin JSON input (one layer) is at most this large.
inline constexpr size_t kMaxPolicyJsonBytes = size_t{64} * 1024;
// A serialized PolicyDocument (the artifact an agent downloads) is at most this large.
inline constexpr size_t kMaxPolicyDocumentBytes = size_t{256} * 1024;

// One problem with a field. `field` is its path in the JSON form of the policy, e.g.
// "agent.checkin_interval_seconds", "scan.paths[2]", "scan.windows[0].start" ("" = the whole
// input); `message` says what is wrong, in English.
struct FieldIssue {
  std::string field;
  std::string message;

  bool operator==(const FieldIssue&) const = default;
};

// Every field that breaks the ranges and formats documented in policy.proto, in field order.
// Empty when the policy is valid. Rules are per field, so a merge of valid layers is valid.
std::vector<FieldIssue> validatePolicy(const v1::Policy& policy);

// Longest retention any policy may ask for (10 years).
inline constexpr uint32_t kMaxRetentionDays = 3650;

// The kinds of records the collector keeps, with a retention field each.
enum class RetentionKind { kBrowsing = 0, kSecurity = 1, kSessions = 2, kActivity = 3 };

// The least number of days `kind` must be kept (county rules: browsing 60, security 180, seat
// sessions 60; activity 30). validatePolicy refuses less; the collector never deletes sooner.
uint32_t retentionFloorDays(RetentionKind kind);

// validatePolicy plus what a layer of `scope` may not set: per-terminal values (binding.mac,
// binding.ipv4, naming.hostname) only in terminal layers; retention only in school layers.
std::vector<FieldIssue> validateLayer(v1::PolicyScope scope, const v1::Policy& layer);

// The built-in layer every merge starts from: every field set (check-in 60 s, upload
// 2000 events/s, retention 60/180 days, scan CPU 25 % / 20 MiB/s / 60 s per file, on-access
// paths ~/Downloads ~/Desktop /tmp; background scanning itself off until a policy turns it on,
// everything not yet implemented off).
v1::Policy builtinDefaults();

// Merges layers in order, later (narrower) layers winning field by field (policy.proto header):
// a scalar set in a later layer wins; a non-empty repeated field replaces the whole list; a
// message merges recursively; an enum wins when not UNSPECIFIED. Generic over the schema.
v1::Policy mergeLayers(std::span<const v1::Policy> layers);

// "; "-joined "field: message" of the first `max` issues (for one-line errors and logs).
std::string summarizeIssues(const std::vector<FieldIssue>& issues, size_t max = 3);

// Parses an admin's policy JSON (protobuf JSON mapping, proto or lowerCamel names) strictly:
// unknown fields, wrong JSON types and bad enum names are issues naming the field, as is every
// validatePolicy issue. E_TOO_LARGE over kMaxPolicyJsonBytes; E_INVALID_ARGUMENT when any issue
// was found (then `issues`, when given, holds them all).
Result<v1::Policy> policyFromJson(std::string_view json, std::vector<FieldIssue>* issues);

// Strict JSON into any message: the shape checks of policyFromJson without policy validation.
// E_TOO_LARGE over kMaxPolicyJsonBytes or nested deeper than kMaxJsonDepth (checked before any
// parsing; `issues` stays empty); E_INVALID_ARGUMENT with the issues (paths from the message
// root) when anything is wrong.
Status strictJsonToMessage(std::string_view json, google::protobuf::Message* message,
                           std::vector<FieldIssue>* issues);

// Parses a PolicyDocument an agent downloaded: at most kMaxPolicyDocumentBytes, decodable,
// version > 0, issued to `agent_id`, and a policy that passes validatePolicy. Anything else is
// E_POLICY_INVALID naming the first issues. Unknown fields (from a newer collector) are kept.
Result<v1::PolicyDocument> parsePolicyDocument(std::string_view bytes, std::string_view agent_id);

}  // namespace xiaoan::policy
