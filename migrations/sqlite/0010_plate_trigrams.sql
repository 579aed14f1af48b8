-- The distinct plates' trigrams move from plate_grams (a B-tree keyed by (gram, plate),
-- which took five inserts at random places per new plate, each one page more for the
-- commit to write) to an FTS5 index with the trigram tokenizer: a transaction's new
-- plates are written as one small segment, merged in the background of later writes, and
-- a wildcard's literal run of 3+ characters is a GLOB that FTS5 answers from the index
-- (sql_read_store.cc). plates.trigram_rowid is each plate's row in it (NULL for plates
-- shorter than 3 characters, which have no trigram), so that a purge deletes it by rowid.
--
-- detail=none: only which plates hold a trigram (GLOB checks the pattern on the plate);
-- columnsize=0: no per-row size table; case_sensitive 1: GLOB is answered from the index.
-- A purge merges the index after deleting (MergePlateTrigrams in sql_read_store.cc), so
-- that no segment keeps a purged plate's trigrams (secure_delete then zeroes the freed pages).
CREATE VIRTUAL TABLE plate_trigrams USING fts5(plate, tokenize = 'trigram case_sensitive 1', detail = none,
                                               columnsize = 0);
ALTER TABLE plates ADD COLUMN trigram_rowid INTEGER;
CREATE TEMP TABLE plate_rowids (plate TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO plate_rowids (plate, n) SELECT plate, row_number() OVER (ORDER BY plate) FROM plates WHERE length(plate) >= 3;
INSERT INTO plate_trigrams (rowid, plate) SELECT n, plate FROM plate_rowids ORDER BY n;
UPDATE plates SET trigram_rowid = (SELECT n FROM plate_rowids r WHERE r.plate = plates.plate);
DROP TABLE plate_rowids;
DROP TABLE plate_grams;
