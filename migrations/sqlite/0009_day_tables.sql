-- Reads in one table per UTC capture day, `reads_d<day>` (days since the epoch), created by
-- the store as reads for the day arrive (sql_read_store.cc: EnsureDayTables), so that the
-- retention purge drops a day's table instead of deleting its rows one by one from every
-- index of one big table. read_days lists the days: the last read id each gave (a read's id
-- carries its day, (day + 1) * 2^32 + n, and is never given twice, even when a late upload
-- makes a purged day's table again) and whether its table is there (dropped = 0); `reads`
-- becomes a view over all the tables (rebuilt whenever one comes or goes) for the
-- statements that look reads up by id or plate.
--
-- Reads stored before this migration stay where they are, in reads_legacy (ids below 2^32),
-- searched and purged beside the day tables until retention has emptied it.
ALTER TABLE reads RENAME TO reads_legacy;
CREATE TABLE read_days (day INTEGER PRIMARY KEY, last_id INTEGER NOT NULL, dropped INTEGER NOT NULL DEFAULT 0);
CREATE VIEW reads AS SELECT * FROM reads_legacy;
-- The capture day of each plate's first read, where an exact search's walk of the days
-- stops (NULL for the plates indexed before: their reads may be on any day).
ALTER TABLE plates ADD COLUMN first_day INTEGER;
