-- Bumped by every change to the hotlists: the store keeps their plates in memory so that
-- an ingest batch looks up only the plates some hotlist holds, and reloads them when this
-- changes (SqlReadStore::RefreshHotlistFilter). Triggers, so that no writer can forget.
CREATE TABLE hotlist_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO hotlist_version (id, version) VALUES (1, 0);
CREATE TRIGGER hotlists_changed_ins AFTER INSERT ON hotlists
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlists_changed_upd AFTER UPDATE ON hotlists
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlists_changed_del AFTER DELETE ON hotlists
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlist_entries_changed_ins AFTER INSERT ON hotlist_entries
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlist_entries_changed_upd AFTER UPDATE ON hotlist_entries
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
CREATE TRIGGER hotlist_entries_changed_del AFTER DELETE ON hotlist_entries
  BEGIN UPDATE hotlist_version SET version = version + 1; END;
-- Nothing reads event ids by capture time (a purge deletes them by id): one index fewer
-- to write per ingested read.
DROP INDEX IF EXISTS read_events_by_time;
