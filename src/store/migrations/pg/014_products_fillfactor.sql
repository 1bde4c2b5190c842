-- Every order lowers the stock of its products. An UPDATE that changes no
-- indexed column can stay on its page (a HOT update: no new entry in any of
-- the products' nine indexes, the GIN search index among them) only if the
-- page has room for the new row version; at the default fillfactor of 100
-- the catalog's pages are full. Ten percent left free keeps stock changes
-- HOT. It applies to pages written from now on (a VACUUM FULL rewrites the
-- older ones).
ALTER TABLE products SET (fillfactor = 90);
