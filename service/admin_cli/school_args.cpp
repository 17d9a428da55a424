#include "service/admin_cli/school_args.h"

#include "common/text/tr.h"

namespace xiaoan::admin {

OptionSpec requiredSchoolOption() {
  return {"school", true, "S", "学校 ID（必需）", "school id (required)"};
}

const std::string* requireSchool(const AdminContext& ctx, const ParsedArgs& args, int& code) {
  const std::string* school = args.value("school");
  if (school == nullptr || school->empty()) {
    code = reportUsage(ctx, tr(ctx.lang, "需要 --school S", "--school S is required"));
    return nullptr;
  }
  return school;
}

}  // namespace xiaoan::admin
