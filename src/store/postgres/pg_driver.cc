#include "store/postgres/pg_driver.h"
#include "store/postgres/pg_roles.h"

#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>
#include <set>
#include <unordered_map>

namespace custodian::store::internal {
namespace {

constexpr int64_t kMigrationLockKey = 0x637573746f6431;   // "custod1"

// Converts a libpqxx exception to a Status. SQLSTATE class 08 (connection) and 40
// (serialisation, deadlock) may succeed on retry; 22 and 23 are bad data.
// libpq messages end in newlines and tabs; a Status is one line.
std::string OneLine(const char* what) {
  std::string s(what);
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

Status FromException(const std::exception& e) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state.starts_with("08") || state.starts_with("40") || state.starts_with("53") || state.starts_with("57")) {
      return Status::Unavailable("postgresql: ", OneLine(e.what()));
    }
    if (state.starts_with("22") || state.starts_with("23")) return Status::InvalidArgument("postgresql: ", OneLine(e.what()));
    return Status::Internal("postgresql: ", OneLine(e.what()));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return Status::Unavailable("postgresql: ", OneLine(e.what()));
  return Status::Internal("postgresql: ", OneLine(e.what()));
}

// Rewrites '?' placeholders as $1, $2 ... (the store's SQL holds no '?' in literals).
std::string Numbered(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_quote = false;
  for (char c : sql) {
    if (c == '\'') in_quote = !in_quote;
    if (c == '?' && !in_quote) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string ParamText(const SqlValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  return std::get<std::string>(v);
}

// Whether `e` means the session is gone (server restart, terminated backend, network).
bool IsConnectionLoss(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    return sql->sqlstate().starts_with("08") || sql->sqlstate().starts_with("57P");
  }
  return false;
}

Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& url) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    pqxx::nontransaction tx(*conn);
    tx.exec("SET TIME ZONE 'UTC'; SET synchronous_commit = on;");
    return conn;
  } catch (const std::exception& e) {
    return Status::Unavailable("postgresql: cannot connect: ", OneLine(e.what()));
  }
}

class PgDriver final : public SqlDriver {
 public:
  PgDriver(std::string url, std::unique_ptr<pqxx::connection> conn) : url_(std::move(url)), conn_(std::move(conn)) {}
  ~PgDriver() override { txn_.reset(); }

  std::span<const Migration> migrations() const override { return PostgresMigrations(); }

  // Reconnects first when the last call found the session gone.
  Status Begin() override {
    txn_.reset();
    if (broken_ || !conn_->is_open()) {
      prepared_.clear();  // prepared statements die with their session
      CUSTODIAN_ASSIGN_OR_RETURN(conn_, Connect(url_));
      broken_ = false;
    }
    try {
      txn_ = std::make_unique<pqxx::work>(*conn_);
      return Status::Ok();
    } catch (const std::exception& e) {
      return Fail(e);
    }
  }

  Status Commit() override {
    if (!txn_) return Status::Internal("postgresql: commit without a transaction");
    try {
      txn_->commit();
      txn_.reset();
      return Status::Ok();
    } catch (const std::exception& e) {
      txn_.reset();
      return Fail(e);
    }
  }

  Status Rollback() override {
    try {
      if (txn_) txn_->abort();
      txn_.reset();
      return Status::Ok();
    } catch (const std::exception& e) {
      txn_.reset();
      return Fail(e);
    }
  }

  Status ExecScript(const std::string& sql) override {
    try {
      if (txn_) {
        txn_->exec(sql);
      } else {
        pqxx::nontransaction tx(*conn_);
        tx.exec(sql);
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return Fail(e);
    }
  }

  // Outside a transaction, the statement runs in one of its own.
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    if (!txn_) {
      CUSTODIAN_RETURN_IF_ERROR(Begin());
      auto rows = QueryInTransaction(sql, params);
      if (!rows.ok()) {
        (void)Rollback();
        return rows;
      }
      CUSTODIAN_RETURN_IF_ERROR(Commit());
      return rows;
    }
    return QueryInTransaction(sql, params);
  }

  Result<std::vector<SqlRow>> QueryInTransaction(const std::string& sql, const std::vector<SqlValue>& params) {
    try {
      const std::string* name = StatementName(sql);
      std::vector<std::string> texts;
      texts.reserve(params.size());
      std::vector<const char*> ptrs;
      ptrs.reserve(params.size());
      for (const auto& p : params) texts.push_back(IsNull(p) ? std::string() : ParamText(p));
      for (size_t i = 0; i < params.size(); ++i) ptrs.push_back(IsNull(params[i]) ? nullptr : texts[i].c_str());
      pqxx::result res = name != nullptr
                             ? txn_->exec_prepared(*name, pqxx::prepare::make_dynamic_params(ptrs))
                             : txn_->exec_params(Numbered(sql), pqxx::prepare::make_dynamic_params(ptrs));
      std::vector<SqlRow> rows;
      rows.reserve(res.size());
      for (const auto& r : res) {
        SqlRow row(r.size());
        for (size_t c = 0; c < r.size(); ++c) {
          if (!r[int(c)].is_null()) row[c] = std::string(r[int(c)].c_str(), r[int(c)].size());
        }
        rows.push_back(std::move(row));
      }
      return rows;
    } catch (const std::exception& e) {
      return Fail(e);
    }
  }

  Result<bool> HasTable(const std::string& name) override {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, Query("SELECT to_regclass(?) IS NOT NULL", {name}));
    return !rows.empty() && AsString(rows[0][0]) == "t";
  }

  Status LockForMigration() override { return Lock(kMigrationLockKey); }
  Status Lock(int64_t key) override { return Query("SELECT pg_advisory_xact_lock(?)", {key}).status(); }

  Result<DatabaseRole> InspectRole() override { return InspectConnectionRole(*this); }
  Status GrantServerRole(std::string_view role, const Clock& clock) override {
    return internal::GrantServerRole(*this, role, clock);
  }
  Status RegrantServerRoles() override { return internal::RegrantServerRoles(*this); }

 private:
  // The prepared statement for `sql`, prepared on first use; nullptr once the cache is
  // full (searches come in many shapes), and the statement then runs unprepared.
  const std::string* StatementName(const std::string& sql) {
    auto it = prepared_.find(sql);
    if (it != prepared_.end()) return &it->second;
    if (prepared_.size() >= kMaxPrepared) return nullptr;
    std::string name("s");
    name += std::to_string(++statement_counter_);
    conn_->prepare(name, Numbered(sql));
    return &prepared_.emplace(sql, std::move(name)).first->second;
  }

  static constexpr size_t kMaxPrepared = 512;
  // The Status for `e`; remembers a lost session so the next Begin reconnects.
  Status Fail(const std::exception& e) {
    if (IsConnectionLoss(e)) broken_ = true;
    return FromException(e);
  }

  std::string url_;
  bool broken_ = false;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> txn_;
  std::unordered_map<std::string, std::string> prepared_;
  uint64_t statement_counter_ = 0;
};

}  // namespace

Result<std::unique_ptr<SqlDriver>> OpenPostgresDriver(const std::string& url) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto conn, Connect(url));
  return std::unique_ptr<SqlDriver>(std::make_unique<PgDriver>(url, std::move(conn)));
}

}  // namespace custodian::store::internal
