// Status and Result<T>: errors as values between modules.
//
// Basic usage:
//   custodian::Result<int> ParsePort(std::string_view s);
//   auto port = ParsePort("8443");
//   if (!port.ok()) return port.status();          // propagate
//   Use(*port);
//
// An empty result never stands for an error: a function that can fail returns a
// Result, and callers must look at it ([[nodiscard]]).
#pragma once

#include <cassert>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace custodian {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (bad image, bad option)
  kNotFound,          // a named thing does not exist
  kPermissionDenied,  // policy refuses the action
  kUnavailable,       // a dependency is down (database, file system); retrying may help
  kInternal,          // a bug or an unexpected library failure
  kUnauthenticated,   // no valid session, wrong credentials, or the session ended
};

// Returns the stable lower-case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

// Thread-compatible value type. A default-constructed Status is OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  template <typename... Args>
  static Status InvalidArgument(const Args&... args) { return Make(StatusCode::kInvalidArgument, args...); }
  template <typename... Args>
  static Status NotFound(const Args&... args) { return Make(StatusCode::kNotFound, args...); }
  template <typename... Args>
  static Status PermissionDenied(const Args&... args) { return Make(StatusCode::kPermissionDenied, args...); }
  template <typename... Args>
  static Status Unavailable(const Args&... args) { return Make(StatusCode::kUnavailable, args...); }
  template <typename... Args>
  static Status Unauthenticated(const Args&... args) { return Make(StatusCode::kUnauthenticated, args...); }
  template <typename... Args>
  static Status Internal(const Args&... args) { return Make(StatusCode::kInternal, args...); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: image is empty"; "ok" for OK.
  std::string ToString() const;

 private:
  template <typename... Args>
  static Status Make(StatusCode code, const Args&... args) {
    std::ostringstream os;
    (os << ... << args);
    return Status(code, os.str());
  }

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status carries no value");
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: !ok() for a meaningful status; returns OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace custodian

#define CUSTODIAN_CONCAT_INNER(a, b) a##b
#define CUSTODIAN_CONCAT(a, b) CUSTODIAN_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
// (A unique name per use, so uses nested in lambdas do not shadow each other.)
#define CUSTODIAN_RETURN_IF_ERROR(expr) CUSTODIAN_RETURN_IF_ERROR_IMPL(CUSTODIAN_CONCAT(_st_, __COUNTER__), expr)
#define CUSTODIAN_RETURN_IF_ERROR_IMPL(st, expr) \
  do {                                           \
    ::custodian::Status st = (expr);             \
    if (!st.ok()) return st;                     \
  } while (0)

// `lhs = value of expr` (a Result), or returns its status from the enclosing function.
#define CUSTODIAN_ASSIGN_OR_RETURN(lhs, expr) \
  CUSTODIAN_ASSIGN_OR_RETURN_IMPL(CUSTODIAN_CONCAT(_res_, __LINE__), lhs, expr)
#define CUSTODIAN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
