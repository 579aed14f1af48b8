-- Access governance (policy sections 1, 2, 4-7; Civil Code 1798.90.51-.55; CJIS figures):
-- accounts, sessions, acknowledgments, training, the tamper-evident access log, sharing
-- grants, log reviews, accuracy audits, records requests and breach incidents.
-- Times are UTC milliseconds since the Unix epoch.

-- Accounts are never deleted, so a username is never reused; separation ends one.
CREATE TABLE users (
  id                  INTEGER PRIMARY KEY,
  username            TEXT NOT NULL UNIQUE,
  full_name           TEXT NOT NULL,
  agency_code         TEXT NOT NULL REFERENCES agencies (code),
  role                TEXT NOT NULL,
  state               TEXT NOT NULL CHECK (state IN ('active', 'locked', 'disabled', 'separated')),
  state_reason        TEXT NOT NULL DEFAULT '',
  password_hash       TEXT NOT NULL,
  password_set_ms     BIGINT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 1,
  totp_secret         TEXT,            -- base32, sealed with the agency key; NULL until enrolled
  totp_last_step      BIGINT NOT NULL DEFAULT 0,
  supervisor          TEXT NOT NULL DEFAULT '',
  created_by          TEXT NOT NULL,
  created_ms          BIGINT NOT NULL,
  last_logon_ms       BIGINT,
  access_expires_ms   BIGINT,          -- vendor support and partner users: access ends here
  background_check_ms BIGINT,          -- vendor support: date of the recorded background check
  cjis_addendum_ms    BIGINT           -- vendor support: date of the CJIS security addendum
);

-- Failed logons, for the 5-in-15-minutes lockout.
CREATE TABLE failed_logons (
  user_id BIGINT NOT NULL REFERENCES users (id),
  at_ms   BIGINT NOT NULL
);
CREATE INDEX failed_logons_by_user ON failed_logons (user_id, at_ms);

