-- A counter that every token revocation moves, in the revoking transaction:
-- nodes that cache "this token is not revoked" re-read it every
-- MC_REVOCATION_POLL_US and check their cached tokens again when it moved,
-- so a revocation made on another node reaches them within that time
-- (DESIGN section 9) without a read per request. The triggers see every
-- way a token ends: a revoked jti, a moved tokens_valid_after, an ended
-- session.
CREATE TABLE revocation_version (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  BIGINT NOT NULL
);
INSERT INTO revocation_version (id, version) VALUES (1, 1);

CREATE FUNCTION mc_revocation_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE revocation_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER revoked_tokens_moved AFTER INSERT ON revoked_tokens
  FOR EACH ROW EXECUTE FUNCTION mc_revocation_moved();
CREATE TRIGGER users_tokens_moved AFTER UPDATE OF tokens_valid_after ON users
  FOR EACH ROW WHEN (NEW.tokens_valid_after IS DISTINCT FROM OLD.tokens_valid_after)
  EXECUTE FUNCTION mc_revocation_moved();
CREATE TRIGGER sessions_ended_moved AFTER UPDATE OF revoked_at ON sessions
  FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
  EXECUTE FUNCTION mc_revocation_moved();
