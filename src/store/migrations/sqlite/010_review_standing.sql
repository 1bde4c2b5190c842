-- A review counts (is listed and rated) only while its author has a paid,
-- processing, shipped or delivered order with the product. `counted` follows
-- every order status change (store/reviews.c); reviews written before this
-- rule that have no such order stop counting now.
ALTER TABLE reviews ADD COLUMN counted INTEGER NOT NULL DEFAULT 1;

UPDATE reviews SET counted = 0
WHERE NOT EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id
                  WHERE o.user_id = reviews.user_id AND i.product_id = reviews.product_id
                    AND o.status IN ('paid', 'processing', 'shipped', 'delivered'));

UPDATE products
SET rating_sum = rating_sum - (SELECT COALESCE(SUM(r.rating), 0) FROM reviews r
                               WHERE r.product_id = products.id AND r.counted = 0),
    rating_count = rating_count - (SELECT COUNT(*) FROM reviews r
                                   WHERE r.product_id = products.id AND r.counted = 0)
WHERE id IN (SELECT product_id FROM reviews WHERE counted = 0);

-- The listing reads only reviews that count, newest first.
DROP INDEX reviews_product_newest;
CREATE INDEX reviews_product_newest ON reviews (product_id, counted, created_at, id);
