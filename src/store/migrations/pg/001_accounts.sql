-- Accounts and revoked tokens. Times are Unix seconds; emails are stored lower-cased.
CREATE TABLE users (
  id            BIGSERIAL PRIMARY KEY,
  email         TEXT    NOT NULL UNIQUE,
  name          TEXT    NOT NULL,
  password_hash TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('buyer', 'seller', 'admin')),
  created_at    BIGINT  NOT NULL,
  updated_at    BIGINT  NOT NULL
);

CREATE TABLE revoked_tokens (
  jti        TEXT    PRIMARY KEY,
  expires_at BIGINT  NOT NULL
);
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);
