-- Issue 23, finding 14: an event id is its camera's own; two cameras' reads with one event
-- id are two reads, not a duplicate. read_events is keyed by (event_id, camera_id).
-- (SQLite keeps event ids in each day table's own index; the store rebuilds those at open.)
ALTER TABLE read_events ADD COLUMN camera_id TEXT;
UPDATE read_events e SET camera_id = r.camera_id FROM reads r WHERE r.id = e.read_id AND r.captured_ms = e.captured_ms;
DELETE FROM read_events WHERE camera_id IS NULL;
ALTER TABLE read_events ALTER COLUMN camera_id SET NOT NULL;
ALTER TABLE read_events DROP CONSTRAINT read_events_pkey;
ALTER TABLE read_events ADD PRIMARY KEY (event_id, camera_id);
