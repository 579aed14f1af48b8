-- Hotlists, their entries, and the alerts a match raises (policy 4.A.3).
CREATE TABLE hotlists (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  agency_code TEXT NOT NULL REFERENCES agencies (code),
  category    TEXT NOT NULL CHECK (category IN ('stolen_vehicle', 'stolen_plate', 'amber_missing_person',
                                                'wanted', 'bolo', 'parking_scofflaw_permit')),
  fuzzy       INTEGER NOT NULL CHECK (fuzzy IN (0, 1)),  -- 1: OCR-tolerant matching allowed
  created_ms  INTEGER NOT NULL
);

CREATE TABLE hotlist_entries (
  id            INTEGER PRIMARY KEY,
  hotlist_id    INTEGER NOT NULL REFERENCES hotlists (id),
  plate         TEXT NOT NULL,  -- normalised, as reads.plate
  confusion_key TEXT NOT NULL,  -- as reads.confusion_key
  state         TEXT NOT NULL,  -- '' matches any state
  reason        TEXT NOT NULL,
  expires_ms    INTEGER,        -- NULL: no expiry
  added_ms      INTEGER NOT NULL,
  UNIQUE (hotlist_id, plate, state)
);
-- A read on arrival probes these two.
CREATE INDEX hotlist_entries_by_plate ON hotlist_entries (plate);
CREATE INDEX hotlist_entries_by_confusion ON hotlist_entries (confusion_key);

-- An alert refers to its read by id (no foreign key: PostgreSQL partitions must stay
-- droppable); the retention purge deletes a read's alerts with it.
CREATE TABLE alerts (
  id             INTEGER PRIMARY KEY,
  read_id        INTEGER NOT NULL,
  read_ms        INTEGER NOT NULL,  -- the read's capture time (its partition on PostgreSQL)
  entry_id       INTEGER NOT NULL REFERENCES hotlist_entries (id),
  exact          INTEGER NOT NULL CHECK (exact IN (0, 1)),
  retroactive    INTEGER NOT NULL CHECK (retroactive IN (0, 1)),
  created_ms     INTEGER NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('new', 'acknowledged', 'confirmed', 'dismissed')),
  acked_by       TEXT,
  acked_ms       INTEGER,
  resolved_by    TEXT,
  resolved_ms    INTEGER,
  image_checked  INTEGER NOT NULL DEFAULT 0,
  action         TEXT,
  UNIQUE (read_id, entry_id)
);
CREATE INDEX alerts_by_state ON alerts (state, created_ms);
CREATE INDEX alerts_by_time ON alerts (created_ms);
CREATE INDEX alerts_by_read ON alerts (read_id);
