-- Cash on delivery must be confirmed by every seller of the order (each for
-- its own lines) or by an admin (all lines) within MERCATO_COD_CONFIRM_TTL,
-- or the order expires like an unpaid one. NULL: not confirmed yet.
ALTER TABLE order_items ADD COLUMN confirmed_at BIGINT;

-- A buyer's unpaid orders, counted at every checkout (MERCATO_MAX_OPEN_ORDERS).
CREATE INDEX orders_open ON orders (user_id) WHERE status = 'pending_payment';
