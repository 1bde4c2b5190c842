-- Carts (guest by session, user by id), orders with their lines, and
-- idempotency keys for order-creating requests.
CREATE TABLE carts (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER UNIQUE REFERENCES users (id),
  session_hash TEXT    UNIQUE,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  CHECK ((user_id IS NULL) <> (session_hash IS NULL))
);
CREATE INDEX carts_guest_idle ON carts (updated_at) WHERE user_id IS NULL;

CREATE TABLE cart_items (
  cart_id        INTEGER NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  product_id     INTEGER NOT NULL REFERENCES products (id),
  quantity       INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
  price_snapshot INTEGER NOT NULL,
  added_at       INTEGER NOT NULL,
  PRIMARY KEY (cart_id, product_id)
);

CREATE TABLE orders (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users (id),
  status         TEXT    NOT NULL,
  original_total INTEGER NOT NULL,
  discount       INTEGER NOT NULL DEFAULT 0,
  total          INTEGER NOT NULL,
  currency       TEXT    NOT NULL,
  coupon_code    TEXT,
  payment_status TEXT    NOT NULL DEFAULT 'unpaid',
  cancelled_by   TEXT,
  cancel_reason  TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_status ON orders (status, created_at);

CREATE TABLE order_items (
  order_id   INTEGER NOT NULL REFERENCES orders (id),
  product_id INTEGER NOT NULL REFERENCES products (id),
  seller_id  INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  quantity   INTEGER NOT NULL CHECK (quantity > 0),
  unit_price INTEGER NOT NULL,
  line_total INTEGER NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_items_seller ON order_items (seller_id, order_id);

CREATE TABLE idempotency_keys (
  user_id      INTEGER NOT NULL,
  scope        TEXT    NOT NULL,
  idem_key     TEXT    NOT NULL,
  request_hash TEXT    NOT NULL,
  status       INTEGER,
  response     TEXT,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (user_id, scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
