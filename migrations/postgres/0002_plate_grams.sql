-- Distinct plates and their trigrams, so a wildcard with no usable prefix or suffix
-- ("*7AB*", "?7AB?12") finds its candidate plates by index instead of scanning reads;
-- the reads of those plates then come from reads_by_plate. A plate is added with its
-- first read, so the cost at ingest is one primary-key probe for a plate seen before.
-- The retention purge must delete a plate (and its grams) with its last read.
CREATE TABLE plates (
  plate TEXT COLLATE "C" PRIMARY KEY
);

CREATE TABLE plate_grams (
  gram  TEXT COLLATE "C" NOT NULL,
  plate TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (gram, plate)
);

INSERT INTO plates (plate) SELECT DISTINCT plate FROM reads;
INSERT INTO plate_grams (gram, plate)
  SELECT DISTINCT substr(p.plate, i, 3), p.plate
  FROM plates p, generate_series(1, length(p.plate) - 2) AS i
ON CONFLICT DO NOTHING;
