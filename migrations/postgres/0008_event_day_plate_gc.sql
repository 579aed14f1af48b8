-- Migration 8 on SQLite keys event ids within the capture day on the reads rows and queues
-- the plates a purge batch leaves for the run's end. PostgreSQL keeps read_events and
-- tidies plates per batch (its day partitions keep a purge's writes together), so nothing
-- changes here; the number keeps the two backends' versions in step.
SELECT 1;
