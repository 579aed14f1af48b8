// The records store conformance suite (read_store_test.h): Backend specifics checked through the same suite; The server's database role (issue 23, finding 2; PostgreSQL migration 13).
#include "store/read_store_test.h"

namespace custodian::store {
namespace {

TYPED_TEST_SUITE(ReadStoreTest, Backends);

// ---- Backend specifics checked through the same suite ----

// Reads are kept by UTC capture day on both backends: PostgreSQL partitions, SQLite a
// table per day (migration 9), each made by the first read of its day.
TYPED_TEST(ReadStoreTest, ReadsAreKeptByCaptureDay) {
  using std::chrono::days;
  using std::chrono::hours;
  const std::string first = TypeParam::DayTableName(2026, 1, 1), fourth = TypeParam::DayTableName(2026, 1, 4);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(first)), 0);
  this->Ingest(this->MakeRead("", "cam-a", "7ABC123", 0));
  ReadInput later = this->MakeRead("", "cam-a", "7ABC123", 0);
  this->clock_.Advance(days(3));
  later.captured_at = kT0 + days(3) + hours(23);
  int64_t id = this->Ingest(later);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(first)), 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(fourth)), 1);
  auto in_day = TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM " + fourth + " WHERE id = " + std::to_string(id));
  ASSERT_TRUE(in_day.ok()) << in_day.status().ToString();
  EXPECT_EQ(*in_day, 1);
  EXPECT_EQ(*TypeParam::QueryInt(this->url_, "SELECT COUNT(*) FROM " + first), 1);
  EXPECT_EQ(this->Plates({.match = PlateMatch::kExact, .plate = "7ABC123"}).size(), 2u);
  auto read = this->store_->GetRead(id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->captured_at, later.captured_at);
}

