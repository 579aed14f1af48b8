-- Reads in one table per UTC capture day, `reads_d<day>` (days since the epoch), created by
-- the store as reads for the day arrive (sql_read_store.cc: EnsureDayTables), so that the
-- retention purge drops a day's table instead of deleting its rows one by one from every
-- index of one big table. read_days lists them; `reads` becomes a view over all of them
-- (rebuilt whenever a day table comes or goes) for the statements that look reads up by id
-- or plate. A read's id carries its day: day * 2^32 + n.
--
-- Reads stored before this migration stay where they are, in reads_legacy (ids below 2^32),
-- searched and purged beside the day tables until retention has emptied it.
ALTER TABLE reads RENAME TO reads_legacy;
CREATE TABLE read_days (day INTEGER PRIMARY KEY);
CREATE VIEW reads AS SELECT * FROM reads_legacy;
