-- Wishlists and product reviews. A product's rating lives in products.rating_sum
-- and rating_count, moved by every review write in the same transaction.
CREATE TABLE wishlist_items (
  user_id    BIGINT  NOT NULL REFERENCES users (id),
  product_id BIGINT  NOT NULL REFERENCES products (id),
  added_at   BIGINT  NOT NULL,
  PRIMARY KEY (user_id, product_id)
);
-- A user's list, newest first.
CREATE INDEX wishlist_items_user_added ON wishlist_items (user_id, added_at);
-- Who wishlisted a product (sale-start notifications).
CREATE INDEX wishlist_items_product ON wishlist_items (product_id);

CREATE TABLE reviews (
  id         BIGSERIAL PRIMARY KEY,
  product_id BIGINT  NOT NULL REFERENCES products (id),
  user_id    BIGINT  NOT NULL REFERENCES users (id),
  rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment    TEXT    NOT NULL DEFAULT '',
  created_at BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL,
  UNIQUE (product_id, user_id)  -- one review per buyer per product
);
-- A product's reviews, newest first.
CREATE INDEX reviews_product_newest ON reviews (product_id, created_at, id);
