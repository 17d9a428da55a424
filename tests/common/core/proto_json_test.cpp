#include "common/proto_json.h"

#include <doctest/doctest.h>
#include <google/protobuf/struct.pb.h>

#include <chrono>

#include "common/text/utf8.h"
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

TEST_CASE("checkJsonDepth counts objects and arrays outside strings, escapes included") {
  CHECK(checkJsonDepth(std::string(32, '[') + std::string(32, ']')).isOk());
  Status deep = checkJsonDepth(std::string(33, '[') + std::string(33, ']'));
  CHECK(deep.code() == ErrorCode::kTooLarge);
  CHECK(deep.message() == "JSON nests deeper than 32 levels");
  CHECK(checkJsonDepth(R"({"a":{"b":[1,{"c":[]}]}})", 5).isOk());
  CHECK_FALSE(checkJsonDepth(R"({"a":{"b":[1,{"c":[]}]}})", 4).isOk());
  // Brackets in strings do not count, nor does an escaped quote end the string.
  CHECK(checkJsonDepth(R"({"k":"[[[[{{{{","e":"\"[[[[\\"})", 1).isOk());
  CHECK_FALSE(checkJsonDepth(R"({"e":"\\",[[]]})", 2).isOk());
  // Closing more than was opened does not give credit for later opens.
  CHECK_FALSE(checkJsonDepth("]]]]" + std::string(3, '['), 2).isOk());
}

TEST_CASE("issue 10 #8: 32 000 levels are refused before protobuf's parser sees them") {
  const std::string deep =
      R"({"policy":)" + std::string(32'000, '[') + std::string(32'000, ']') + "}";
  google::protobuf::Value v;
  auto t0 = std::chrono::steady_clock::now();
  Status st = parseStrictJson(deep, &v);  // the parser alone takes minutes on this
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
  CHECK(st.code() == ErrorCode::kTooLarge);
}

TEST_CASE("issue 10 #11: parse errors never quote the input's bytes") {
  v1::ErrorInfo parsed;
  Status st = parseStrictJson("{\"code\":\"E\xff\x1b[31m\xe2\x80\xae\"}", &parsed);
  CHECK(st.code() == ErrorCode::kInvalidArgument);
  CHECK(st.message().find('\n') == std::string::npos);
  CHECK(st.message().find('\x1b') == std::string::npos);
  CHECK(st.message().find("\xff") == std::string::npos);
  CHECK(isWellFormedUtf8(st.message()));
  CHECK(jsonErrorReason("Unexpected token.\n{\"a\": \x1b\xff\n   ^") == "Unexpected token.");
}

TEST_CASE("sanitizeStringFields makes every string of a message safe, nested and repeated") {
  google::protobuf::Struct s;
  (*s.mutable_fields())["k"].set_string_value(std::string("a\xff\x1b\xe2\x80\xae\x00z", 8));
  auto* list = (*s.mutable_fields())["l"].mutable_list_value();
  list->add_values()->set_string_value("\xc3");
  list->add_values()->set_string_value("好");
  sanitizeStringFields(&s);
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  CHECK(s.fields().at("k").string_value() == "a" + r + r + r + r + "z");
  CHECK(s.fields().at("l").list_value().values(0).string_value() == r);
  CHECK(s.fields().at("l").list_value().values(1).string_value() == "好");
}

}  // namespace
}  // namespace xiaoan
