-- Cash on delivery must be confirmed by every seller of the order (each for
-- its own lines) or by an admin (all lines) within MERCATO_COD_CONFIRM_TTL,
-- or the order expires like an unpaid one. NULL: not confirmed yet.
ALTER TABLE order_items ADD COLUMN confirmed_at INTEGER;