// A database server restart or a killed session: the call that finds the connection gone
// reports kUnavailable (retrying may help), and the next call reconnects.
TYPED_TEST(ReadStoreTest, LostServerConnectionIsUnavailableThenRecovers) {
  if (!TypeParam::kPartitioned) GTEST_SKIP() << "SQLite has no server connection";
  int64_t id = this->Ingest(this->MakeRead("before", "cam-a", "7ABC123", 0));
  auto killed = TypeParam::QueryInt(this->url_,
                                    "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  ASSERT_EQ(*killed, 1);
  auto first = this->store_->GetRead(id);
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().ToString();
  }
  auto again = this->store_->GetRead(id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto more = this->store_->IngestOne(this->MakeRead("after", "cam-a", "7ABC124", 1));
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_EQ(this->CountAll(), 2);
}


// ---- The server's database role (issue 23, finding 2; PostgreSQL migration 13) ----
// Every PostgreSQL test in this suite and the governance suites runs as the server's role
// (PostgresBackend::AsServer); these show what that role may not do. Before migration 13
// the server connected as the schema's owner: the owner's half of each test shows that the
// same statements go through there.

TYPED_TEST(ReadStoreTest, TheServersRoleMayNotAlterTheSchemaOrRewriteTheAccessLog) {
  if constexpr (!TypeParam::kPartitioned) {
    auto role = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    EXPECT_FALSE(role->confined);  // SQLite: whoever writes the file may do anything
    EXPECT_NE(role->why.find("no roles"), std::string::npos) << role->why;
    EXPECT_EQ(GrantServerRole(this->url_, "custodian_server").code(), StatusCode::kInvalidArgument);
  } else {
    // Reads of two days (each day's partition made through the owner's function) and a
    // log entry, as the server writes them.
    this->Ingest(this->MakeRead("a", "cam-a", "7ABC123", 0));
    this->Ingest(this->MakeRead("b", "cam-a", "7ABC124", 24 * 60));
    const std::string day = TypeParam::DayTableName(2026, 1, 1);
    EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(day)), 1);
    // The server's role appends to the log and reads it.
    EXPECT_EQ(TypeParam::ErrorAs(this->url_,
                                 "INSERT INTO access_log (seq, at_ms, username, agency_code, source, action, outcome, "
                                 "terms, purpose, case_number, records, detail, prev_hash, hash) VALUES (1, 0, 'u', "
                                 "'CITYPD', 'cli', 'search', 'allowed', '{}', 'p', '', 0, '', '', 'h'); "
                                 "SELECT COUNT(*) FROM access_log; SELECT COUNT(*) FROM access_log_checkpoints"),
              "");

    auto role = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(role.ok()) << role.status().ToString();
    EXPECT_EQ(role->name, "custodian_server");
    EXPECT_TRUE(role->confined) << role->why;
    auto owner = InspectDatabaseRole(TypeParam::OwnerUrl(this->url_));
    ASSERT_TRUE(owner.ok()) << owner.status().ToString();
    EXPECT_FALSE(owner->confined);

    // What an attacker holding the server's connection would try; each is refused by the
    // database's privileges (not only by the append-only triggers).
    const std::vector<std::string> refused = {
        "UPDATE access_log SET purpose = 'x'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
        "UPDATE access_log_checkpoints SET signature = 'x'",
        "DELETE FROM access_log_checkpoints",
        "TRUNCATE access_log_checkpoints",
        "ALTER TABLE access_log DISABLE TRIGGER access_log_append_only",
        "DROP TRIGGER access_log_append_only ON access_log",
        "DROP TABLE access_log",
        "ALTER TABLE access_log RENAME TO old_log",
        "CREATE TABLE access_log_copy (x INT)",
        "DROP TABLE " + day,
        "ALTER TABLE reads DETACH PARTITION " + day,
        "CREATE OR REPLACE FUNCTION custodian_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NULL; END $$",
        "ALTER FUNCTION custodian_drop_empty_read_partition(BIGINT) SECURITY INVOKER",
        "INSERT INTO schema_version (version, name, applied_ms) VALUES (99, 'x', 0)",
        "DELETE FROM schema_version",
        "INSERT INTO server_roles (name, granted_ms) VALUES ('intruder', 0)",
        "CREATE TRIGGER t BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION "
        "custodian_access_log_append_only()",
    };
    for (const std::string& sql : refused) {
      const std::string err = TypeParam::ErrorAs(this->url_, sql);
      EXPECT_TRUE(err.find("permission denied") != std::string::npos || err.find("must be owner") != std::string::npos)
          << sql << " -> " << (err.empty() ? "ran" : err);
      if (sql.starts_with("ALTER TABLE access_log DISABLE") || sql.starts_with("DROP TABLE " + day) ||
          sql.starts_with("CREATE TABLE")) {
        // The owner (the server's connection before migration 13) could.
        EXPECT_EQ(TypeParam::ErrorAs(TypeParam::OwnerUrl(this->url_), sql), "") << sql;
      }
    }
    // A GRANT from the server's role to itself gives nothing.
    (void)TypeParam::ErrorAs(this->url_, "GRANT UPDATE, DELETE ON access_log TO custodian_server");
    EXPECT_EQ(*TypeParam::QueryInt(this->url_,
                                   "SELECT COUNT(*) FROM information_schema.role_table_grants WHERE grantee = "
                                   "'custodian_server' AND table_name IN ('access_log', 'access_log_checkpoints') "
                                   "AND privilege_type NOT IN ('SELECT', 'INSERT')"),
              0);
    // The owner's functions: an occupied day is not dropped; nor is a table that is not a
    // partition of reads; a day out of range is an error; a temporary table named reads
    // does not stand in for the real one.
    EXPECT_EQ(TypeParam::ErrorAs(this->url_, "SELECT custodian_drop_empty_read_partition(20454)"), "");
    EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql(day)), 1);
    EXPECT_NE(TypeParam::ErrorAs(this->url_, "SELECT custodian_ensure_read_partition(99999999)").find("outside"),
              std::string::npos);
    {
      pqxx::connection c(this->url_);
      pqxx::work tx(c);
      tx.exec("CREATE TEMP TABLE reads (x INT); CREATE TEMP TABLE reads_p20300101 (x INT)");
      EXPECT_FALSE(tx.exec1("SELECT custodian_drop_empty_read_partition(21915)")[0].as<bool>());  // not a partition
      tx.exec("SELECT custodian_ensure_read_partition(21915)");  // 2030-01-01, of the real reads
      tx.commit();
    }
    EXPECT_EQ(*TypeParam::QueryInt(this->url_,
                                   "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'public.reads'::regclass AND "
                                   "inhrelid = 'public.reads_p20300101'::regclass"),
              1);
    {
      pqxx::connection c(this->url_);
      pqxx::work tx(c);
      tx.exec("CREATE TEMP TABLE reads (x INT)");
      EXPECT_TRUE(tx.exec1("SELECT custodian_drop_empty_read_partition(21915)")[0].as<bool>());
      tx.commit();
    }
    EXPECT_EQ(*TypeParam::QueryInt(this->url_, TypeParam::TableCountSql("reads_p20300101")), 0);  // empty: dropped
  }
}

