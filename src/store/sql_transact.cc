// SqlReadStore::Transact: a transaction for the layers above the store.
#include "store/sql_read_store.h"

namespace custodian::store::internal {
namespace {

class DriverTxn final : public Txn {
 public:
  explicit DriverTxn(SqlDriver& driver) : driver_(driver) {}
  Dialect dialect() const override { return driver_.dialect(); }
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    return driver_.Query(sql, params);
  }
  Status Lock(int64_t key) override {
    if (driver_.dialect() != Dialect::kPostgres) return Status::Ok();
    return driver_.Query("SELECT pg_advisory_xact_lock(?)", {key}).status();
  }

 private:
  SqlDriver& driver_;
};

}  // namespace

Status SqlReadStore::Transact(const std::function<Status(Txn&)>& fn) {
  std::lock_guard lock(mu_);
  CUSTODIAN_RETURN_IF_ERROR(driver_->Begin());
  DriverTxn txn(*driver_);
  Status st = fn(txn);
  if (!st.ok()) {
    (void)driver_->Rollback();  // the original error is the one worth reporting
    return st;
  }
  return driver_->Commit();
}

}  // namespace custodian::store::internal
