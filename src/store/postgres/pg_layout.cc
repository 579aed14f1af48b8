// PostgreSQL's ReadLayout: reads partitioned by capture day (partitions made and dropped
// through the owner's functions, migration 13), event ids in read_events, trigrams in
// plate_grams, a search as one statement.
#include <mutex>
#include <set>

#include "custodian/store/plate_key.h"
#include "store/read_layout.h"
#include "store/sql_common.h"
#include "store/sql_search.h"

namespace custodian::store::internal {
namespace {

// Deletes (gram, plate) rows of plate_grams by its primary key, 50 a statement: an OR of
// key equalities, which PostgreSQL answers from the key (bitmap OR), where a row-value IN
// list would scan. The last statement is padded by repeating a pair, so there is one
// statement shape.
Status DeleteGrams(SqlDriver& d, const std::vector<std::pair<std::string, std::string>>& grams) {
  constexpr size_t kPairs = 50;
  if (grams.empty()) return Status::Ok();
  std::string sql = "DELETE FROM plate_grams WHERE ";
  for (size_t i = 0; i < kPairs; ++i) sql += i ? " OR (gram = ? AND plate = ?)" : "(gram = ? AND plate = ?)";
  std::vector<SqlValue> params;
  for (size_t start = 0; start < grams.size(); start += kPairs) {
    params.clear();
    for (size_t i = 0; i < kPairs; ++i) {
      const auto& [g, p] = grams[start + i < grams.size() ? start + i : start];
      params.emplace_back(g);
      params.emplace_back(p);
    }
    CUSTODIAN_RETURN_IF_ERROR(d.Query(sql, params).status());
  }
  return Status::Ok();
}

// The row in reads (RETURNING its id) and, with an event id, its read_events row, unique
// per camera.
class PgReadWriter final : public ReadWriter {
 public:
  explicit PgReadWriter(SqlDriver& d) : d_(d) {}
  Result<int64_t> Insert(const std::vector<SqlValue>& values, int64_t captured_ms, const std::string& event_id,
                         const std::string& camera_id) override {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, d_.Query(std::string("INSERT INTO reads (") + kInsertColumns + ") VALUES " +
                                                       InList(values.size()) + " RETURNING id",
                                                   values));
    if (rows.empty()) return Status::Internal("insert of a read returned no id");
    const int64_t id = AsInt(rows[0][0]);
    if (!event_id.empty()) {
      CUSTODIAN_RETURN_IF_ERROR(
          d_.Query("INSERT INTO read_events (event_id, camera_id, read_id, captured_ms) VALUES (?, ?, ?, ?)",
                   {event_id, camera_id, id, captured_ms})
              .status());
    }
    return id;
  }
  Status Finish() override { return Status::Ok(); }

 private:
  SqlDriver& d_;
};

class PgLayout final : public ReadLayout {
 public:
  Status AfterMigrate(SqlDriver&) override { return Status::Ok(); }
  // Several servers may write at once (READ COMMITTED): no in-process cache of what another
  // may change is exact.
  bool OneWriterAtATime() const override { return false; }

  // ---- Ingest ----
  // The DDL goes through the owner's SECURITY DEFINER functions (PostgreSQL migration 13),
  // which serialise on an advisory lock: the server's role may create or drop a day's
  // partition of reads and nothing else.
  Status EnsureReadPartitions(SqlDriver& d, const std::vector<int64_t>& days) override {
    std::vector<int64_t> missing;
    {
      std::lock_guard lock(mu_);
      for (int64_t day : days) {
        if (!known_days_.count(day)) missing.push_back(day);
      }
    }
    if (missing.empty()) return Status::Ok();
    CUSTODIAN_RETURN_IF_ERROR(RunInTransaction(d, [&]() -> Status {
      for (int64_t day : missing) {
        CUSTODIAN_RETURN_IF_ERROR(d.Query("SELECT custodian_ensure_read_partition(?)", {day}).status());
      }
      return Status::Ok();
    }));
    std::lock_guard lock(mu_);
    known_days_.insert(missing.begin(), missing.end());
    return Status::Ok();
  }

  int64_t EventScope(int64_t) const override { return 0; }  // read_events: unique per camera

  Result<KnownEvents> FindStoredEvents(SqlDriver& d, std::span<const ReadInput> batch) override {
    std::set<std::string> seen;
    std::vector<std::string> event_ids;
    for (const ReadInput& r : batch) {
      if (!r.event_id.empty() && seen.insert(r.event_id).second) event_ids.push_back(r.event_id);
    }
    KnownEvents known;
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows,
        SelectIn(d, "SELECT event_id, camera_id, read_id FROM read_events WHERE event_id IN ", "", event_ids));
    for (const auto& row : rows) known[{0, AsString(row[0]), AsString(row[1])}] = AsInt(row[2]);
    return known;
  }

