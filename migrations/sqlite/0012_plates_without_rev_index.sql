-- A wildcard with a known suffix of 3+ characters finds its candidate plates through the
-- trigram index (plate_trigrams, migration 10: the suffix is a literal run of 3+, which
-- FTS5 answers as `plate GLOB pattern`), as a literal run elsewhere already did, so
-- plates_by_rev goes: it was one of the three B-trees a new plate was written into at a
-- random place (each a page more for the ingest's commit to write and the checkpointer to
-- copy; measured at 10M reads: ingest +12% once 3M reads were in, bench/RESULTS.md
-- session 13). A suffix of 1 or 2 characters with no literal run of 3+ anywhere in the
-- pattern (`*12`, `?A*9`) is matched by a scan of plates. plates.plate_rev stays (written,
-- no longer read on SQLite); PostgreSQL keeps its plates_by_rev.
DROP INDEX plates_by_rev;
