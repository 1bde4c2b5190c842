-- Sessions, the failed-login lockout and stored media. A token issued
-- (iat) before its user's tokens_valid_after is revoked: a password change
-- or a logout-all moves it. Failed logins are counted per normalised email
-- in the database, so every node sees one count and no other key can evict
-- it. media_files records every uploaded image with its seller (the storage
-- quota) and since when no product refers to it (cleanup after a grace).
ALTER TABLE users ADD COLUMN tokens_valid_after BIGINT NOT NULL DEFAULT 0;

CREATE TABLE login_failures (
  email        TEXT    PRIMARY KEY,
  failures     BIGINT  NOT NULL,
  window_start BIGINT  NOT NULL
);
CREATE INDEX login_failures_window ON login_failures (window_start);

CREATE TABLE media_files (
  url                TEXT    PRIMARY KEY,   -- its public path, as products.image_url
  blob_key           TEXT    NOT NULL UNIQUE, -- its key in the blob store (disk or bucket)
  seller_id          BIGINT  NOT NULL,
  bytes              BIGINT  NOT NULL,
  created_at         BIGINT  NOT NULL,
  unreferenced_since BIGINT                 -- NULL while a product shows it
);
CREATE INDEX media_files_seller ON media_files (seller_id);
CREATE INDEX products_image_url ON products (image_url) WHERE deleted_at IS NULL;
