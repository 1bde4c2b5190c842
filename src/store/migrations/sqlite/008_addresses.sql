-- Address books, and the shipping address each order keeps as its own copy
-- (editing or deleting a saved address never changes an order).
CREATE TABLE addresses (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users (id),
  -- 1..MC_ADDRESSES_MAX, unique per user: the bound on a book holds under
  -- concurrent inserts (the loser of a slot retries with another).
  slot        INTEGER NOT NULL,
  is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  name        TEXT    NOT NULL,
  line1       TEXT    NOT NULL,
  line2       TEXT    NOT NULL DEFAULT '',
  city        TEXT    NOT NULL,
  state       TEXT    NOT NULL DEFAULT '',
  postal_code TEXT    NOT NULL DEFAULT '',
  country     TEXT    NOT NULL CHECK (length(country) = 2),
  phone       TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (user_id, slot)
);
-- At most one default per user.
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default = 1;

CREATE TABLE order_addresses (
  order_id    INTEGER PRIMARY KEY REFERENCES orders (id),
  name        TEXT    NOT NULL,
  line1       TEXT    NOT NULL,
  line2       TEXT    NOT NULL DEFAULT '',
  city        TEXT    NOT NULL,
  state       TEXT    NOT NULL DEFAULT '',
  postal_code TEXT    NOT NULL DEFAULT '',
  country     TEXT    NOT NULL,
  phone       TEXT    NOT NULL DEFAULT ''
);
