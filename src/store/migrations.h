// Schema migrations compiled into the binary (generated from migrations/<backend>/ by
// cmake/EmbedMigrations.cmake). Internal to the store.
#pragma once

#include <span>

namespace custodian::store::internal {

struct Migration {
  int version;       // 1, 2, 3 ... without gaps
  const char* name;  // from the file name, e.g. "initial"
  const char* sql;   // one or more statements, applied in one transaction
};

std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

}  // namespace custodian::store::internal
