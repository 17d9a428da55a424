#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "platform/error_code.h"

namespace xiaoan {

// The one error type. Library errors (errno, CURLcode, OpenSSL, sqlite, Boost) are
// converted into it at the wrapper; no exception crosses a module boundary.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, int sys_errno = 0)
      : code_(code), message_(std::move(message)), sys_errno_(sys_errno) {}

  static Status ok() { return {}; }

  bool isOk() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return isOk(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  int sysErrno() const { return sys_errno_; }

  // "E_IO: open /x: No such file or directory"
  std::string toString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  int sys_errno_ = 0;
};

// Status from the current errno, "what: strerror".
Status errnoStatus(ErrorCode code, const std::string& what);
Status errnoStatus(ErrorCode code, const std::string& what, int err);

// A value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).isOk());
  }

  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Status& status() const {
    static const Status kOkStatus;
    return isOk() ? kOkStatus : std::get<Status>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace xiaoan

// Propagate a non-OK Status from an expression returning Status.
#define XIAOAN_RETURN_IF_ERROR(expr)           \
  do {                                         \
    ::xiaoan::Status xiaoan_st_ = (expr);      \
    if (!xiaoan_st_.isOk()) return xiaoan_st_; \
  } while (0)

#define XIAOAN_CONCAT_INNER(a, b) a##b
#define XIAOAN_CONCAT(a, b) XIAOAN_CONCAT_INNER(a, b)

// XIAOAN_ASSIGN_OR_RETURN(auto x, makeX()); binds the value or returns the Status.
#define XIAOAN_ASSIGN_OR_RETURN(lhs, expr) \
  XIAOAN_ASSIGN_OR_RETURN_IMPL(XIAOAN_CONCAT(xiaoan_res_, __LINE__), lhs, expr)
#define XIAOAN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.isOk()) return tmp.status();              \
  lhs = std::move(tmp).value()
