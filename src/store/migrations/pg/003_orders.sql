-- Carts (guest by session, user by id), orders with their lines, and
-- idempotency keys for order-creating requests.
CREATE TABLE carts (
  id           BIGSERIAL PRIMARY KEY,
  user_id      BIGINT  UNIQUE REFERENCES users (id),
  session_hash TEXT    UNIQUE,
  created_at   BIGINT  NOT NULL,
  updated_at   BIGINT  NOT NULL,
  CHECK ((user_id IS NULL) <> (session_hash IS NULL))
);
CREATE INDEX carts_guest_idle ON carts (updated_at) WHERE user_id IS NULL;

CREATE TABLE cart_items (
  cart_id        BIGINT  NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  product_id     BIGINT  NOT NULL REFERENCES products (id),
  quantity       BIGINT  NOT NULL CHECK (quantity BETWEEN 1 AND 999),
  price_snapshot BIGINT  NOT NULL,
  added_at       BIGINT  NOT NULL,
  PRIMARY KEY (cart_id, product_id)
);

CREATE TABLE orders (
  id             BIGSERIAL PRIMARY KEY,
  user_id        BIGINT  NOT NULL REFERENCES users (id),
  status         TEXT    NOT NULL,
  original_total BIGINT  NOT NULL,
  discount       BIGINT  NOT NULL DEFAULT 0,
  total          BIGINT  NOT NULL,
  currency       TEXT    NOT NULL,
  coupon_code    TEXT,
  payment_status TEXT    NOT NULL DEFAULT 'unpaid',
  cancelled_by   TEXT,
  cancel_reason  TEXT,
  created_at     BIGINT  NOT NULL,
  updated_at     BIGINT  NOT NULL
);
CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_status ON orders (status, created_at);

CREATE TABLE order_items (
  order_id   BIGINT  NOT NULL REFERENCES orders (id),
  product_id BIGINT  NOT NULL REFERENCES products (id),
  seller_id  BIGINT  NOT NULL,
  name       TEXT    NOT NULL,
  quantity   BIGINT  NOT NULL CHECK (quantity > 0),
  unit_price BIGINT  NOT NULL,
  line_total BIGINT  NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_items_seller ON order_items (seller_id, order_id);

CREATE TABLE idempotency_keys (
  user_id      BIGINT  NOT NULL,
  scope        TEXT    NOT NULL,
  idem_key     TEXT    NOT NULL,
  request_hash TEXT    NOT NULL,
  status       BIGINT,
  response     TEXT,
  created_at   BIGINT  NOT NULL,
  PRIMARY KEY (user_id, scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
