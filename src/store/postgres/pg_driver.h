// The PostgreSQL driver (libpqxx): one connection. Internal.
#pragma once

#include <memory>
#include <string>

#include "store/sql_driver.h"

namespace custodian::store::internal {

// Connects to `url` (a libpq URI). kUnavailable when the server cannot be reached.
Result<std::unique_ptr<SqlDriver>> OpenPostgresDriver(const std::string& url);


}  // namespace custodian::store::internal
