#include <memory>

#include "common/policy/policy_rules.h"

namespace xiaoan::policy {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Whether `from` overrides `field` of the earlier layers (policy.proto header comment). For
// fields without presence (proto3 enums like `action`), HasField means "not the zero value",
// so UNSPECIFIED inherits.
bool overrides(const Message& from, const FieldDescriptor* field) {
  const Reflection* r = from.GetReflection();
  return field->is_repeated() ? r->FieldSize(from, field) > 0 : r->HasField(from, field);
}

// Merges `from` into `into` field by field. Overriding fields are moved over wholesale from a
// scratch copy with SwapFields, which works for every field type without a per-type switch.
void mergeInto(Message& into, const Message& from) {
  const auto* desc = from.GetDescriptor();
  const Reflection* r = from.GetReflection();
  std::vector<const FieldDescriptor*> take;
  for (int i = 0; i < desc->field_count(); ++i) {
    const FieldDescriptor* field = desc->field(i);
    bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (is_message && !field->is_repeated()) {
      if (r->HasField(from, field)) {
        mergeInto(*r->MutableMessage(&into, field), r->GetMessage(from, field));
      }
    } else if (overrides(from, field)) {
      take.push_back(field);
    }
  }
  if (take.empty()) return;
  std::unique_ptr<Message> scratch(from.New());
  scratch->CopyFrom(from);
  r->SwapFields(&into, scratch.get(), take);
}

}  // namespace

v1::Policy builtinDefaults() {
  v1::Policy p;
  p.mutable_agent()->set_checkin_interval_seconds(60);
  p.mutable_agent()->set_max_upload_events_per_second(2000);
  p.mutable_binding()->set_enabled(false);
  p.mutable_binding()->set_mode(v1::BINDING_MODE_REPORT);
  p.mutable_binding()->set_grace_seconds(30);
  p.mutable_binding()->set_check_interval_seconds(300);
  p.mutable_binding()->set_isolation_allow_dhcp(false);
  p.mutable_binding()->set_isolation_allow_dns(true);
  p.mutable_naming()->set_enabled(false);
  p.mutable_naming()->set_action(v1::ENFORCEMENT_ACTION_REPORT);
  auto* scan = p.mutable_scan();
  scan->set_enabled(false);
  scan->set_action(v1::ENFORCEMENT_ACTION_REPORT);
  scan->set_cpu_percent(25);
  scan->set_max_file_bytes(uint64_t{64} << 20);
  scan->set_full_scan_interval_days(7);
  scan->set_pause_when_user_active(true);
  for (const char* path : {"~/Downloads", "~/Desktop", "/tmp"}) scan->add_on_access_paths(path);
  scan->set_removable_media(true);
  scan->set_io_mib_per_second(20);
  scan->set_file_timeout_seconds(60);
  scan->set_quarantine_max_bytes(uint64_t{1} << 30);
  scan->set_quarantine_max_files(1000);
  scan->set_quarantine_reserve_bytes(uint64_t{512} << 20);
  auto* browsing = p.mutable_browsing();
  browsing->set_enabled(true);
  browsing->set_poll_interval_seconds(120);
  browsing->set_url_detail(v1::URL_DETAIL_FULL);
  browsing->set_include_synced(true);
  p.mutable_sessions()->set_enabled(true);
  auto* retention = p.mutable_retention();
  retention->set_browsing_days(90);
  retention->set_security_days(180);
  retention->set_session_days(60);
  retention->set_activity_days(90);
  return p;
}

v1::Policy mergeLayers(std::span<const v1::Policy> layers) {
  v1::Policy out;
  for (const auto& layer : layers) mergeInto(out, layer);
  return out;
}

}  // namespace xiaoan::policy
