#include "common/proto_json.h"

#include <google/protobuf/util/json_util.h>

#include <vector>

#include "common/text/text_width.h"

namespace xiaoan {
namespace {

Result<std::string> render(const google::protobuf::Message& message, bool indented) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = indented;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  options.always_print_enums_as_ints = false;
  std::string out;
  auto st = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!st.ok()) {
    return Status(ErrorCode::kInternal, "cannot render JSON: " + std::string(st.message()));
  }
  return out;
}

using google::protobuf::FieldDescriptor;

void sanitizeField(google::protobuf::Message* message, const FieldDescriptor* field) {
  const auto* reflection = message->GetReflection();
  const bool is_string = field->type() == FieldDescriptor::TYPE_STRING;
  if (!field->is_repeated()) {
    if (is_string) {
      reflection->SetString(message, field,
                            sanitizeForTerminal(reflection->GetString(*message, field)));
    } else {
      sanitizeStringFields(reflection->MutableMessage(message, field));
    }
    return;
  }
  for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
    if (is_string) {
      reflection->SetRepeatedString(
          message, field, i,
          sanitizeForTerminal(reflection->GetRepeatedString(*message, field, i)));
    } else {
      sanitizeStringFields(reflection->MutableRepeatedMessage(message, field, i));
    }
  }
}

}  // namespace

void sanitizeStringFields(google::protobuf::Message* message) {
  std::vector<const FieldDescriptor*> fields;
  message->GetReflection()->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_STRING ||
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      sanitizeField(message, field);
    }
  }
}

Result<std::string> toStableJson(const google::protobuf::Message& message) {
  XIAOAN_ASSIGN_OR_RETURN(std::string out, render(message, true));
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

Result<std::string> toCompactJson(const google::protobuf::Message& message) {
  return render(message, false);
}

Status checkJsonDepth(std::string_view json, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped byte cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        return Status(ErrorCode::kTooLarge,
                      "JSON nests deeper than " + std::to_string(max_depth) + " levels");
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return Status::ok();
}

Status parseStrictJson(std::string_view json, google::protobuf::Message* message) {
  XIAOAN_RETURN_IF_ERROR(checkJsonDepth(json));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!st.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  "invalid JSON: " + jsonErrorReason(std::string(st.message())));
  }
  return Status::ok();
}

std::string jsonErrorReason(std::string_view parser_message) {
  return sanitizeForTerminal(parser_message.substr(0, parser_message.find('\n')));
}

}  // namespace xiaoan