  std::unique_ptr<ReadWriter> NewReadWriter(SqlDriver& d) override { return std::make_unique<PgReadWriter>(d); }

  // ---- Where reads live ----
  // The read's columns joined from its partition (by id and capture time).
  const std::string& AlertSelectSql() const override {
    static const std::string sql = AlertSelect("r.plate, r.region, r.camera_id",
                                               " LEFT JOIN reads r ON r.id = a.read_id AND r.captured_ms = a.read_ms");
    return sql;
  }
  Status FillAlertReads(SqlDriver&, std::vector<SqlRow>&) override { return Status::Ok(); }
  // The capture time in the WHERE lets PostgreSQL touch only the read's partition.
  std::string ReadTableOfId(int64_t) const override { return "reads"; }

  // ---- The plate index: plates (with plates_by_rev) and plate_grams ----
  std::optional<int64_t> PlateDayOf(int64_t) const override { return std::nullopt; }

  Result<std::unordered_map<std::string, std::optional<int64_t>>> IndexedPlates(
      SqlDriver& d, const std::vector<std::string>& plates) override {
    std::unordered_map<std::string, std::optional<int64_t>> out;
    out.reserve(plates.size());
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, SelectIn(d, "SELECT plate FROM plates WHERE plate IN ", "", plates));
    for (const auto& row : rows) out[AsString(row[0])] = std::nullopt;
    return out;
  }

  Status IndexPlate(SqlDriver& d, const std::string& plate, std::optional<int64_t>, PendingTrigrams*) override {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto added, d.Query("INSERT INTO plates (plate, plate_rev, confusion_key) VALUES (?, ?, ?) ON CONFLICT (plate) "
                            "DO NOTHING RETURNING plate",
                            {plate, Reversed(plate), ConfusionKey(plate)}));
    if (added.empty()) return Status::Ok();
    const std::set<std::string> grams = Trigrams(plate);
    if (grams.empty()) return Status::Ok();
    // One statement for all of them (one shape per gram count, so few cached statements).
    std::string sql = "INSERT INTO plate_grams (gram, plate) VALUES ";
    std::vector<SqlValue> params;
    for (const auto& g : grams) {
      sql += params.empty() ? "(?, ?)" : ", (?, ?)";
      params.emplace_back(g);
      params.emplace_back(plate);
    }
    return d.Query(sql + " ON CONFLICT DO NOTHING", params).status();
  }
  Status FlushPlateIndex(SqlDriver&, PendingTrigrams&) override { return Status::Ok(); }
  Status LowerFirstDay(SqlDriver&, const std::string&, int64_t) override { return Status::Ok(); }

  // A statement per 100 plates and per 50 trigram rows, not a round trip per plate (which
  // was most of a purge). Deleted rows leave nothing to merge.
  Result<int64_t> UnindexUnusedPlates(SqlDriver& d, const std::vector<std::string>& plates, bool) override {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows,
                               SelectIn(d, "SELECT p.plate FROM plates p WHERE p.plate IN ",
                                        " AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.plate = p.plate)", plates));
    std::set<std::string> dead;
    for (const auto& row : rows) dead.insert(AsString(row[0]));
    if (dead.empty()) return int64_t{0};
    CUSTODIAN_RETURN_IF_ERROR(
        ForChunks(d, "DELETE FROM plates WHERE plate IN ", "", std::vector<SqlValue>(dead.begin(), dead.end()), {}));
    std::vector<std::pair<std::string, std::string>> grams;  // (gram, plate)
    for (const auto& plate : dead) {
      for (const auto& g : Trigrams(plate)) grams.emplace_back(g, plate);
    }
    CUSTODIAN_RETURN_IF_ERROR(DeleteGrams(d, grams));
    return int64_t(dead.size());
  }

  // In order of selectivity: a known prefix of 3+ characters (a range on reads_by_plate); a
  // known suffix of 3+ (a range on plates_by_rev, then the reads of those plates); a
  // literal run of 3+ anywhere (the plates holding its first trigram, then their reads); a
  // shorter prefix or suffix. With none, the other filters bound the scan. The LIKE pattern
  // then filters what the index yields.
  PlateTermSql WildcardSql(const std::string& term) const override {
    const size_t first = term.find_first_of("*?");
    const size_t last = term.find_last_of("*?");
    const size_t suffix_len = term.size() - 1 - last;
    const auto [run_start, run_len] = LongestLiteralRun(term);
    std::string pattern = term;  // LIKE: letters, digits, '%' and '_'
    for (char& c : pattern) c = c == '*' ? '%' : c == '?' ? '_' : c;
    auto suffix_range = [&] {
      const std::string suffix_rev = Reversed(term.substr(last + 1));
      return FromPlatesSql({"SELECT p.plate FROM plates p WHERE p.plate_rev >= ? AND p.plate_rev < ? AND p.plate "
                            "LIKE ?",
                            {suffix_rev, PrefixEnd(suffix_rev), pattern}},
                           "LIKE", pattern);
    };
    if (first >= 3) return PrefixRangeSql(term.substr(0, first), "LIKE", pattern);
    if (suffix_len >= 3) return suffix_range();
    if (run_len >= 3) {
      return FromPlatesSql({"SELECT g.plate FROM plate_grams g WHERE g.gram = ? AND g.plate LIKE ?",
                            {term.substr(run_start, 3), pattern}},
                           "LIKE", pattern);
    }
    if (first > 0) return PrefixRangeSql(term.substr(0, first), "LIKE", pattern);
    if (suffix_len > 0) return suffix_range();
    return PatternOnlySql("LIKE", pattern);
  }

  // ---- Search: one statement on reads ----
  Status InSnapshot(SqlDriver&, const std::function<Status()>& fn) override { return fn(); }
  Result<std::vector<SqlRow>> FindPage(SqlDriver& d, const SearchQuery&, const SearchPlan& plan,
                                       const std::vector<std::string>* plates) override {
    const SearchSql s = plates != nullptr ? plan.MergedPlates("reads", *plates) : plan.Page("reads");
    return d.Query(s.sql, s.params);
  }

  // ---- Purge ----
  // A partition goes once a purge has emptied it (DropEmptyReadPartitions), not whole.
  Result<std::optional<DroppedDay>> DropExpiredDay(SqlDriver&, int64_t) override { return std::optional<DroppedDay>(); }
  bool DropsWholeDays() const override { return false; }
  Result<std::vector<std::string>> PurgeTables(SqlDriver&, int64_t) override {
    return std::vector<std::string>{"reads"};
  }

  Result<int64_t> DeleteReads(SqlDriver& d, const std::vector<PurgedRead>& reads) override {
    if (reads.empty()) return int64_t{0};
    std::vector<SqlValue> ids, events, event_read_ids;
    int64_t oldest = reads.front().captured_ms, newest = oldest;
    for (const PurgedRead& r : reads) {
      ids.emplace_back(r.id);
      oldest = std::min(oldest, r.captured_ms);
      newest = std::max(newest, r.captured_ms);
      if (r.event_id) {
        events.emplace_back(*r.event_id);
        event_read_ids.emplace_back(r.id);
      }
    }
    // The capture-time bounds let PostgreSQL touch only the partitions involved.
    CUSTODIAN_RETURN_IF_ERROR(ForChunks(d, "DELETE FROM reads WHERE id IN ",
                                        " AND captured_ms >= ? AND captured_ms <= ?", ids, {oldest, newest}));
    // Another camera's read may share the event id: only the purged reads' rows go.
    for (size_t at = 0; at < events.size(); at += 500) {
      const size_t n = std::min<size_t>(500, events.size() - at);
      std::vector<SqlValue> params(events.begin() + std::ptrdiff_t(at), events.begin() + std::ptrdiff_t(at + n));
      params.insert(params.end(), event_read_ids.begin() + std::ptrdiff_t(at),
                    event_read_ids.begin() + std::ptrdiff_t(at + n));
      CUSTODIAN_RETURN_IF_ERROR(
          d.Query("DELETE FROM read_events WHERE event_id IN " + InList(n) + " AND read_id IN " + InList(n), params)
              .status());
    }
    return int64_t{0};
  }

  Result<int64_t> DropEmptyReadPartitions(SqlDriver& d, const std::vector<int64_t>& days) override {
    int64_t dropped = 0;
    for (int64_t day : days) {
      // One transaction each (a Query outside one makes its own): a drop waits for the
      // partition's readers, and holds nothing of the other days meanwhile.
      CUSTODIAN_ASSIGN_OR_RETURN(auto did, d.Query("SELECT custodian_drop_empty_read_partition(?)", {day}));
      // Forgotten whether dropped here or by another process: the next insert for this
      // day makes sure the partition exists again.
      {
        std::lock_guard lock(mu_);
        known_days_.erase(day);
      }
      if (!did.empty() && AsString(did[0][0]) == "t") ++dropped;
    }
    return dropped;
  }
  bool TidiesPlatesPerRun() const override { return false; }

 private:
  std::mutex mu_;
  std::set<int64_t> known_days_;  // days whose partition this store made sure of
};

}  // namespace

std::unique_ptr<ReadLayout> NewPostgresLayout() {
  return std::make_unique<PgLayout>();
}

}  // namespace custodian::store::internal
