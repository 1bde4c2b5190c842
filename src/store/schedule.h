/* What the scheduler's timed jobs read and write: the leases that let one
 * process at a time run each job, the candidates of each job, and the
 * throttles of the timed emails. Lease times are Unix milliseconds. */
#ifndef MC_STORE_SCHEDULE_H
#define MC_STORE_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* Takes the lease `name` for `holder` for `until - now` milliseconds (the
 * caller's clock says how long; the database's clock says when it ends)
 * when it is free (past its lease_until) or already holder's; *taken says
 * whether. */
mc_rc store_lease_take(const char *name, const char *holder, int64_t now, int64_t until, int *taken);
/* Frees it at once, if holder still has it. */
mc_rc store_lease_release(const char *name, const char *holder);

/* Ids of orders awaiting payment (no cash-on-delivery payment pending)
 * older than `older_than` seconds by the database's clock, with id > after,
 * ascending. */
mc_rc store_unpaid_orders(int64_t older_than, int64_t after, size_t max, int64_t *ids, size_t *n);
/* Ids of orders with a cash-on-delivery payment pending and a line no
 * seller or admin has confirmed, older than `older_than` seconds by the
 * database's clock, with id > after. */
mc_rc store_unconfirmed_cod_orders(int64_t older_than, int64_t after, size_t max, int64_t *ids, size_t *n);

struct sale_window {
	int64_t product_id;
	int64_t start;
};
/* Live products whose sale began in [since, now] and is still on, not yet
 * announced. */
mc_rc store_sale_starts(int64_t since, int64_t now, size_t max, struct sale_window *out, size_t *n);
/* Records the announcement inside the caller's transaction; *first is 0
 * when it was recorded before (another scheduler got there first). */
mc_rc store_sale_mark(const struct sale_window *w, int64_t now, int *first);
/* Users whose wishlist holds the product, id > after, ascending. */
mc_rc store_wishlist_users(int64_t product_id, int64_t after, size_t max, int64_t *ids, size_t *n);

/* Buyers whose last digest was before `before` (or never), id > after, ascending. */
mc_rc store_digest_due(int64_t before, int64_t after, size_t max, int64_t *ids, size_t *n);
/* Records a digest at `now` inside the caller's transaction unless one was
 * recorded at or after `before`; *first says whether this one counts. */
mc_rc store_digest_mark(int64_t user_id, int64_t now, int64_t before, int *first);

/* Cleanup: each deletes what is older than its age (seconds, by the
 * database's clock) and adds the number of rows to *deleted. */
mc_rc store_cleanup_guest_carts(int64_t idle, int64_t *deleted);
/* Revocations of tokens expired `expired` seconds ago. */
mc_rc store_cleanup_revoked_tokens(int64_t expired, int64_t *deleted);
/* Failed-login windows that began `age` seconds ago. */
mc_rc store_cleanup_login_failures(int64_t age, int64_t *deleted);
mc_rc store_cleanup_idempotency_keys(int64_t age, int64_t *deleted);
/* Delivered jobs last touched `age` seconds ago. */
mc_rc store_cleanup_done_jobs(int64_t age, int64_t *deleted);

#endif
