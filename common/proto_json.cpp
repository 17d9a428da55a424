#include "common/proto_json.h"

#include <google/protobuf/util/json_util.h>

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

}  // namespace

Result<std::string> toStableJson(const google::protobuf::Message& message) {
  XIAOAN_ASSIGN_OR_RETURN(std::string out, render(message, true));
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

Result<std::string> toCompactJson(const google::protobuf::Message& message) {
  return render(message, false);
}

Status parseStrictJson(std::string_view json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!st.ok()) return Status(ErrorCode::kInvalidArgument, "invalid JSON: " + st.ToString());
  return Status::ok();
}

}  // namespace xiaoan
