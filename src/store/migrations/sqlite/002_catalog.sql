-- Catalog: products (soft-deleted), full-text search, and the catalog version
-- every node polls to invalidate its response cache.
CREATE TABLE products (
  id              INTEGER PRIMARY KEY,
  seller_id       INTEGER NOT NULL REFERENCES users (id),
  name            TEXT    NOT NULL,
  description     TEXT    NOT NULL DEFAULT '',
  price           INTEGER NOT NULL CHECK (price >= 0),
  currency        TEXT    NOT NULL DEFAULT 'INR',
  image_url       TEXT,
  category        TEXT    NOT NULL DEFAULT '',
  stock           INTEGER NOT NULL CHECK (stock >= 0),
  sale_start      INTEGER,
  sale_end        INTEGER,
  sale_percentage INTEGER CHECK (sale_percentage BETWEEN 1 AND 90),
  rating_sum      INTEGER NOT NULL DEFAULT 0,
  rating_count    INTEGER NOT NULL DEFAULT 0,
  external_ref    TEXT    UNIQUE,
  deleted_at      INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX products_live_created ON products (created_at) WHERE deleted_at IS NULL;
CREATE INDEX products_category ON products (category) WHERE deleted_at IS NULL;
CREATE INDEX products_seller ON products (seller_id);
CREATE INDEX products_sale_start ON products (sale_start) WHERE sale_start IS NOT NULL;
CREATE INDEX products_sale_end ON products (sale_end) WHERE sale_end IS NOT NULL;

CREATE VIRTUAL TABLE products_fts USING fts5 (
  name, description, category, content = 'products', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
  INSERT INTO products_fts (rowid, name, description, category)
  VALUES (new.id, new.name, new.description, new.category);
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
  INSERT INTO products_fts (products_fts, rowid, name, description, category)
  VALUES ('delete', old.id, old.name, old.description, old.category);
END;
CREATE TRIGGER products_fts_au AFTER UPDATE OF name, description, category ON products BEGIN
  INSERT INTO products_fts (products_fts, rowid, name, description, category)
  VALUES ('delete', old.id, old.name, old.description, old.category);
  INSERT INTO products_fts (rowid, name, description, category)
  VALUES (new.id, new.name, new.description, new.category);
END;

CREATE TABLE catalog_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);