-- Sessions by the SHA-256 of their token (the token itself is never stored).
CREATE TABLE sessions (
  token_sha   TEXT PRIMARY KEY,
  user_id     BIGINT NOT NULL REFERENCES users (id),
  source      TEXT NOT NULL,
  created_ms  BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  ended_ms    BIGINT,
  end_reason  TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- The acknowledgment form: four statements, typed name, policy text hash, approvals.
CREATE TABLE acknowledgments (
  id               INTEGER PRIMARY KEY,
  user_id          BIGINT NOT NULL REFERENCES users (id),
  statements       TEXT NOT NULL,   -- JSON array of the four statements as shown
  typed_name       TEXT NOT NULL,
  policy_sha256    TEXT NOT NULL,
  signed_ms        BIGINT NOT NULL,
  supervisor       TEXT,
  supervisor_ms    BIGINT,
  coordinator      TEXT,
  coordinator_ms   BIGINT
);
CREATE INDEX acknowledgments_by_user ON acknowledgments (user_id);

-- Training records: kept at least 3 years (never purged with reads).
CREATE TABLE training_records (
  id           INTEGER PRIMARY KEY,
  user_id      BIGINT NOT NULL REFERENCES users (id),
  course       TEXT NOT NULL,
  completed_ms BIGINT NOT NULL,
  recorded_by  TEXT NOT NULL,
  recorded_ms  BIGINT NOT NULL
);
CREATE INDEX training_by_user ON training_records (user_id, completed_ms);

-- The access log: append-only, each entry's hash chains to the previous one.
CREATE TABLE access_log (
  seq          BIGINT PRIMARY KEY,
  at_ms        BIGINT NOT NULL,
  username     TEXT NOT NULL,
  agency_code  TEXT NOT NULL,
  source       TEXT NOT NULL,   -- IP address, 'cli' or 'system'
  action       TEXT NOT NULL,
  outcome      TEXT NOT NULL,   -- 'allowed', 'denied', 'failed'
  terms        TEXT NOT NULL,   -- the plate or other search terms (JSON object)
  purpose      TEXT NOT NULL,
  case_number  TEXT NOT NULL,
  records      BIGINT NOT NULL,
  detail       TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX access_log_by_time ON access_log (at_ms);
CREATE INDEX access_log_by_user ON access_log (username, at_ms);

-- Checkpoints: the chain's head at a sequence number, signed with the agency's Ed25519 key.
CREATE TABLE access_log_checkpoints (
  seq        BIGINT PRIMARY KEY,
  at_ms      BIGINT NOT NULL,
  hash       TEXT NOT NULL,
  public_key TEXT NOT NULL,
  signature  TEXT NOT NULL
);

-- Weekly review of the access log: who reviewed, when, the period, notes.
CREATE TABLE log_reviews (
  id          INTEGER PRIMARY KEY,
  reviewer    TEXT NOT NULL,
  at_ms       BIGINT NOT NULL,
  from_ms     BIGINT NOT NULL,
  to_ms       BIGINT NOT NULL,
  notes       TEXT NOT NULL
);

-- Sharing grants to other California public agencies (policy 5.D): none by default.
CREATE TABLE sharing_grants (
  id           INTEGER PRIMARY KEY,
  agency_code  TEXT NOT NULL REFERENCES agencies (code),
  data_classes TEXT NOT NULL,   -- JSON array of data class names
  cameras      TEXT NOT NULL,   -- JSON array of camera ids; empty: every camera of the classes
  expires_ms   BIGINT NOT NULL,
  created_by   TEXT NOT NULL,
  created_ms   BIGINT NOT NULL,
  revoked_by   TEXT,
  revoked_ms   BIGINT
);
CREATE INDEX sharing_grants_by_agency ON sharing_grants (agency_code);

-- Accuracy audits (policy 4.A.4, 5.E): a random sample of reads and a person's verdicts.
CREATE TABLE accuracy_audits (
  id          INTEGER PRIMARY KEY,
  created_by  TEXT NOT NULL,
  created_ms  BIGINT NOT NULL,
  camera_ids  TEXT NOT NULL,   -- JSON array; empty: every camera
  from_ms     BIGINT NOT NULL,
  to_ms       BIGINT NOT NULL,
  sample_size BIGINT NOT NULL
);
CREATE TABLE accuracy_audit_items (
  audit_id     BIGINT NOT NULL REFERENCES accuracy_audits (id),
  read_id      BIGINT NOT NULL,
  camera_id    TEXT NOT NULL,
  plate        TEXT NOT NULL,   -- as read when sampled
  verdict      TEXT,            -- NULL until verified; 'correct' or 'wrong'
  true_plate   TEXT,
  verified_by  TEXT,
  verified_ms  BIGINT,
  PRIMARY KEY (audit_id, read_id)
);
-- Corrections of wrong reads; the original stays here.
CREATE TABLE read_corrections (
  id          INTEGER PRIMARY KEY,
  read_id     BIGINT NOT NULL,
  old_plate   TEXT NOT NULL,
  new_plate   TEXT NOT NULL,
  reason      TEXT NOT NULL,
  corrected_by TEXT NOT NULL,
  corrected_ms BIGINT NOT NULL
);
CREATE INDEX read_corrections_by_read ON read_corrections (read_id);

-- Records requests (the policy's electronic data and records request form).
CREATE TABLE records_requests (
  id              INTEGER PRIMARY KEY,
  requester       TEXT NOT NULL,
  department      TEXT NOT NULL,
  phone           TEXT NOT NULL,
  email           TEXT NOT NULL,
  requested_ms    BIGINT NOT NULL,
  required_ms     BIGINT NOT NULL,
  data_class      TEXT NOT NULL,
  description     TEXT NOT NULL,
  reason          TEXT NOT NULL,
  search          TEXT NOT NULL,   -- JSON: the search that fulfils it
  state           TEXT NOT NULL CHECK (state IN ('submitted', 'director_approved', 'approved', 'denied', 'fulfilled')),
  submitted_by    TEXT NOT NULL,
  director        TEXT,
  director_ms     BIGINT,
  coordinator     TEXT,
  coordinator_ms  BIGINT,
  decision_note   TEXT,
  fulfilled_ms    BIGINT,
  export_path     TEXT
);

-- Breach incidents, from which the notice is produced (policy 6).
CREATE TABLE breach_incidents (
  id                 INTEGER PRIMARY KEY,
  created_by         TEXT NOT NULL,
  created_ms         BIGINT NOT NULL,
  record             TEXT NOT NULL   -- JSON: the incident's fields
);

-- Device API keys for cameras and integrations (hashed; scoped; revocable).
CREATE TABLE api_keys (
  id          INTEGER PRIMARY KEY,
  key_sha     TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  camera_id   TEXT REFERENCES cameras (id),
  scope       TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  created_ms  BIGINT NOT NULL,
  revoked_by  TEXT,
  revoked_ms  BIGINT
);
