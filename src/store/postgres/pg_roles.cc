#include "store/postgres/pg_roles.h"

#include <string>
#include <vector>

#include "custodian/core/clock.h"

namespace custodian::store::internal {
namespace {

// The tables the server may only append to and read, and those it may only read.
constexpr const char* kAppendOnly[] = {"access_log", "access_log_checkpoints"};
constexpr const char* kReadOnly[] = {"schema_version", "server_roles"};

// A role name as PostgreSQL folds an unquoted identifier: lower case letters, digits, _.
bool IsPlainRoleName(std::string_view role) {
  if (role.empty() || role.size() > 63) return false;
  if (!(role[0] == '_' || (role[0] >= 'a' && role[0] <= 'z'))) return false;
  for (char c : role) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Why `role` (or the connection's own role, when `role` is empty) is not confined, or ""
// when it is. Each test runs in the catalog, bound by parameter.
Result<std::string> Unconfined(SqlDriver& d, const std::string& role) {
  const std::string who = role.empty() ? std::string("current_user") : std::string("?::name");
  auto params = [&](int n) {
    std::vector<SqlValue> p;
    if (!role.empty()) p.assign(size_t(n), SqlValue(role));
    return p;
  };
  CUSTODIAN_ASSIGN_OR_RETURN(auto super, d.Query("SELECT rolsuper FROM pg_roles WHERE rolname = " + who, params(1)));
  if (super.empty()) return Status::NotFound("no database role '", role, "'");
  if (AsString(super[0][0]) == "t") return std::string("is a superuser");
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto owned, d.Query("SELECT c.relname FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
                          "AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_has_role(" + who + ", c.relowner, 'MEMBER') "
                          "ORDER BY c.relname = 'access_log' DESC, c.relname LIMIT 1",
                          params(1)));
  if (!owned.empty()) return "owns table " + AsString(owned[0][0]) + " (or is a member of its owner's role)";
  CUSTODIAN_ASSIGN_OR_RETURN(auto create,
                             d.Query("SELECT has_schema_privilege(" + who + ", current_schema(), 'CREATE')", params(1)));
  if (!create.empty() && AsString(create[0][0]) == "t") return std::string("may create objects in the schema");
  for (const char* table : kAppendOnly) {
    for (const char* priv : {"UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"}) {
      CUSTODIAN_ASSIGN_OR_RETURN(
          auto may, d.Query("SELECT has_table_privilege(" + who + ", ?, ?)",
                            role.empty() ? std::vector<SqlValue>{std::string(table), std::string(priv)}
                                         : std::vector<SqlValue>{role, std::string(table), std::string(priv)}));
      if (!may.empty() && AsString(may[0][0]) == "t") return std::string("may ") + priv + " " + table;
    }
  }
  return std::string();
}

Status GrantIn(SqlDriver& d, const std::string& role) {
  // The name was checked to be a plain identifier and is quoted as one besides.
  const std::string r = "\"" + role + "\"";
  CUSTODIAN_ASSIGN_OR_RETURN(auto schema, d.Query("SELECT current_schema()", {}));
  if (schema.empty() || IsNull(schema[0][0])) return Status::Internal("postgresql: no current schema");
  std::string quoted_schema = "\"";
  for (char c : AsString(schema[0][0])) quoted_schema += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted_schema += "\"";
  std::string sql = "GRANT USAGE ON SCHEMA " + quoted_schema + " TO " + r + ";";
  sql += "REVOKE ALL ON ALL TABLES IN SCHEMA " + quoted_schema + " FROM " + r + ";";
  sql += "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + quoted_schema + " TO " + r + ";";
  for (const char* t : kAppendOnly) sql += std::string("REVOKE UPDATE, DELETE ON ") + t + " FROM " + r + ";";
  for (const char* t : kReadOnly) sql += std::string("REVOKE INSERT, UPDATE, DELETE ON ") + t + " FROM " + r + ";";
  sql += "GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + quoted_schema + " TO " + r + ";";
  sql += "GRANT EXECUTE ON FUNCTION custodian_ensure_read_partition(BIGINT), "
         "custodian_drop_empty_read_partition(BIGINT) TO " + r + ";";
  return d.ExecScript(sql);
}

template <typename Fn>
Status InTransaction(SqlDriver& d, Fn&& fn) {
  CUSTODIAN_RETURN_IF_ERROR(d.Begin());
  Status st = fn();
  if (!st.ok()) {
    (void)d.Rollback();
    return st;
  }
  return d.Commit();
}

}  // namespace

Status GrantServerRole(SqlDriver& owner, std::string_view role_view, const Clock& clock) {
  if (!IsPlainRoleName(role_view)) {
    return Status::InvalidArgument("a server role's name is 1-63 lower-case letters, digits and _, "
                                   "starting with a letter or _");
  }
  const std::string role(role_view);
  return InTransaction(owner, [&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto owns, owner.Query("SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c "
                               "WHERE c.oid = to_regclass('access_log')",
                               {}));
    if (owns.empty() || AsString(owns[0][0]) != "t") {
      return Status::PermissionDenied("granting a server role is for the schema's owner (or a superuser): "
                                      "connect as the role that ran the migrations");
    }
    CUSTODIAN_ASSIGN_OR_RETURN(std::string why, Unconfined(owner, role));
    if (!why.empty()) {
      return Status::InvalidArgument("role '", role, "' ", why,
                                     ": the server's role must not be able to alter the schema or rewrite the "
                                     "access log; give the server a role of its own (CREATE ROLE custodian_server LOGIN)");
    }
    CUSTODIAN_RETURN_IF_ERROR(GrantIn(owner, role));
    return owner
        .Query("INSERT INTO server_roles (name, granted_ms) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
               "granted_ms = excluded.granted_ms",
               {role, ToUnixMillis(clock.Now())})
        .status();
  });
}

Status RegrantServerRoles(SqlDriver& owner) {
  CUSTODIAN_ASSIGN_OR_RETURN(bool has, owner.HasTable("server_roles"));
  if (!has) return Status::Ok();
  return InTransaction(owner, [&]() -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto roles, owner.Query("SELECT s.name FROM server_roles s JOIN pg_roles r ON r.rolname = s.name ORDER BY 1", {}));
    for (const auto& row : roles) {
      const std::string role = AsString(row[0]);
      if (!IsPlainRoleName(role)) continue;  // only GrantServerRole writes the table, after this check
      CUSTODIAN_RETURN_IF_ERROR(GrantIn(owner, role));
    }
    return Status::Ok();
  });
}

Result<DatabaseRole> InspectConnectionRole(SqlDriver& driver) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto me, driver.Query("SELECT current_user", {}));
  DatabaseRole out{.backend = "postgresql", .name = me.empty() ? std::string() : AsString(me[0][0])};
  CUSTODIAN_ASSIGN_OR_RETURN(out.why, Unconfined(driver, ""));
  out.confined = out.why.empty();
  return out;
}

}  // namespace custodian::store::internal
