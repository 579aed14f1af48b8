// The PostgreSQL server role (migration 13): what the server's role may do, granted by the
// schema's owner, and whether a connection's role is so confined. Internal.
#pragma once

#include <string_view>

#include "custodian/store/read_store.h"
#include "store/sql_driver.h"

namespace custodian::store::internal {

// Grants `role` the server's privileges on the schema `owner` connects to (migrated: the
// caller checks the schema version) and records it in
// server_roles (see migrations/postgres/0013_server_role.sql). Checks first that the role
// exists and is confined: not a superuser, not the owner (nor a member of the owner's role)
// of a table in the schema, and without CREATE on the schema.
Status GrantServerRole(SqlDriver& owner, std::string_view role, const Clock& clock);

// Grants again every role in server_roles (after migrations that added tables). A role
// since dropped is skipped.
Status RegrantServerRoles(SqlDriver& owner);

// The role `driver` connects as, and what it may do beyond the server's grants.
Result<DatabaseRole> InspectConnectionRole(SqlDriver& driver);

}  // namespace custodian::store::internal
