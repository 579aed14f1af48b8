-- Issue 23, finding 14: a camera key may expire (none: valid until revoked).
ALTER TABLE api_keys ADD COLUMN expires_ms BIGINT;
