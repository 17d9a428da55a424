#include "common/proto_json.h"

#include <google/protobuf/util/json_util.h>

namespace xiaoan {

Result<std::string> toStableJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  options.always_print_enums_as_ints = false;
  std::string out;
  auto st = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!st.ok()) {
    return Status(ErrorCode::kProtocol, "cannot render JSON: " + std::string(st.message()));
  }
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace xiaoan
