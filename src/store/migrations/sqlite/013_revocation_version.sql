-- A counter that every token revocation moves, in the revoking transaction:
-- nodes (and processes) that cache "this token is not revoked" re-read it
-- every MC_REVOCATION_POLL_US and check their cached tokens again when it
-- moved, so a revocation made elsewhere reaches them within that time
-- (DESIGN section 9). The triggers see every way a token ends: a revoked
-- jti, a moved tokens_valid_after, an ended session.
CREATE TABLE revocation_version (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  INTEGER NOT NULL
);
INSERT INTO revocation_version (id, version) VALUES (1, 1);

CREATE TRIGGER revoked_tokens_moved AFTER INSERT ON revoked_tokens
BEGIN
  UPDATE revocation_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER users_tokens_moved AFTER UPDATE OF tokens_valid_after ON users
  WHEN NEW.tokens_valid_after IS NOT OLD.tokens_valid_after
BEGIN
  UPDATE revocation_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER sessions_ended_moved AFTER UPDATE OF revoked_at ON sessions
  WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
  UPDATE revocation_version SET version = version + 1 WHERE id = 1;
END;
