-- The access log and its signed checkpoints are append-only in the database itself (issue
-- 23, finding 2): UPDATE, DELETE and TRUNCATE are refused, whoever asks, so a rewrite needs
-- the owner to drop these triggers first (DDL, which no code path of Custodian runs). What
-- the owner can still do is caught by `custodian audit verify`: a checkpoint is required at
-- every multiple of the interval, and the signed heads published to the system journal and
-- /api/v1/transparency are checked with `audit verify --against`. (SQLite's migration 13;
-- the runner numbers each backend's migrations without gaps, and PostgreSQL had 8.)
-- Statement triggers: a statement that would touch no row is refused too.
CREATE OR REPLACE FUNCTION custodian_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the access log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_access_log_append_only();
CREATE TRIGGER access_log_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_access_log_append_only();
