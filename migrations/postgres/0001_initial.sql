-- Custodian records store, PostgreSQL schema 1: agencies, cameras, reads, images, holds.
-- Times are UTC milliseconds since the Unix epoch. data_class: 0 public safety,
-- 1 non-public safety. Plate columns are COLLATE "C" so range scans compare bytes, as on
-- SQLite. Reads are partitioned by capture day (one partition per UTC day, created on
-- demand by the store as reads_pYYYYMMDD), so a day past retention is dropped whole.

CREATE TABLE agencies (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE cameras (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('fixed', 'mobile', 'parking')),
  lat         DOUBLE PRECISION,
  lon         DOUBLE PRECISION,
  heading     DOUBLE PRECISION,
  agency_code TEXT NOT NULL REFERENCES agencies (code),
  data_class  SMALLINT NOT NULL CHECK (data_class IN (0, 1))
);

CREATE TABLE images (
  sha256     TEXT COLLATE "C" PRIMARY KEY,
  size       BIGINT NOT NULL,
  refs       BIGINT NOT NULL,
  created_ms BIGINT NOT NULL
);

CREATE SEQUENCE reads_id_seq AS BIGINT;

CREATE TABLE reads (
  id            BIGINT NOT NULL DEFAULT nextval('reads_id_seq'),
  event_id      TEXT,
  camera_id     TEXT NOT NULL REFERENCES cameras (id),
  captured_ms   BIGINT NOT NULL,
  ingested_ms   BIGINT NOT NULL,
  plate_raw     TEXT NOT NULL,
  plate         TEXT COLLATE "C" NOT NULL,
  plate_rev     TEXT COLLATE "C" NOT NULL,
  confusion_key TEXT COLLATE "C" NOT NULL,
  confidence    REAL NOT NULL,
  candidates    TEXT NOT NULL,
  country       TEXT NOT NULL,
  region        TEXT NOT NULL,
  box_x INTEGER, box_y INTEGER, box_w INTEGER, box_h INTEGER,
  lat           DOUBLE PRECISION,
  lon           DOUBLE PRECISION,
  data_class    SMALLINT NOT NULL CHECK (data_class IN (0, 1)),
  crop_sha      TEXT COLLATE "C",
  frame_sha     TEXT COLLATE "C",
  PRIMARY KEY (id, captured_ms)
) PARTITION BY RANGE (captured_ms);
ALTER SEQUENCE reads_id_seq OWNED BY reads.id;

CREATE INDEX reads_by_plate ON reads (plate, captured_ms, id);
CREATE INDEX reads_by_plate_rev ON reads (plate_rev, captured_ms, id);
CREATE INDEX reads_by_confusion ON reads (confusion_key, captured_ms, id);
CREATE INDEX reads_by_time ON reads (captured_ms, id);
CREATE INDEX reads_by_camera ON reads (camera_id, captured_ms, id);
CREATE INDEX reads_by_class ON reads (data_class, captured_ms);

CREATE TABLE read_events (
  event_id    TEXT PRIMARY KEY,
  read_id     BIGINT NOT NULL,
  captured_ms BIGINT NOT NULL
);
CREATE INDEX read_events_by_time ON read_events (captured_ms);

CREATE TABLE holds (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_number TEXT NOT NULL,
  reason      TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  created_ms  BIGINT NOT NULL,
  released_by TEXT,
  released_ms BIGINT
);
-- No foreign key to reads: a partition must stay droppable; the purge checks holds.
CREATE TABLE held_reads (
  hold_id     BIGINT NOT NULL REFERENCES holds (id),
  read_id     BIGINT NOT NULL,
  captured_ms BIGINT NOT NULL,
  PRIMARY KEY (hold_id, read_id)
);
CREATE INDEX held_reads_by_read ON held_reads (read_id);
CREATE INDEX held_reads_by_time ON held_reads (captured_ms);
