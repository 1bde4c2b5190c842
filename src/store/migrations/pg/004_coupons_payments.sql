-- Coupons (store-wide or per seller), mock payments and refunds.
CREATE TABLE coupons (
  id                  BIGSERIAL PRIMARY KEY,
  code                TEXT    NOT NULL UNIQUE,  -- stored upper-case: codes are case-insensitive
  discount_percentage BIGINT  NOT NULL CHECK (discount_percentage BETWEEN 1 AND 100),
  valid_from          BIGINT  NOT NULL,
  valid_to            BIGINT  NOT NULL,
  usage_limit         BIGINT  NOT NULL CHECK (usage_limit >= 0),
  used_count          BIGINT  NOT NULL DEFAULT 0,
  seller_id           BIGINT  REFERENCES users (id),  -- NULL: store-wide
  is_active           BIGINT  NOT NULL DEFAULT 1,
  created_by          BIGINT  NOT NULL REFERENCES users (id),
  created_at          BIGINT  NOT NULL,
  updated_at          BIGINT  NOT NULL,
  CHECK (used_count >= 0 AND used_count <= usage_limit)
);
CREATE INDEX coupons_seller ON coupons (seller_id);

ALTER TABLE orders ADD COLUMN coupon_id BIGINT  REFERENCES coupons (id);

CREATE TABLE payments (
  id             BIGSERIAL PRIMARY KEY,
  order_id       BIGINT  NOT NULL REFERENCES orders (id),
  amount         BIGINT  NOT NULL,
  currency       TEXT    NOT NULL,
  method         TEXT    NOT NULL,
  status         TEXT    NOT NULL,  -- success | pending | failed | refunded | void
  transaction_id TEXT,
  refund_date    BIGINT,
  created_at     BIGINT  NOT NULL,
  updated_at     BIGINT  NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);
-- Exactly one captured payment per order, whatever the races.
CREATE UNIQUE INDEX payments_one_capture ON payments (order_id) WHERE status IN ('success', 'refunded');

CREATE TABLE refunds (
  id         BIGSERIAL PRIMARY KEY,
  order_id   BIGINT  NOT NULL UNIQUE REFERENCES orders (id),
  payment_id BIGINT  NOT NULL REFERENCES payments (id),
  amount     BIGINT  NOT NULL,
  reason     TEXT,
  created_by TEXT    NOT NULL,
  created_at BIGINT  NOT NULL
);
