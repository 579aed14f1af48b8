-- Issue 23, finding 2 (and issue 29's role split): the server connects as a role that may
-- not alter the schema or rewrite the access log; migrations run as the owner.
--
-- The one piece of DDL the running store needs, a day's partition of reads (created on the
-- first read of that day, dropped when a purge empties it), goes through these two owner's
-- functions. They take a day number, never text, so the server's role can create or drop
-- nothing else: only reads_pYYYYMMDD, a partition of reads, and only an empty one goes.
-- `custodian db migrate --server-role ROLE` grants ROLE what the server needs (and records
-- it in server_roles, so every later migrate grants the new tables too): SELECT, INSERT,
-- UPDATE and DELETE on the tables, except INSERT and SELECT only on access_log and
-- access_log_checkpoints and SELECT only on schema_version and server_roles; USAGE on the
-- sequences; EXECUTE on these two functions.
-- Idempotent (a test may rewind schema_version and migrate forward again).
CREATE TABLE IF NOT EXISTS server_roles (
  name        TEXT PRIMARY KEY,
  granted_ms  BIGINT NOT NULL
);

-- The advisory lock is the key PgDriver used before (0x637573746f6432, "custod2"), so a
-- binary of the release before, still running during an upgrade, serialises with this one.
CREATE OR REPLACE FUNCTION custodian_read_partition_name(day BIGINT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  -- 0001-01-01 .. 9999-12-31: the store refuses capture times outside 1970..2200 anyway.
  IF day < -719162 OR day > 2932896 THEN
    RAISE EXCEPTION 'day % is outside the years 1..9999', day USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN 'reads_p' || to_char(DATE '1970-01-01' + day::INTEGER, 'YYYYMMDD');
END
$$;

CREATE OR REPLACE FUNCTION custodian_ensure_read_partition(day BIGINT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER STRICT AS $$
DECLARE
  part TEXT := custodian_read_partition_name(day);
BEGIN
  PERFORM pg_advisory_xact_lock(27995161429500978);
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF reads FOR VALUES FROM (%s) TO (%s)',
                 part, day * 86400000, (day + 1) * 86400000);
END
$$;

-- Returns whether it dropped the partition: false when there is none, when the table of
-- that name is not a partition of reads, or when it holds a read.
CREATE OR REPLACE FUNCTION custodian_drop_empty_read_partition(day BIGINT) RETURNS BOOLEAN
LANGUAGE plpgsql SECURITY DEFINER STRICT AS $$
DECLARE
  part TEXT := custodian_read_partition_name(day);
  rel REGCLASS;
  occupied BOOLEAN;
BEGIN
  PERFORM pg_advisory_xact_lock(27995161429500978);
  rel := to_regclass(quote_ident(part));
  IF rel IS NULL OR NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = rel AND inhparent = 'reads'::REGCLASS) THEN
    RETURN FALSE;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', part) INTO occupied;
  IF occupied THEN
    RETURN FALSE;
  END IF;
  EXECUTE format('DROP TABLE %I', part);
  RETURN TRUE;
END
$$;

-- A SECURITY DEFINER function resolves names in its own schema only, with pg_temp last:
-- a caller's temporary table named "reads" cannot stand in for the real one.
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION custodian_ensure_read_partition(BIGINT) SET search_path = %I, pg_temp',
                 current_schema());
  EXECUTE format('ALTER FUNCTION custodian_drop_empty_read_partition(BIGINT) SET search_path = %I, pg_temp',
                 current_schema());
END
$$;
REVOKE ALL ON FUNCTION custodian_ensure_read_partition(BIGINT) FROM PUBLIC;
REVOKE ALL ON FUNCTION custodian_drop_empty_read_partition(BIGINT) FROM PUBLIC;
