-- Sessions and password resets. A session is one sign-in: the family of
-- refresh tokens that login (or register) starts and every refresh
-- rotates. Only the newest token of a family is current (rotated_at NULL);
-- presenting an older one is a reuse, and ends the family. Access tokens
-- carry their session's id, so ending a session ends them too. Tokens and
-- reset links are stored as SHA-256 hex of the random value, never the
-- value itself.
CREATE TABLE sessions (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id),
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,          -- that of its current refresh token
  user_agent   TEXT    NOT NULL,
  revoked_at   INTEGER                    -- NULL while active
);
CREATE INDEX sessions_user ON sessions (user_id, last_used_at);

CREATE TABLE refresh_tokens (
  token_hash TEXT    PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  expires_at INTEGER NOT NULL,
  rotated_at INTEGER                      -- NULL: the family's current token
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE password_resets (
  token_hash TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER                      -- NULL until used (or superseded by a reset)
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
