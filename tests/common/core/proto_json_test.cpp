#include "common/proto_json.h"

#include <doctest/doctest.h>

#include "xiaoan/v1/common.pb.h"

namespace xiaoan {
namespace {

v1::ErrorInfo sample() {
  v1::ErrorInfo e;
  e.set_code("E_IO");
  return e;  // message left at its default: still printed
}

TEST_CASE("the stable printer indents and ends in a newline; the compact one is one line") {
  auto stable = toStableJson(sample());
  REQUIRE(stable.isOk());
  CHECK(*stable == "{\n \"code\": \"E_IO\",\n \"message\": \"\"\n}\n");
  auto compact = toCompactJson(sample());
  REQUIRE(compact.isOk());
  CHECK(*compact == R"({"code":"E_IO","message":""})");
}

TEST_CASE("parseStrictJson reads what the printers write and rejects unknown fields") {
  v1::ErrorInfo parsed;
  REQUIRE(parseStrictJson(*toCompactJson(sample()), &parsed).isOk());
  CHECK(parsed.code() == "E_IO");
  Status typo = parseStrictJson(R"({"cdoe": "E_IO"})", &parsed);
  CHECK(typo.code() == ErrorCode::kInvalidArgument);
  CHECK(typo.message().find("invalid JSON") == 0);
  CHECK(parseStrictJson("{not json", &parsed).code() == ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace xiaoan
