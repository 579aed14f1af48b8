-- The newest day's table is "open": its plate index is led by the capture hour,
-- `<table>_by_hour_plate` on (captured_ms / 3600000, plate, captured_ms), so that a batch of
-- reads adds its plate entries within the hour's stretch of the index rather than at a
-- random place in the whole day's (measured at 10M reads, session 14: 42.7k -> 49.3k
-- reads ingested a second). When the next day's first read arrives, the day is closed: its plate index is
-- built led by the plate, `<table>_by_plate` on (plate, captured_ms), and the hour-led one
-- dropped, in the transaction that makes the new day's table (day_tables.cc:
-- EnsureDayTables). read_days.plates_by_hour = 1 marks an open day; the days made before
-- this migration are closed.
ALTER TABLE read_days ADD COLUMN plates_by_hour INTEGER NOT NULL DEFAULT 0;
