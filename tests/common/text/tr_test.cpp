#include "common/text/tr.h"

#include <doctest/doctest.h>

namespace xiaoan {
namespace {

TEST_CASE("tr picks the user's language") {
  CHECK(tr(Lang::kZhCn, "扫描完成", "scan completed") == "扫描完成");
  CHECK(tr(Lang::kEn, "扫描完成", "scan completed") == "scan completed");
  const std::string n = "3";
  CHECK(tr(Lang::kEn, "检出 " + n, n + " detected") == "3 detected");
}

}  // namespace
}  // namespace xiaoan
