#include <algorithm>

#include "common/cli/cli_command_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan {

std::string cliCommandName(const std::vector<std::string>& words) {
  std::string name;
  for (const auto& w : words) name += (name.empty() ? "" : " ") + w;
  return name;
}

std::string cliOptionLabel(const OptionSpec& o) {
  return "--" + o.name + (o.takes_value ? " " + o.value_name : "");
}

void appendCliOptions(const std::vector<OptionSpec>& options, Lang lang, std::string* out) {
  size_t width = 0;
  for (const auto& o : options) width = std::max(width, displayWidth(cliOptionLabel(o)));
  for (const auto& o : options) {
    *out +=
        "  " + padRight(cliOptionLabel(o), width) + "  " + tr(lang, o.help_zh, o.help_en) + "\n";
  }
}

}  // namespace xiaoan
