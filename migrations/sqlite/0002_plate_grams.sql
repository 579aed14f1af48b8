-- Distinct plates and their trigrams, so a wildcard with no usable prefix or suffix
-- ("*7AB*", "?7AB?12") finds its candidate plates by index instead of scanning reads;
-- the reads of those plates then come from reads_by_plate. A plate is added with its
-- first read, so the cost at ingest is one primary-key probe for a plate seen before.
-- The retention purge must delete a plate (and its grams) with its last read.
CREATE TABLE plates (
  plate TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE plate_grams (
  gram  TEXT NOT NULL,
  plate TEXT NOT NULL,
  PRIMARY KEY (gram, plate)
) WITHOUT ROWID;

INSERT INTO plates (plate) SELECT DISTINCT plate FROM reads;
WITH RECURSIVE g (plate, i) AS (
  SELECT plate, 1 FROM plates WHERE length(plate) >= 3
  UNION ALL
  SELECT plate, i + 1 FROM g WHERE i + 3 <= length(plate)
)
INSERT OR IGNORE INTO plate_grams (gram, plate) SELECT substr(plate, i, 3), plate FROM g;
