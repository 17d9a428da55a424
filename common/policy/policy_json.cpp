// Strict JSON input: the JSON is first read as a generic google.protobuf.Value and walked
// against the message schema, so that every unknown field or wrongly typed value is reported
// with its path (protobuf's own parser stops at the first problem and names no path). Only
// input that passes the walk goes through protobuf's parser.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <map>

#include "common/policy/policy_rules.h"
#include "common/proto_json.h"

namespace xiaoan::policy {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Value;

using Issues = std::vector<FieldIssue>;

void walkObject(const google::protobuf::Struct& object, const Descriptor* desc,
                const std::string& prefix, Issues& out);

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Integers may be JSON numbers or strings (64-bit values are printed as strings).
bool isIntegral(const Value& v, bool is_signed) {
  if (v.kind_case() == Value::kStringValue) {
    const std::string& s = v.string_value();
    size_t start = is_signed && !s.empty() && s[0] == '-' ? 1 : 0;
    return s.size() > start && s.size() <= 20 &&
           s.find_first_not_of("0123456789", start) == std::string::npos;
  }
  if (v.kind_case() != Value::kNumberValue) return false;
  double d = v.number_value();
  return std::isfinite(d) && std::floor(d) == d && (is_signed || d >= 0);
}

std::string enumProblem(const Value& v, const FieldDescriptor* field) {
  const auto* type = field->enum_type();
  if (v.kind_case() == Value::kStringValue) {
    if (type->FindValueByName(v.string_value()) != nullptr) return "";
    std::string names;
    for (int i = 1; i < type->value_count(); ++i) {
      names += (names.empty() ? "" : ", ") + type->value(i)->name();
    }
    return "unknown value '" + v.string_value() + "' (one of: " + names + ")";
  }
  if (v.kind_case() == Value::kNumberValue && isIntegral(v, true) &&
      std::fabs(v.number_value()) < 1e9 &&
      type->FindValueByNumber(static_cast<int>(v.number_value())) != nullptr) {
    return "";
  }
  return "must be one of the names of " + type->name();
}

// Why one (non-repeated) JSON value does not fit `field`; empty when it does.
std::string scalarProblem(const Value& v, const FieldDescriptor* field) {
  using FD = FieldDescriptor;
  switch (field->cpp_type()) {
    case FD::CPPTYPE_BOOL:
      return v.kind_case() == Value::kBoolValue ? "" : "must be true or false";
    case FD::CPPTYPE_INT32:
    case FD::CPPTYPE_INT64:
      return isIntegral(v, true) ? "" : "must be an integer";
    case FD::CPPTYPE_UINT32:
    case FD::CPPTYPE_UINT64:
      return isIntegral(v, false) ? "" : "must be a non-negative integer";
    case FD::CPPTYPE_FLOAT:
    case FD::CPPTYPE_DOUBLE:
      return v.kind_case() == Value::kNumberValue ? "" : "must be a number";
    case FD::CPPTYPE_STRING:
      return v.kind_case() == Value::kStringValue ? "" : "must be a string";
    case FD::CPPTYPE_ENUM:
      return enumProblem(v, field);
    default:
      return "";
  }
}

// Well-known types (Timestamp, Duration, ...) have their own JSON forms: left to protobuf.
bool isWellKnown(const Descriptor* desc) { return desc->file()->package() == "google.protobuf"; }

void walkValue(const Value& v, const FieldDescriptor* field, const std::string& path, Issues& out) {
  if (v.kind_case() == Value::kNullValue) return;  // null means "not set"
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    std::string problem = scalarProblem(v, field);
    if (!problem.empty()) out.push_back({path, problem});
    return;
  }
  if (isWellKnown(field->message_type())) return;
  if (v.kind_case() != Value::kStructValue) {
    out.push_back({path, "must be an object"});
    return;
  }
  walkObject(v.struct_value(), field->message_type(), path, out);
}

void walkField(const Value& v, const FieldDescriptor* field, const std::string& path, Issues& out) {
  if (!field->is_repeated() || v.kind_case() == Value::kNullValue) {
    return walkValue(v, field, path, out);
  }
  if (field->is_map() || v.kind_case() != Value::kListValue) {
    if (!field->is_map()) out.push_back({path, "must be a list"});
    return;  // maps do not occur in our schemas' admin input; protobuf checks them
  }
  const auto& items = v.list_value().values();
  for (int i = 0; i < items.size(); ++i) {
    walkValue(items[i], field, path + "[" + std::to_string(i) + "]", out);
  }
}

const FieldDescriptor* findField(const Descriptor* desc, const std::string& key) {
  if (const auto* f = desc->FindFieldByName(key)) return f;
  for (int i = 0; i < desc->field_count(); ++i) {
    if (desc->field(i)->json_name() == key) return desc->field(i);
  }
  return nullptr;
}

void walkObject(const google::protobuf::Struct& object, const Descriptor* desc,
                const std::string& prefix, Issues& out) {
  // Struct's map has no stable order: report in key order.
  std::map<std::string, const Value*> fields;
  for (const auto& [key, value] : object.fields()) fields[key] = &value;
  for (const auto& [key, value] : fields) {
    std::string path = join(prefix, key);
    const FieldDescriptor* field = findField(desc, key);
    if (field == nullptr) {
      out.push_back({path, "unknown field"});
    } else {
      walkField(*value, field, path, out);
    }
  }
}

}  // namespace

Status strictJsonToMessage(std::string_view json, google::protobuf::Message* message,
                           std::vector<FieldIssue>* issues) {
  if (json.size() > kMaxPolicyJsonBytes) {
    return Status(ErrorCode::kTooLarge,
                  "JSON larger than " + std::to_string(kMaxPolicyJsonBytes) + " bytes");
  }
  XIAOAN_RETURN_IF_ERROR(checkJsonDepth(json));
  Issues found;
  Value root;
  google::protobuf::StringPiece text(json.data(), json.size());
  if (!google::protobuf::util::JsonStringToMessage(text, &root).ok()) {
    found.push_back({"", "not valid JSON"});
  } else if (root.kind_case() != Value::kStructValue) {
    found.push_back({"", "must be a JSON object"});
  } else {
    walkObject(root.struct_value(), message->GetDescriptor(), "", found);
  }
  if (found.empty()) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto st = google::protobuf::util::JsonStringToMessage(text, message, options);
    if (!st.ok()) found.push_back({"", jsonErrorReason(std::string(st.message()))});
  }
  if (found.empty()) return Status::ok();
  std::string line = summarizeIssues(found);
  if (issues != nullptr) *issues = std::move(found);
  return Status(ErrorCode::kInvalidArgument, line);
}

Result<v1::Policy> policyFromJson(std::string_view json, std::vector<FieldIssue>* issues) {
  v1::Policy policy;
  XIAOAN_RETURN_IF_ERROR(strictJsonToMessage(json, &policy, issues));
  std::vector<FieldIssue> invalid = validatePolicy(policy);
  if (invalid.empty()) return policy;
  std::string line = summarizeIssues(invalid);
  if (issues != nullptr) *issues = std::move(invalid);
  return Status(ErrorCode::kInvalidArgument, line);
}

}  // namespace xiaoan::policy
