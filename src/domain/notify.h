/* Queueing emails. Every email is a job in the outbox (store/jobs.h)
 * written in the same transaction as the change that caused it; a worker
 * renders (jobs/render.c) and delivers it later (jobs/worker.c), at least
 * once, with a stable Message-ID.
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

#include <jansson.h>
#include <stdint.h>

#include "core/result.h"
#include "core/states.h"

struct order;
struct user;

/* Sets how many delivery attempts new emails get (MERCATO_MAIL_MAX_ATTEMPTS).
 * Call once at start, before any thread enqueues. */
void notify_init(int64_t max_attempts);

/* event: EMAIL_ORDER_PLACED (checkout), EMAIL_PAYMENT_SUCCEEDED,
 * EMAIL_PAYMENT_FAILED, EMAIL_ORDER_SHIPPED, EMAIL_ORDER_CANCELLED (every
 * cancellation, including the scheduler's expiry and one that ended
 * refunded: the email says so), EMAIL_ORDER_REFUNDED (an admin refund of a
 * delivered order). Another kind is a bug: logged, MC_ERR_INTERNAL. */
mc_rc notify_order_event(int64_t order_id, email_kind event);
/* notify_order_event() for an order the caller holds as written, to its
 * buyer's account, which the caller has read. */
mc_rc notify_order(const struct order *o, email_kind event, const struct user *buyer);
/* The welcome email of a new account. */
mc_rc notify_welcome(int64_t user_id);

/* The password-reset email of a user: `link` opens the storefront's reset
 * form with the token. One per link; `ref` names the link in the dedupe
 * key (a prefix of its hash: the key is shown to admins, the link is not). */
mc_rc notify_password_reset(int64_t user_id, const char *link, const char *ref);

/* One email to one user carrying a part shared by many emails (a product,
 * a product list) under `what`; one per (kind, a, b, user). For the timed
 * campaigns (domain/campaigns.c). */
mc_rc notify_user(int64_t user_id, email_kind kind, int64_t a, int64_t b, const char *what, json_t *shared);

#endif
