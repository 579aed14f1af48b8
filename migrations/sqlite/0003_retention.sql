-- Retention purge log and active-hold lookups (policy section 3).
-- One row per purge batch, written in the same transaction as the deletions it records:
-- counts and the capture-time range, never a plate.
CREATE TABLE purge_log (
  id          INTEGER PRIMARY KEY,
  run_ms      INTEGER NOT NULL,   -- when the batch ran (the store's clock)
  run_by      TEXT NOT NULL,      -- who ran it ("system" for the scheduled job)
  data_class  INTEGER NOT NULL CHECK (data_class IN (0, 1)),
  cutoff_ms   INTEGER NOT NULL,   -- reads captured before this were past retention
  reads       INTEGER NOT NULL,
  images      INTEGER NOT NULL,   -- image files deleted with their last read
  plates      INTEGER NOT NULL,   -- distinct plates gone with their last read
  oldest_ms   INTEGER,            -- capture-time range of the purged reads
  newest_ms   INTEGER
);
CREATE INDEX purge_log_by_time ON purge_log (run_ms);
-- Holds still in force, for the purge's "is this read held" probe.
CREATE INDEX holds_active ON holds (id) WHERE released_ms IS NULL;
