-- Coupons (store-wide or per seller), mock payments and refunds.
CREATE TABLE coupons (
  id                  INTEGER PRIMARY KEY,
  code                TEXT    NOT NULL UNIQUE,  -- stored upper-case: codes are case-insensitive
  discount_percentage INTEGER NOT NULL CHECK (discount_percentage BETWEEN 1 AND 100),
  valid_from          INTEGER NOT NULL,
  valid_to            INTEGER NOT NULL,
  usage_limit         INTEGER NOT NULL CHECK (usage_limit >= 0),
  used_count          INTEGER NOT NULL DEFAULT 0,
  seller_id           INTEGER REFERENCES users (id),  -- NULL: store-wide
  is_active           INTEGER NOT NULL DEFAULT 1,
  created_by          INTEGER NOT NULL REFERENCES users (id),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  CHECK (used_count >= 0 AND used_count <= usage_limit)
);
CREATE INDEX coupons_seller ON coupons (seller_id);

ALTER TABLE orders ADD COLUMN coupon_id INTEGER REFERENCES coupons (id);

CREATE TABLE payments (
  id             INTEGER PRIMARY KEY,
  order_id       INTEGER NOT NULL REFERENCES orders (id),
  amount         INTEGER NOT NULL,
  currency       TEXT    NOT NULL,
  method         TEXT    NOT NULL,
  status         TEXT    NOT NULL,  -- success | pending | failed | refunded | void
  transaction_id TEXT,
  refund_date    INTEGER,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);
-- Exactly one captured payment per order, whatever the races.
CREATE UNIQUE INDEX payments_one_capture ON payments (order_id) WHERE status IN ('success', 'refunded');

CREATE TABLE refunds (
  id         INTEGER PRIMARY KEY,
  order_id   INTEGER NOT NULL UNIQUE REFERENCES orders (id),
  payment_id INTEGER NOT NULL REFERENCES payments (id),
  amount     INTEGER NOT NULL,
  reason     TEXT,
  created_by TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
