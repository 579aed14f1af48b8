// The SQLite driver: one connection in WAL mode with synchronous=FULL. Internal.
#pragma once

#include <filesystem>
#include <memory>

#include "store/sql_driver.h"

struct sqlite3;

namespace custodian::store::internal {

// Opens `file`; creates it only when `create` is set (else kNotFound when absent). The
// connection's page cache is `cache_mib` (StoreOptions::cache_mib).
Result<std::unique_ptr<SqlDriver>> OpenSqliteDriver(const std::filesystem::path& file, bool create, int cache_mib);

// The connection under a driver OpenSqliteDriver made; nullptr for any other driver. For
// the store's own SQLite machinery (WalCheckpointer), which needs hooks SqlDriver lacks.
sqlite3* SqliteHandleOf(SqlDriver& driver);

}  // namespace custodian::store::internal
