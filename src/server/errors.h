// Error mapping: a Status to its HTTP status and to the message a client may see. Internal.
#pragma once

#include <string>

#include "custodian/core/status.h"

namespace custodian::server::internal {

// kInvalidArgument 400, kUnauthenticated 401, kPermissionDenied 403, kNotFound 404,
// kUnavailable 503, kInternal (and anything else) 500.
int HttpStatusOf(StatusCode code);

// Messages go to the client as they are, except those that could carry database text.
std::string SafeMessage(const Status& st);

}  // namespace custodian::server::internal
