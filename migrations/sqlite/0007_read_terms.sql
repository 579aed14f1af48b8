-- SQLite finds reads by plate through a full-text index of terms per read (FTS5), one
-- table per capture day (read_terms_<day>, days since the epoch, listed in read_term_days;
-- the store creates them). A read's terms: p<plate>, k<OCR confusion key>, r<reversed
-- plate>, c<camera id in hex>, g<trigram> for each trigram of the plate. FTS5 buffers a
-- transaction's terms and writes them as one sorted segment, where the B-tree indexes this
-- replaces took a random page write per read (reads_by_plate, reads_by_camera) or per new
-- plate (plates, plates_by_rev, plates_by_confusion, plate_grams); and a purge rebuilds
-- (or drops) the tables of the days it touched once per run instead of deleting terms
-- one read at a time.
--
-- tkey orders reads as searches return them (capture time, then id): capture time in ms
-- x 1,000,000 + the read's place among the reads of that millisecond. It is the FTS rowid,
-- so a search walks a plate's reads newest first and stops after a page.
ALTER TABLE reads ADD COLUMN tkey INTEGER;
UPDATE reads SET tkey = captured_ms * 1000000 +
  (SELECT COUNT(*) FROM reads o WHERE o.captured_ms = reads.captured_ms AND o.id < reads.id);
CREATE UNIQUE INDEX reads_by_tkey ON reads (tkey);
-- optimized: the day's index segments were merged into one (done when a later day starts).
CREATE TABLE read_term_days (day INTEGER PRIMARY KEY, optimized INTEGER NOT NULL DEFAULT 0);
-- Days a purge has deleted reads of without deleting their terms: the purge run's last
-- batch rebuilds the day's table from its remaining reads, or drops it.
CREATE TABLE read_terms_stale (day INTEGER PRIMARY KEY);
-- Reads stored before this migration: the store indexes them at its next open.
CREATE TABLE read_terms_backfill (pending INTEGER NOT NULL);
INSERT INTO read_terms_backfill (pending) SELECT 1 WHERE EXISTS (SELECT 1 FROM reads);
-- A read's event id (idempotent ingest) is found by an index on the reads themselves,
-- not a second table written per read.
CREATE UNIQUE INDEX reads_by_event ON reads (event_id) WHERE event_id IS NOT NULL;
DROP TABLE read_events;
DROP INDEX IF EXISTS reads_by_plate;
DROP INDEX IF EXISTS reads_by_camera;
DROP INDEX IF EXISTS plates_by_rev;
DROP INDEX IF EXISTS plates_by_confusion;
DROP TABLE IF EXISTS plate_grams;
DROP TABLE IF EXISTS plates;

-- Bumped by every change to the hotlists: the store keeps their plates in memory to skip
-- looking up, at ingest, plates no hotlist holds, and reloads them when this changes.
CREATE TABLE hotlist_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO hotlist_version (id, version) VALUES (1, 0);
CREATE TRIGGER hotlists_changed_ins AFTER INSERT ON hotlists BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlists_changed_upd AFTER UPDATE ON hotlists BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlists_changed_del AFTER DELETE ON hotlists BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlist_entries_changed_ins AFTER INSERT ON hotlist_entries
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlist_entries_changed_upd AFTER UPDATE ON hotlist_entries
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlist_entries_changed_del AFTER DELETE ON hotlist_entries
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
