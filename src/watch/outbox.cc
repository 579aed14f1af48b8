// The outbox (see outbox.h): one SQLite table, WAL with synchronous=FULL so a read is on
// disk when Put returns; each read kept in the one JSON shape of a read sent to a server
// (store::ReadInputToJson), images base64.
#include "custodian/watch/outbox.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "custodian/store/read_json.h"

namespace custodian::watch {

namespace {

// One prepared statement, finalised when it goes.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == SQLITE_OK; }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

}  // namespace

struct Outbox::Impl {
  OutboxOptions options;
  sqlite3* db = nullptr;
  std::mutex mu;          // the connection and the figures below
  std::mutex deliver_mu;  // one Deliver at a time (Put goes on while a batch is being sent)
  int64_t count = 0;
  int failures = 0;
  std::optional<TimePoint> next_try;

  ~Impl() { sqlite3_close_v2(db); }

  Status Error(const std::string& what) const {
    return Status::Unavailable("outbox ", options.file.string(), ": ", what, ": ", sqlite3_errmsg(db));
  }
  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Status::Unavailable("outbox ", options.file.string(), ": ", msg);
    }
    return Status::Ok();
  }
};

Outbox::Outbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Outbox::~Outbox() = default;

Result<std::unique_ptr<Outbox>> Outbox::Open(const OutboxOptions& options) {
  if (options.clock == nullptr) return Status::InvalidArgument("the outbox needs a clock");
  if (options.file.empty()) return Status::InvalidArgument("the outbox needs a file");
  if (options.max_reads <= 0) return Status::InvalidArgument("the outbox's max_reads must be positive");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::error_code ec;
  if (options.file.has_parent_path()) std::filesystem::create_directories(options.file.parent_path(), ec);
  if (sqlite3_open_v2(options.file.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    return impl->Error("cannot open");
  }
  sqlite3_busy_timeout(impl->db, 5000);
  CUSTODIAN_RETURN_IF_ERROR(impl->Exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
      "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, "
      "camera_id TEXT NOT NULL, body TEXT NOT NULL, queued_ms INTEGER NOT NULL, UNIQUE (event_id, camera_id))"));
  Stmt count(impl->db, "SELECT COUNT(*) FROM outbox");
  if (!count.ok() || sqlite3_step(count.get()) != SQLITE_ROW) return impl->Error("cannot count");
  impl->count = sqlite3_column_int64(count.get(), 0);
  return std::unique_ptr<Outbox>(new Outbox(std::move(impl)));
}

Status Outbox::Put(const store::ReadInput& read) {
  if (read.event_id.empty()) return Status::InvalidArgument("a read for the outbox needs an event id");
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.count >= m.options.max_reads) {
    return Status::Unavailable("outbox ", m.options.file.string(), " is full (", m.count,
                               " reads): nothing is delivered; check the destination");
  }
  const std::string body = store::ReadInputToJson(read).dump();
  Stmt ins(m.db, "INSERT OR IGNORE INTO outbox (event_id, camera_id, body, queued_ms) VALUES (?, ?, ?, ?)");
  if (!ins.ok()) return m.Error("cannot queue");
  sqlite3_bind_text(ins.get(), 1, read.event_id.data(), int(read.event_id.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(ins.get(), 2, read.camera_id.data(), int(read.camera_id.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(ins.get(), 3, body.data(), int(body.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(ins.get(), 4, ToUnixMillis(m.options.clock->Now()));
  if (sqlite3_step(ins.get()) != SQLITE_DONE) return m.Error("cannot queue");
  m.count += sqlite3_changes(m.db);
  return Status::Ok();
}

Result<int64_t> Outbox::Deliver(const Send& send, int batch, int max_batches) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> one(m.deliver_mu);
  std::unique_lock<std::mutex> lock(m.mu);
  if (m.next_try && m.options.clock->Now() < *m.next_try) return int64_t{0};
  int64_t delivered = 0;
  for (int b = 0; b < max_batches; ++b) {
    std::vector<int64_t> seqs;
    std::vector<store::ReadInput> reads;
    {
      Stmt sel(m.db, "SELECT seq, body FROM outbox ORDER BY seq LIMIT ?");
      if (!sel.ok()) return m.Error("cannot read");
      sqlite3_bind_int(sel.get(), 1, std::max(1, batch));
      int rc;
      while ((rc = sqlite3_step(sel.get())) == SQLITE_ROW) {
        const int64_t seq = sqlite3_column_int64(sel.get(), 0);
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(sel.get(), 1));
        auto parsed = nlohmann::json::parse(text ? text : "", nullptr, false);
        auto read = store::ReadFromJson(parsed);
        if (!read.ok()) {
          return Status::Internal("outbox ", m.options.file.string(), ": queued read ", seq,
                                  " cannot be read back: ", read.status().message());
        }
        seqs.push_back(seq);
        reads.push_back(std::move(*read));
      }
      if (rc != SQLITE_DONE) return m.Error("cannot read");
    }
    if (reads.empty()) break;
    lock.unlock();
    Status sent = send(reads);
    lock.lock();
    if (!sent.ok()) {
      ++m.failures;
      auto wait = m.options.first_retry;
      for (int i = 1; i < m.failures && wait < m.options.max_retry; ++i) wait *= 2;
      m.next_try = m.options.clock->Now() + std::min(wait, m.options.max_retry);
      return delivered;
    }
    m.failures = 0;
    m.next_try.reset();
    Stmt del(m.db, "DELETE FROM outbox WHERE seq <= ? AND seq >= ?");
    if (!del.ok()) return m.Error("cannot remove delivered reads");
    sqlite3_bind_int64(del.get(), 1, seqs.back());
    sqlite3_bind_int64(del.get(), 2, seqs.front());
    if (sqlite3_step(del.get()) != SQLITE_DONE) return m.Error("cannot remove delivered reads");
    m.count -= sqlite3_changes(m.db);
    delivered += int64_t(reads.size());
  }
  return delivered;
}

OutboxFigures Outbox::figures() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  OutboxFigures f;
  f.reads = m.count;
  f.failures_in_a_row = m.failures;
  f.next_try = m.next_try;
  Stmt oldest(m.db, "SELECT MIN(queued_ms) FROM outbox");
  if (oldest.ok() && sqlite3_step(oldest.get()) == SQLITE_ROW && sqlite3_column_type(oldest.get(), 0) != SQLITE_NULL) {
    f.oldest = FromUnixMillis(sqlite3_column_int64(oldest.get(), 0));
  }
  return f;
}

bool Outbox::near_full() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  return double(m.count) >= m.options.warn_share * double(m.options.max_reads);
}

}  // namespace custodian::watch
