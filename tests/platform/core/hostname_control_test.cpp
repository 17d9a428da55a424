#include "platform/hostname_control.h"

#include <doctest/doctest.h>
#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

// Sanity tests of the real Linux implementation; names are written under a scratch folder, and
// the running name is changed only inside a UTS namespace of this test process.
TEST_CASE("hostname: reads the running, static and pretty names") {
  TempDir dir;
  spit(dir.path() + "/hostname", "lab2-07\n");
  spit(dir.path() + "/machine-info",
       "CHASSIS=desktop\nPRETTY_HOSTNAME=\"\\u6c99 \\\"x\\\"\"\nDEPLOYMENT=school\n");
  auto names = makeHostnameControl({.config_dir = dir.path()})->read();
  REQUIRE(names.isOk());
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  CHECK(names->running == host);
  CHECK(names->static_name == "lab2-07");
  CHECK(names->pretty == "u6c99 \"x\"");  // shell-style unquoting, backslash escapes
  TempDir empty;
  auto none = makeHostnameControl({.config_dir = empty.path()})->read();
  REQUIRE(none.isOk());
  CHECK(none->static_name.empty());
  CHECK(none->pretty.empty());
}

TEST_CASE("hostname: rename validates before touching anything") {
  TempDir dir;
  auto control = makeHostnameControl({.config_dir = dir.path()});
  for (const std::string& bad : {std::string(""), std::string("-pc"), std::string("pc_1"),
                                 std::string("沙中李维"), std::string(64, 'a')}) {
    CAPTURE(bad);
    auto r = control->rename(bad, "");
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == ErrorCode::kInvalidArgument);
  }
  auto r = control->rename("ok", std::string("a\nb"));
  CHECK(r.status().code() == ErrorCode::kInvalidArgument);
  CHECK(slurp(dir.path() + "/hostname").empty());
}

TEST_CASE("hostname: rename in a UTS namespace sets all three names and keeps other lines") {
  if (::geteuid() != 0 || ::unshare(CLONE_NEWUTS) != 0) {
    MESSAGE("skipped: needs root to enter a UTS namespace");
    return;
  }
  TempDir dir;
  spit(dir.path() + "/machine-info", "CHASSIS=desktop\nPRETTY_HOSTNAME=old\n");
  auto control = makeHostnameControl({.config_dir = dir.path()});
  auto r = control->rename("SZ-liwei", "沙中李维 \"$x\"");
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK_FALSE(r->pending_reboot);
  auto names = control->read();
  REQUIRE(names.isOk());
  CHECK(names->running == "SZ-liwei");
  CHECK(names->static_name == "SZ-liwei");
  CHECK(names->pretty == "沙中李维 \"$x\"");
  CHECK(slurp(dir.path() + "/machine-info") ==
        "CHASSIS=desktop\nPRETTY_HOSTNAME=\"沙中李维 \\\"\\$x\\\"\"\n");
  REQUIRE(control->rename("SZ-liwei", "").isOk());
  CHECK(slurp(dir.path() + "/machine-info") == "CHASSIS=desktop\n");
}

}  // namespace xiaoan
