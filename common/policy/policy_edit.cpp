#include "common/policy/policy_edit.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/proto_json.h"

namespace xiaoan::policy {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Value;

constexpr size_t kMaxPathDepth = 8;

Status issue(std::vector<FieldIssue>* issues, std::string_view path, const std::string& why) {
  if (issues != nullptr) issues->push_back({std::string(path), why});
  return Status(ErrorCode::kInvalidArgument, std::string(path) + ": " + why);
}

// The fields named by a dotted path; empty when a segment is unknown or a non-final segment is
// not a singular message.
std::vector<const FieldDescriptor*> resolvePath(const Descriptor* desc, std::string_view path) {
  std::vector<const FieldDescriptor*> chain;
  while (desc != nullptr && chain.size() < kMaxPathDepth) {
    size_t dot = path.find('.');
    const FieldDescriptor* field = desc->FindFieldByName(std::string(path.substr(0, dot)));
    if (field == nullptr) return {};
    chain.push_back(field);
    if (dot == std::string_view::npos) return chain;
    if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return {};
    desc = field->message_type();
    path.remove_prefix(dot + 1);
  }
  return {};
}

// "enforce" -> "ENFORCEMENT_ACTION_ENFORCE" (the prefix is the one of the zero value).
std::string enumName(const FieldDescriptor* field, std::string_view value) {
  std::string upper(value);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const auto* type = field->enum_type();
  if (type->FindValueByName(upper) != nullptr) return upper;
  std::string zero = type->value(0)->name();
  std::string prefix = zero.substr(0, zero.rfind("UNSPECIFIED"));
  return type->FindValueByName(prefix + upper) != nullptr ? prefix + upper : std::string(value);
}

// One scalar from the command line. Numbers stay strings: protobuf's JSON accepts quoted
// integers, and no 64-bit value loses precision through a double.
Value scalarValue(const FieldDescriptor* field, std::string_view text) {
  Value v;
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL && (text == "true" || text == "false")) {
    v.set_bool_value(text == "true");
  } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    v.set_string_value(enumName(field, text));
  } else {
    v.set_string_value(std::string(text));
  }
  return v;
}

Result<Value> jsonValue(std::string_view text) {
  XIAOAN_RETURN_IF_ERROR(checkJsonDepth(text));
  Value v;
  google::protobuf::StringPiece piece(text.data(), text.size());
  if (!google::protobuf::util::JsonStringToMessage(piece, &v).ok()) {
    return Status(ErrorCode::kInvalidArgument, "must be JSON");
  }
  return v;
}

// The JSON value a VALUE stands for, by the type of `field`.
Result<Value> valueFor(const FieldDescriptor* field, std::string_view text) {
  bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
  if (is_message || (field->is_repeated() && !text.empty() && text.front() == '[')) {
    return jsonValue(text);
  }
  if (!field->is_repeated()) return scalarValue(field, text);
  Value list;
  auto* items = list.mutable_list_value();
  while (true) {
    size_t comma = text.find(',');
    *items->add_values() = scalarValue(field, text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return list;
}

// {"a": {"b": leaf}} for the chain a.b.
Result<std::string> nestedJson(const std::vector<const FieldDescriptor*>& chain, Value leaf) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    Value outer;
    (*outer.mutable_struct_value()->mutable_fields())[(*it)->name()] = std::move(leaf);
    leaf = std::move(outer);
  }
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(leaf, &json).ok()) {
    return Status(ErrorCode::kInternal, "cannot render the field as JSON");
  }
  return json;
}

// The message holding the last field of `chain` (created in `root` when `create`).
Message* parentOf(Message& root, const std::vector<const FieldDescriptor*>& chain, bool create) {
  Message* m = &root;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (!create && !m->GetReflection()->HasField(*m, chain[i])) return nullptr;
    m = m->GetReflection()->MutableMessage(m, chain[i]);
  }
  return m;
}

}  // namespace

Status setPolicyField(v1::Policy& layer, std::string_view path, std::string_view value,
                      std::vector<FieldIssue>* issues) {
  auto chain = resolvePath(layer.GetDescriptor(), path);
  if (chain.empty()) return issue(issues, path, "unknown field");
  const FieldDescriptor* field = chain.back();
  if (value.empty()) {
    if (Message* parent = parentOf(layer, chain, false)) {
      parent->GetReflection()->ClearField(parent, field);
    }
    return Status::ok();
  }
  auto leaf = valueFor(field, value);
  if (!leaf.isOk()) return issue(issues, path, leaf.status().message());
  XIAOAN_ASSIGN_OR_RETURN(std::string json, nestedJson(chain, std::move(*leaf)));
  v1::Policy scratch;
  std::vector<FieldIssue> found;
  if (!strictJsonToMessage(json, &scratch, &found).isOk()) {
    if (issues != nullptr) issues->insert(issues->end(), found.begin(), found.end());
    return Status(ErrorCode::kInvalidArgument, summarizeIssues(found));
  }
  Message* into = parentOf(layer, chain, true);
  Message* from = parentOf(scratch, chain, true);
  into->GetReflection()->SwapFields(into, from, {field});
  return Status::ok();
}

}  // namespace xiaoan::policy
