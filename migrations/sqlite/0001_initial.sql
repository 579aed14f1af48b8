-- Custodian records store, SQLite schema 1: agencies, cameras, reads, images, holds.
-- Times are UTC milliseconds since the Unix epoch. data_class: 0 public safety,
-- 1 non-public safety. Plate columns hold upper-case ASCII letters and digits only.

CREATE TABLE agencies (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE cameras (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('fixed', 'mobile', 'parking')),
  lat         REAL,
  lon         REAL,
  heading     REAL,
  agency_code TEXT NOT NULL REFERENCES agencies (code),
  data_class  INTEGER NOT NULL CHECK (data_class IN (0, 1))
);

-- One row per stored image file; refs counts the reads that refer to it, so a purge
-- deletes the file when the last one goes.
CREATE TABLE images (
  sha256     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  refs       INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE reads (
  id            INTEGER PRIMARY KEY,
  event_id      TEXT,
  camera_id     TEXT NOT NULL REFERENCES cameras (id),
  captured_ms   INTEGER NOT NULL,
  ingested_ms   INTEGER NOT NULL,
  plate_raw     TEXT NOT NULL,
  plate         TEXT NOT NULL,  -- normalised
  plate_rev     TEXT NOT NULL,  -- plate reversed, for suffix searches
  confusion_key TEXT NOT NULL,  -- OCR confusion classes, for fuzzy searches
  confidence    REAL NOT NULL,
  candidates    TEXT NOT NULL,  -- JSON array of {plate, confidence}
  country       TEXT NOT NULL,
  region        TEXT NOT NULL,
  box_x INTEGER, box_y INTEGER, box_w INTEGER, box_h INTEGER,
  lat           REAL,
  lon           REAL,
  data_class    INTEGER NOT NULL CHECK (data_class IN (0, 1)),
  crop_sha      TEXT,
  frame_sha     TEXT
);
-- Every index ends in captured_ms (and, implicitly, the rowid id), so each search walks
-- its index newest first and stops after one page: cost follows the answer.
CREATE INDEX reads_by_plate ON reads (plate, captured_ms);
CREATE INDEX reads_by_plate_rev ON reads (plate_rev, captured_ms);
CREATE INDEX reads_by_confusion ON reads (confusion_key, captured_ms);
CREATE INDEX reads_by_time ON reads (captured_ms);
CREATE INDEX reads_by_camera ON reads (camera_id, captured_ms);
-- Retention purges walk this one: per data class, oldest first, in bounded batches.
CREATE INDEX reads_by_class ON reads (data_class, captured_ms);

-- Idempotent ingest: a client event id maps to the read it created.
CREATE TABLE read_events (
  event_id    TEXT PRIMARY KEY,
  read_id     INTEGER NOT NULL,
  captured_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX read_events_by_time ON read_events (captured_ms);

-- Legal holds (policy section 3): a held read is never purged until released.
CREATE TABLE holds (
  id          INTEGER PRIMARY KEY,
  case_number TEXT NOT NULL,
  reason      TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  released_by TEXT,
  released_ms INTEGER
);
CREATE TABLE held_reads (
  hold_id     INTEGER NOT NULL REFERENCES holds (id),
  read_id     INTEGER NOT NULL,
  captured_ms INTEGER NOT NULL,
  PRIMARY KEY (hold_id, read_id)
) WITHOUT ROWID;
CREATE INDEX held_reads_by_read ON held_reads (read_id);
CREATE INDEX held_reads_by_time ON held_reads (captured_ms);
