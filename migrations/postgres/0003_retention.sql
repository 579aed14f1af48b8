-- Retention purge log and active-hold lookups (policy section 3).
-- One row per purge batch, written in the same transaction as the deletions it records:
-- counts and the capture-time range, never a plate.
CREATE TABLE purge_log (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_ms      BIGINT NOT NULL,
  run_by      TEXT NOT NULL,
  data_class  SMALLINT NOT NULL CHECK (data_class IN (0, 1)),
  cutoff_ms   BIGINT NOT NULL,
  reads       BIGINT NOT NULL,
  images      BIGINT NOT NULL,
  plates      BIGINT NOT NULL,
  oldest_ms   BIGINT,
  newest_ms   BIGINT
);
CREATE INDEX purge_log_by_time ON purge_log (run_ms);
CREATE INDEX holds_active ON holds (id) WHERE released_ms IS NULL;
