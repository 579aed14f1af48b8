// SQLite's plate index: a full-text index (FTS5) of terms per read, one table per capture
// day (migration 7 explains the layout). Internal to the store; PostgreSQL keeps its
// B-tree indexes and the plates dictionary.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/store/database.h"
#include "custodian/store/types.h"

namespace custodian::store::internal {

// reads.tkey = captured_ms * kTkeyPerMs + the read's place among that millisecond's reads.
inline constexpr int64_t kTkeyPerMs = 1'000'000;
inline constexpr int64_t kTermsMsPerDay = 86'400'000;

// The terms of one read: "p<plate> k<key> r<reversed> c<camera hex> g<trigram>...".
std::string ReadTerms(std::string_view plate, std::string_view confusion_key, std::string_view camera_id);
// A camera's term: 'c' and the id's bytes in hex (ids are free text; terms are letters and digits).
std::string CameraTerm(std::string_view camera_id);
// "read_terms_<day>".
std::string TermsTable(int64_t day);

// The FTS5 query that narrows `q` to the reads that may match it, or "" where the terms
// cannot narrow it (no plate term and no cameras; a wildcard with no prefix or suffix of
// 2+ characters and no literal run of 3+), which the caller answers by a scan in time
// order. The query is a superset: the caller still filters the rows by the plate term.
// REQUIRES: q has passed BuildSearchSql (a valid term).
Result<std::string> TermsMatch(const SearchQuery& q);

// Inside the caller's write transaction: creates the terms table of `day` unless it
// exists; on creating one with `optimize_older`, merges the segments of every earlier day
// not merged yet (FTS5 'optimize'; read_term_days.optimized).
Status EnsureTermsTable(Txn& txn, int64_t day, bool optimize_older);
// Adds or removes (the FTS5 'delete' command, which needs the terms as indexed) one read's terms.
Status AddTerms(Txn& txn, int64_t tkey, const std::string& terms);
Status RemoveTerms(Txn& txn, int64_t tkey, const std::string& terms);

// Drops the terms table of `day` and indexes the reads still captured that day afresh
// (none, after a whole day's purge; those under a hold or not yet due otherwise), merged
// into one segment. Clears its stale mark.
Status RebuildTerms(Txn& txn, int64_t day);
// RebuildTerms for every day in read_terms_stale (the days a purge has touched).
Status RebuildStaleTerms(Txn& txn);

// The statement listing a day's matching tkeys in [lo, hi), newest first (parameters:
// match, hi, lo, limit).
std::string TermsRowidSql(int64_t day);

// Walks the reads whose terms match `match` with tkey in [lo, hi), newest first, day by
// day, in chunks: each chunk's tkeys fill the IN list of `rows_sql_prefix` (then
// `rows_sql_suffix` with `suffix_params`), and `sink` gets the rows; it returns false to
// stop. The first chunk is `first_chunk` tkeys, later ones up to 4x larger each.
using TermRowSink = std::function<Result<bool>(std::vector<SqlRow>& rows)>;
Status WalkTerms(Txn& txn, const std::string& match, int64_t lo, int64_t hi, size_t first_chunk,
                 const std::string& rows_sql_prefix, const std::string& rows_sql_suffix,
                 const std::vector<SqlValue>& suffix_params, const TermRowSink& sink);

// Indexes the reads stored before migration 7 (read_terms_backfill), once. Own transaction.
Status BackfillTerms(class SqlDriver& driver);

}  // namespace custodian::store::internal
