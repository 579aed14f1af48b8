// The PostgreSQL driver (libpqxx): one connection; reads partitioned by capture day, with
// partitions created on demand. Internal.
#pragma once

#include <memory>
#include <string>

#include "store/sql_driver.h"

namespace custodian::store::internal {

// Connects to `url` (a libpq URI). kUnavailable when the server cannot be reached.
Result<std::unique_ptr<SqlDriver>> OpenPostgresDriver(const std::string& url);

// "reads_p20261128": the partition of reads captured on UTC day `day` (days since epoch).
std::string ReadPartitionName(int64_t day);

}  // namespace custodian::store::internal
