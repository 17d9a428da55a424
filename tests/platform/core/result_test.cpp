#include "platform/result.h"

#include <doctest/doctest.h>

namespace xiaoan {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) return Status(ErrorCode::kInvalidArgument, "odd");
  return v / 2;
}

Result<int> quarter(int v) {
  XIAOAN_ASSIGN_OR_RETURN(int h, half(v));
  return half(h);
}

}  // namespace

TEST_CASE("Result carries a value or a coded status") {
  CHECK(*quarter(8) == 2);
  auto r = quarter(6);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kInvalidArgument);
  CHECK(r.status().toString() == "E_INVALID_ARGUMENT: odd");
}

TEST_CASE("every error code has a stable name and both languages") {
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    auto code = static_cast<ErrorCode>(c);
    auto name = errorCodeName(code);
    CHECK_FALSE(name.empty());
    CHECK(errorCodeFromName(name) == code);
    CHECK_FALSE(errorCodeLine(code, Lang::kZhCn).empty());
    CHECK_FALSE(errorCodeLine(code, Lang::kEn).empty());
  }
  CHECK(errorCodeName(ErrorCode::kSpoolFull) == "E_SPOOL_FULL");
  CHECK(errorCodeName(ErrorCode::kTlsPinMismatch) == "E_TLS_PIN_MISMATCH");
}

}  // namespace xiaoan
