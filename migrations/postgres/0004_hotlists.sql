-- Hotlists, their entries, and the alerts a match raises (policy 4.A.3).
CREATE TABLE hotlists (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  agency_code TEXT NOT NULL REFERENCES agencies (code),
  category    TEXT NOT NULL CHECK (category IN ('stolen_vehicle', 'stolen_plate', 'amber_missing_person',
                                                'wanted', 'bolo', 'parking_scofflaw_permit')),
  fuzzy       SMALLINT NOT NULL CHECK (fuzzy IN (0, 1)),
  created_ms  BIGINT NOT NULL
);

CREATE TABLE hotlist_entries (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hotlist_id    BIGINT NOT NULL REFERENCES hotlists (id),
  plate         TEXT COLLATE "C" NOT NULL,
  confusion_key TEXT COLLATE "C" NOT NULL,
  state         TEXT NOT NULL,
  reason        TEXT NOT NULL,
  expires_ms    BIGINT,
  added_ms      BIGINT NOT NULL,
  UNIQUE (hotlist_id, plate, state)
);
CREATE INDEX hotlist_entries_by_plate ON hotlist_entries (plate);
CREATE INDEX hotlist_entries_by_confusion ON hotlist_entries (confusion_key);

CREATE TABLE alerts (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  read_id        BIGINT NOT NULL,
  read_ms        BIGINT NOT NULL,
  entry_id       BIGINT NOT NULL REFERENCES hotlist_entries (id),
  exact          SMALLINT NOT NULL CHECK (exact IN (0, 1)),
  retroactive    SMALLINT NOT NULL CHECK (retroactive IN (0, 1)),
  created_ms     BIGINT NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('new', 'acknowledged', 'confirmed', 'dismissed')),
  acked_by       TEXT,
  acked_ms       BIGINT,
  resolved_by    TEXT,
  resolved_ms    BIGINT,
  image_checked  SMALLINT NOT NULL DEFAULT 0,
  action         TEXT,
  UNIQUE (read_id, entry_id)
);
CREATE INDEX alerts_by_state ON alerts (state, created_ms);
CREATE INDEX alerts_by_time ON alerts (created_ms);
CREATE INDEX alerts_by_read ON alerts (read_id);
