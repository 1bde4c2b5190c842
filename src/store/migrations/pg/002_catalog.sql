-- Catalog: products (soft-deleted), full-text search, and the catalog version
-- every node polls to invalidate its response cache.
CREATE TABLE products (
  id              BIGSERIAL PRIMARY KEY,
  seller_id       BIGINT  NOT NULL REFERENCES users (id),
  name            TEXT    NOT NULL,
  description     TEXT    NOT NULL DEFAULT '',
  price           BIGINT  NOT NULL CHECK (price >= 0),
  currency        TEXT    NOT NULL DEFAULT 'INR',
  image_url       TEXT,
  category        TEXT    NOT NULL DEFAULT '',
  stock           BIGINT  NOT NULL CHECK (stock >= 0),
  sale_start      BIGINT,
  sale_end        BIGINT,
  sale_percentage INTEGER CHECK (sale_percentage BETWEEN 1 AND 90),
  rating_sum      BIGINT  NOT NULL DEFAULT 0,
  rating_count    BIGINT  NOT NULL DEFAULT 0,
  external_ref    TEXT    UNIQUE,
  deleted_at      BIGINT,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  search          tsvector GENERATED ALWAYS AS (
                    to_tsvector('simple', name || ' ' || description || ' ' || category)) STORED
);
CREATE INDEX products_live_created ON products (created_at) WHERE deleted_at IS NULL;
CREATE INDEX products_category ON products (category) WHERE deleted_at IS NULL;
CREATE INDEX products_seller ON products (seller_id);
CREATE INDEX products_sale_start ON products (sale_start) WHERE sale_start IS NOT NULL;
CREATE INDEX products_sale_end ON products (sale_end) WHERE sale_end IS NOT NULL;
CREATE INDEX products_search ON products USING GIN (search);

CREATE TABLE catalog_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT  NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);
