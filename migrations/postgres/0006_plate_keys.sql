-- Suffix and fuzzy searches find their candidate plates in the distinct plates table (by
-- its reversed plate or its OCR confusion key) and then the reads of those plates through
-- reads_by_plate, as trigram searches do. The per-read indexes on reads.plate_rev and
-- reads.confusion_key go: each cost one random-key B-tree insert per ingested read, where
-- the plates table pays once per distinct plate. (The reads columns stay, as written.)
ALTER TABLE plates ADD COLUMN plate_rev TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE plates ADD COLUMN confusion_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE plates p SET
  plate_rev = COALESCE((SELECT r.plate_rev FROM reads r WHERE r.plate = p.plate LIMIT 1), ''),
  confusion_key = COALESCE((SELECT r.confusion_key FROM reads r WHERE r.plate = p.plate LIMIT 1), '');
CREATE INDEX plates_by_rev ON plates (plate_rev);
CREATE INDEX plates_by_confusion ON plates (confusion_key);
DROP INDEX IF EXISTS reads_by_plate_rev;
DROP INDEX IF EXISTS reads_by_confusion;
