-- Issue 23, findings 3-6: sharing only with California public agencies, by grants that
-- are in force only once the partner's attestation is recorded; the installation's own
-- agency marked (users of any other agency are narrowed by its grants); each alert keeps
-- its read's data class, so lists filter by class before their limit.
ALTER TABLE agencies ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN recorded_ms BIGINT;
ALTER TABLE agencies ADD COLUMN home INTEGER NOT NULL DEFAULT 0;
-- The agency of the first account (the coordinator made at installation) is the home one.
UPDATE agencies SET home = 1 WHERE code = (SELECT agency_code FROM users ORDER BY id LIMIT 1);

-- The partner's written attestation (signatory, date signed, text); a grant without one
-- is not in force. Grants made before this migration have none: they stop until attested.
ALTER TABLE sharing_grants ADD COLUMN attested_signatory TEXT;
ALTER TABLE sharing_grants ADD COLUMN attested_date_ms BIGINT;
ALTER TABLE sharing_grants ADD COLUMN attestation_text TEXT;
ALTER TABLE sharing_grants ADD COLUMN attested_by TEXT;
ALTER TABLE sharing_grants ADD COLUMN attested_ms BIGINT;

ALTER TABLE alerts ADD COLUMN data_class INTEGER NOT NULL DEFAULT 0;
UPDATE alerts SET data_class = COALESCE((SELECT r.data_class FROM reads r WHERE r.id = alerts.read_id), 0);
CREATE INDEX alerts_by_class ON alerts (data_class, id);
