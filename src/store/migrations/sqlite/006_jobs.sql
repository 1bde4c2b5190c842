-- Background jobs: the outbox every email goes through, the leases that let
-- one scheduler at a time run a timed job, and what the timed emails already
-- sent. run_at and lease_until are Unix MILLISECONDS (retry backoff and
-- leases are shorter than a second in tests); other times are seconds.
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL,
  dedupe_key   TEXT    NOT NULL UNIQUE,  -- e.g. order_placed:42:buyer@example.com
  payload      TEXT    NOT NULL,         -- JSON
  status       TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
  run_at       INTEGER NOT NULL,
  lease_until  INTEGER,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
-- Due work: queued by run_at, running by lease expiry; admin lists by status.
CREATE INDEX jobs_queued ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE status = 'running';
CREATE INDEX jobs_status ON jobs (status, id);

CREATE TABLE scheduler_leases (
  name        TEXT    PRIMARY KEY,
  holder      TEXT    NOT NULL,
  lease_until INTEGER NOT NULL
);

-- One announcement per sale window of a product.
CREATE TABLE sale_notifications (
  product_id INTEGER NOT NULL REFERENCES products (id),
  sale_start INTEGER NOT NULL,
  sent_at    INTEGER NOT NULL,
  PRIMARY KEY (product_id, sale_start)
);

-- The last promotional digest per user (the 20 h throttle).
CREATE TABLE digest_sends (
  user_id INTEGER PRIMARY KEY REFERENCES users (id),
  sent_at INTEGER NOT NULL
);
