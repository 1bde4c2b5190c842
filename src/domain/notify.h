/* Emails. Every email is a job in the outbox (store/jobs.h) written in the
 * same transaction as the change that caused it; a worker renders and
 * delivers it later (jobs/worker.c), at least once, with a stable
 * Message-ID.
 *
 * Contract of notify_order_event() and notify_welcome():
 *   - Call it INSIDE the caller's open write transaction (store_begin), after
 *     the change is written and before store_commit(). It reads the order or
 *     user through that transaction, so the email shows the change itself
 *     (e.g. the order as cancelled or refunded), snapshotted into the job.
 *   - A non-zero result means the job could not be written: fail the
 *     transaction with it (roll back). The change and its email commit
 *     together or not at all; after a rollback no job exists.
 *   - It is idempotent: one email per (event, order, recipient). A second
 *     call for the same event and order (a retried request, a second failed
 *     payment) adds nothing.
 *   - It never touches the network and never waits for delivery.
 * Only the buyer is emailed. */
#ifndef MC_NOTIFY_H
#define MC_NOTIFY_H

#include <stdint.h>

#include "core/result.h"

/* Sets how many delivery attempts new emails get (MERCATO_MAIL_MAX_ATTEMPTS).
 * Call once at start, before any thread enqueues. */
void notify_init(int64_t max_attempts);

/* event: "order_placed" (checkout), "payment_succeeded", "payment_failed",
 * "order_shipped", "order_cancelled" (every cancellation, including the
 * scheduler's expiry and one that ended refunded: the email says so),
 * "order_refunded" (an admin refund of a delivered order).
 * MC_ERR_INVALID for another event name (a bug: log and fail). */
mc_rc notify_order_event(int64_t order_id, const char *event);
/* The welcome email of a new account. */
mc_rc notify_welcome(int64_t user_id);

/* Timed campaigns (the scheduler); each runs its own short transactions.
 * Announces sales that began within MC_SALE_NOTIFY_WINDOW to every user
 * whose wishlist holds the product, once per (product, sale start). */
mc_rc notify_sale_starts(int64_t now, int *queued);
/* Emails every buyer not emailed in MC_DIGEST_THROTTLE the products on sale
 * now (nothing when none is). */
mc_rc notify_promo_digest(int64_t now, int *queued);

/* An email ready for MIME: UTF-8 text, subject not yet encoded. */
struct email {
	char *to;
	char *subject;
	char *text;
	char *html;
	int64_t ref;                /* the order, product or user it is about (for the Message-ID) */
};

void email_release(struct email *e);

/* Renders a job's email from its kind and payload (pure: no database). */
mc_rc notify_render(const char *kind, const char *payload, struct email *out);

#endif
