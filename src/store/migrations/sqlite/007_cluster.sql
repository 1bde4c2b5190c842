-- Facts every node of a cluster must agree on, checked at start:
-- 'jwt_key_fingerprint' is a BLAKE2b hash of the token signing key (never
-- the key), so a node started with another key refuses to run instead of
-- silently refusing every other node's tokens.
CREATE TABLE cluster_settings (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- mc_now() and mc_now_ms(), the database clock of PostgreSQL's 007, are
-- functions of the SQLite driver (the one node's clock).
