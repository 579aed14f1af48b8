-- Nothing reads event ids by capture time (a purge deletes them by id): one index fewer
-- to write per ingested read. (The in-memory hotlist filter of SQLite's migration 7 is
-- SQLite's alone: a PostgreSQL ingest can run beside a hotlist import in another
-- transaction, so it keeps looking every plate up.)
DROP INDEX IF EXISTS read_events_by_time;
