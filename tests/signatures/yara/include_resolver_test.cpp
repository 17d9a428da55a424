#include "signatures/yara/include_resolver.h"

#include <doctest/doctest.h>

namespace xiaoan::sig {
namespace {

std::string resolved(std::string_view from, std::string_view name) {
  auto r = resolveIncludeName(from, name);
  return r.isOk() ? *r : "ERROR " + r.status().message();
}

TEST_CASE("include names resolve relative to the including file's directory") {
  CHECK(resolved("main.yar", "a.yar") == "a.yar");
  CHECK(resolved("x/main.yar", "a.yar") == "x/a.yar");
  CHECK(resolved("x/y/main.yar", "../a.yar") == "x/a.yar");
  CHECK(resolved("x/main.yar", "./sub//a.yar") == "x/sub/a.yar");
  CHECK(resolved("x/main.yar", "../../a.yar").rfind("ERROR", 0) == 0);
  CHECK(resolved("main.yar", "/etc/passwd").rfind("ERROR", 0) == 0);
  CHECK(resolved("main.yar", "a\\b.yar").rfind("ERROR", 0) == 0);
  CHECK(resolved("main.yar", "").rfind("ERROR", 0) == 0);
  CHECK(resolved("x/main.yar", "..").rfind("ERROR", 0) == 0);
}

TEST_CASE("include directives are found outside comments, strings and regexps") {
  const char* text = R"(include "a.yar"
// include "comment.yar"
/* include "block.yar"
*/
rule r {
  meta: d = "include \"meta.yar\""
  strings: $re = /include "re.yar"/ $h = { 41 // include "hex.yar"
  }
  condition: $re or $h
}
include	"b/c.yar"
)";
  CHECK(includeDirectives(text) == std::vector<std::string>{"a.yar", "b/c.yar"});
  CHECK(includeDirectives("includes \"x\"").empty());
  CHECK(includeDirectives("include\"x\"").empty());
  CHECK(includeDirectives("include \"unterminated").empty());
}

}  // namespace
}  // namespace xiaoan::sig
