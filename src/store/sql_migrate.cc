// Schema versions and migrations, both backends.
#include "store/sql_common.h"
#include "store/postgres/pg_roles.h"


#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "custodian/store/plate_key.h"

namespace custodian::store::internal {
Result<int> SchemaVersionOf(SqlDriver& driver) {
  CUSTODIAN_ASSIGN_OR_RETURN(bool has, driver.HasTable("schema_version"));
  if (!has) return 0;
  CUSTODIAN_ASSIGN_OR_RETURN(auto rows, driver.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {}));
  return rows.empty() ? 0 : int(AsInt(rows[0][0]));
}

Status MigrateSchema(SqlDriver& driver, bool apply, const Clock& clock, std::string_view backend) {
  auto migrations = driver.migrations();
  const int latest = int(migrations.size());
  CUSTODIAN_ASSIGN_OR_RETURN(int current, SchemaVersionOf(driver));
  if (current > latest) {
    return Status::InvalidArgument("the ", backend, " database is at schema version ", current,
                                   ", newer than this binary knows (", latest,
                                   "); run a custodian release that knows it");
  }
  if (current == latest) return Status::Ok();
  if (!apply) {
    return Status::InvalidArgument("the ", backend, " database is at schema version ", current, ", older than ",
                                   latest, "; run `custodian db migrate --db URL` first");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    Status st = RunInTransaction(driver, [&]() -> Status {
      CUSTODIAN_RETURN_IF_ERROR(driver.LockForMigration());
      CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
          "applied_ms BIGINT NOT NULL)"));
      CUSTODIAN_ASSIGN_OR_RETURN(int now_at, SchemaVersionOf(driver));
      if (now_at >= m.version) return Status::Ok();  // another process applied it meanwhile
      CUSTODIAN_RETURN_IF_ERROR(driver.ExecScript(m.sql));
      return driver
          .Query("INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)",
                 {int64_t(m.version), std::string(m.name), ToUnixMillis(clock.Now())})
          .status();
    });
    if (!st.ok()) {
      return Status(st.code(), "migration " + std::to_string(m.version) + " (" + m.name + "): " + st.message());
    }
  }
  // The tables these migrations added, granted to the server's role (PostgreSQL).
  return driver.RegrantServerRoles();
}

}  // namespace custodian::store::internal
