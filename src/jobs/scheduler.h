/* The scheduler: timed jobs, each run by one process at a time across all
 * nodes (a lease row per job in scheduler_leases):
 *   expire_unpaid             unpaid orders older than MERCATO_UNPAID_TTL, and
 *                             cash-on-delivery orders not confirmed within
 *                             MERCATO_COD_CONFIRM_TTL, are cancelled by
 *                             "system" (order_expire), every minute
 *   sale_start_notifications  wishlisted products whose sale began, every minute
 *   promo_digest              daily at MERCATO_DIGEST_TIME (UTC); at start too
 *                             when that time has passed today (the 20 h
 *                             throttle keeps it to one per user)
 *   cleanup                   idle guest carts, expired revoked tokens, old
 *                             idempotency keys and delivered jobs, hourly
 * Every job is idempotent, so several schedulers each running it on their own
 * clock is safe. Runs as `mercato scheduler`, or as a thread of `serve` on
 * SQLite. */
#ifndef MC_SCHEDULER_H
#define MC_SCHEDULER_H

#include <stdint.h>

#include "config.h"
#include "core/result.h"

struct scheduler;

/* Starts the scheduler thread; cfg must outlive it. */
mc_rc scheduler_start(const struct config *cfg, struct scheduler **out);
/* Stops it once the job in progress (if any) has finished. */
void scheduler_stop(struct scheduler *s);

/* Runs job `name` now, waiting (at most MC_SCHED_LEASE_WAIT_MS) while
 * another process runs it. MC_ERR_NOT_FOUND for an unknown name. */
mc_rc scheduler_run_once(const struct config *cfg, const char *name);

/* When a daily job at `minute` (of the UTC day) runs next after `now`;
 * with catch_up, `now` itself when today's time has already passed. */
int64_t scheduler_next_daily(int64_t now, int minute, int catch_up);

#endif
