-- Facts every node of a cluster must agree on, checked at start:
-- 'jwt_key_fingerprint' is a BLAKE2b hash of the token signing key (never
-- the key), so a node started with another key refuses to run instead of
-- silently refusing every other node's tokens.
CREATE TABLE cluster_settings (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- One clock for the cluster: store/ SQL takes the time of leases, job
-- claims, expiry cut-offs and order stamps from these (Unix seconds and
-- milliseconds of the database server), never from a node's own clock.
-- SQLite defines the same two functions in its driver.
CREATE FUNCTION mc_now() RETURNS BIGINT LANGUAGE SQL STABLE
  AS $$ SELECT CAST(floor(extract(epoch FROM now())) AS BIGINT) $$;
CREATE FUNCTION mc_now_ms() RETURNS BIGINT LANGUAGE SQL VOLATILE
  AS $$ SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS BIGINT) $$;
