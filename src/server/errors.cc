// Error mapping: a Status to its HTTP status and to the message a client may see.
#include "server/errors.h"

namespace custodian::server::internal {

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

// Messages go to the client as they are, except those that could carry database text.
std::string SafeMessage(const Status& st) {
  if (st.code() == StatusCode::kInternal) return "internal error; the operator's log has the details";
  static const char* kLeaky[] = {"SELECT", "INSERT", "UPDATE ", "DELETE", "sqlite", "SQLITE", "pqxx", "syntax", "SQL"};
  for (const char* w : kLeaky) {
    if (st.message().find(w) != std::string::npos) {
      return st.code() == StatusCode::kUnavailable ? "the database is unavailable; try again shortly"
                                                   : "the request could not be processed";
    }
  }
  return st.message();
}

}  // namespace custodian::server::internal
