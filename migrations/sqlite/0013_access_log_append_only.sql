-- The access log and its signed checkpoints are append-only in the database itself (issue
-- 23, finding 2): UPDATE and DELETE are refused, whoever asks, so a rewrite needs the
-- owner to drop these triggers first (DDL, which no code path of Custodian runs). What the
-- owner can still do is caught by `custodian audit verify`: a checkpoint is required at
-- every multiple of the interval, and the signed heads published to the system journal and
-- /api/v1/transparency are checked with `audit verify --against`. DROP TABLE drops the
-- triggers with the table (SQLite fires none), as a migration undone in a test does.
CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
  BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE access_log is refused'); END;
CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
  BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE FROM access_log is refused'); END;
CREATE TRIGGER IF NOT EXISTS access_log_checkpoints_no_update BEFORE UPDATE ON access_log_checkpoints
  BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE access_log_checkpoints is refused'); END;
CREATE TRIGGER IF NOT EXISTS access_log_checkpoints_no_delete BEFORE DELETE ON access_log_checkpoints
  BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE FROM access_log_checkpoints is refused'); END;
