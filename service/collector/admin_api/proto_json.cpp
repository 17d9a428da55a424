#include "service/collector/admin_api/proto_json.h"

#include <google/protobuf/util/json_util.h>

namespace xiaoan::collector {

Result<std::string> messageToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) return Status(ErrorCode::kInternal, "JSON rendering: " + status.ToString());
  return out;
}

Status jsonToMessage(std::string_view json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    return Status(ErrorCode::kInvalidArgument, "invalid JSON: " + status.ToString());
  }
  return Status::ok();
}

}  // namespace xiaoan::collector