TYPED_TEST(ReadStoreTest, OnlyAConfinedRoleIsGrantedTheServersPrivilegesAndLaterMigrationsGrantItToo) {
  if constexpr (!TypeParam::kPartitioned) {
    GTEST_SKIP() << "SQLite has no database roles";
  } else {
    const std::string owner = TypeParam::OwnerUrl(this->url_);
    EXPECT_EQ(GrantServerRole(owner, "custodian_server; DROP TABLE reads").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(GrantServerRole(owner, "\"Quoted\"").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(GrantServerRole(owner, "no_such_role_here").code(), StatusCode::kNotFound);
    // The server's role cannot grant itself anything (nor record a role).
    EXPECT_EQ(GrantServerRole(this->url_, "custodian_server").code(), StatusCode::kPermissionDenied);
    // The owner itself (the test cluster's superuser) is refused.
    auto me = InspectDatabaseRole(owner);
    ASSERT_TRUE(me.ok());
    Status as_owner = GrantServerRole(owner, me->name);
    EXPECT_EQ(as_owner.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(as_owner.message().find("superuser"), std::string::npos) << as_owner.ToString();
    // A role that may create in the schema, or that is a member of the owner's role.
    const std::string creator = "ct_creator_" + std::to_string(::getpid());
    ASSERT_TRUE(TypeParam::Exec(owner, "DROP ROLE IF EXISTS " + creator + "; CREATE ROLE " + creator +
                                           " LOGIN; GRANT CREATE ON SCHEMA public TO " + creator)
                    .ok());
    Status creates = GrantServerRole(owner, creator);
    EXPECT_EQ(creates.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(creates.message().find("may create"), std::string::npos) << creates.ToString();
    ASSERT_TRUE(TypeParam::Exec(owner, "REVOKE CREATE ON SCHEMA public FROM " + creator + "; ALTER TABLE hotlists "
                                       "OWNER TO " + creator)
                    .ok());
    Status owns = GrantServerRole(owner, creator);
    EXPECT_EQ(owns.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(owns.message().find("owns table hotlists"), std::string::npos) << owns.ToString();
    ASSERT_TRUE(TypeParam::Exec(owner, "ALTER TABLE hotlists OWNER TO CURRENT_USER; DROP ROLE " + creator).ok());
    // The way around the grants: a role given UPDATE on the log and made a member of the
    // server's role's group passes its privilege on; the server's URL is then unconfined
    // (serve refuses it) and granting it is refused.
    const std::string writer = "ct_writer_" + std::to_string(::getpid());
    ASSERT_TRUE(TypeParam::Exec(owner, "DROP ROLE IF EXISTS " + writer + "; CREATE ROLE " + writer +
                                           "; GRANT UPDATE ON access_log TO " + writer + "; GRANT " + writer +
                                           " TO custodian_server")
                    .ok());
    auto inherited = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(inherited.ok()) << inherited.status().ToString();
    EXPECT_FALSE(inherited->confined);
    EXPECT_NE(inherited->why.find("may UPDATE access_log"), std::string::npos) << inherited->why;
    EXPECT_EQ(GrantServerRole(owner, "custodian_server").code(), StatusCode::kInvalidArgument);
    ASSERT_TRUE(TypeParam::Exec(owner, "REVOKE " + writer + " FROM custodian_server; REVOKE ALL ON access_log FROM " +
                                           writer + "; DROP ROLE " + writer)
                    .ok());
    auto back = InspectDatabaseRole(this->url_);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->confined) << back->why;

    // A migration that adds a table: `db migrate` grants it to the recorded server role.
    // (Simulated: migration 13 taken back and the server's grant on hotlists revoked.)
    this->store_.reset();
    ASSERT_TRUE(TypeParam::Exec(owner, "REVOKE ALL ON hotlists FROM custodian_server; "
                                       "DELETE FROM schema_version WHERE version = 13")
                    .ok());
    EXPECT_NE(TypeParam::ErrorAs(this->url_, "SELECT COUNT(*) FROM hotlists").find("permission denied"),
              std::string::npos);
    auto opened = this->Open();  // the server's role cannot migrate
    ASSERT_FALSE(opened.ok());
    auto migrated = MigrateDatabase(owner);
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    EXPECT_EQ(TypeParam::ErrorAs(this->url_, "SELECT COUNT(*) FROM hotlists"), "");
    auto again = this->Open();
    ASSERT_TRUE(again.ok()) << again.status().ToString();
  }
}

}  // namespace
}  // namespace custodian::store
