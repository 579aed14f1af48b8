// SqlReadStore::Transact: a transaction for the layers above the store.
#include "store/sql_read_store.h"

namespace custodian::store::internal {
Status SqlReadStore::Transact(const std::function<Status(Txn&)>& fn) {
  mu_.lock_priority();
  std::lock_guard lock(mu_, std::adopt_lock);
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
