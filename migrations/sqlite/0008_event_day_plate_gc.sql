-- Idempotent ingest by the reads rows' own event_id, led by the capture day: a day's
-- reads fill one stretch of the index, so an ingest batch (mostly of one day) writes that
-- stretch and a purge of a day empties it, where read_events, keyed by the event id alone,
-- took a page per read at both. An event id is unique within its read's capture day (a
-- retry is the same read, so the same capture time). Keep the expression written exactly
-- so: SQLite uses the index only for the same expression.
CREATE UNIQUE INDEX reads_by_event ON reads (captured_ms / 86400000, event_id) WHERE event_id IS NOT NULL;
DROP TABLE IF EXISTS read_events;

-- Plates whose reads a purge batch deleted, looked at once at the end of the purge run
-- (SqlReadStore::PurgeBatch): those with no read left then leave the dictionary, each of
-- its pages written once per run instead of once per batch. Appended, not keyed by
-- plate, so queueing writes a page or two per batch.
CREATE TABLE plate_gc (
  id         INTEGER PRIMARY KEY,
  data_class INTEGER NOT NULL,  -- the purge run's class, whose last batch looks at them
  plate      TEXT NOT NULL
);
