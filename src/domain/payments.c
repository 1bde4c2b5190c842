#include "domain/payments.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "domain/notify.h"
#include "domain/orders.h"
#include "store/store.h"

static void S_fill(struct payment *p, const struct order *o, const char *method, const char *status,
		   const char *txid, int64_t now)
{
	memset(p, 0, sizeof(*p));
	p->order_id = o->id;
	p->amount = o->total;
	memcpy(p->currency, o->currency, sizeof(p->currency));
	snprintf(p->method, sizeof(p->method), "%s", method);
	snprintf(p->status, sizeof(p->status), "%s", status);
	if (txid) {
		snprintf(p->transaction_id, sizeof(p->transaction_id), "%s", txid);
	} else {
		unsigned char rnd[8];
		char hex[17];

		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		snprintf(p->transaction_id, sizeof(p->transaction_id), "mock_%s", hex);
	}
	p->created_at = p->updated_at = now;
}

/* Checks that the order can take a payment now. */
static mc_rc S_payable(const struct order *o, mc_error *err)
{
	if (!strcmp(o->status, "cancelled") || !strcmp(o->status, "refunded"))
		return mc_fail(err, MC_ERR_CONFLICT, "order_not_payable", "order %lld is %s", (long long)o->id,
			       o->status);
	if (!strcmp(o->payment_status, "paid") || strcmp(o->status, "pending_payment"))
		return mc_fail(err, MC_ERR_CONFLICT, "already_paid", "order %lld is already paid", (long long)o->id);
	return MC_OK;
}

static mc_rc S_load_own(const struct actor *a, int64_t order_id, struct order *o, mc_error *err)
{
	mc_rc rc = store_order_get(order_id, 0, o);

	if (!rc && a->role != ROLE_ADMIN && o->user_id != a->user_id) {
		order_release(o);
		rc = MC_ERR_NOT_FOUND;
	}
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "order_not_found", "no order %lld", (long long)order_id);
	return rc;
}

mc_rc payment_create(const struct actor *a, const struct payment_req *req, struct payment *out,
		     char order_status[20], mc_error *err)
{
	int64_t now = clock_now();
	int cod = !strcmp(req->method, "COD");
	int declined = !cod && req->transaction_id && !strncmp(req->transaction_id, "fail", 4);
	struct payment p, pending;
	struct order o;
	mc_rc rc;

	rc = store_begin(DB_TXN_DURABLE);
	if (rc)
		return rc;
	rc = S_load_own(a, req->order_id, &o, err);
	if (rc) {
		store_rollback();
		return rc;
	}
	rc = S_payable(&o, err);
	if (!rc && cod && !strcmp(o.payment_status, "pending"))
		rc = mc_fail(err, MC_ERR_CONFLICT, "payment_pending", "a cash-on-delivery payment is already pending");
	if (rc)
		goto out;
	S_fill(&p, &o, req->method, declined ? "failed" : cod ? "pending" : "success", req->transaction_id, now);
	if (!cod && !declined) {
		/* Only one request moves the order out of pending_payment. */
		rc = store_order_set_status(o.id, "pending_payment", "processing", now);
		if (rc == MC_ERR_CONFLICT)
			rc = mc_fail(err, rc, "already_paid", "order %lld is already paid", (long long)o.id);
		if (!rc && !store_payment_find(o.id, "pending", &pending))
			rc = store_payment_set_status(pending.id, "pending", "void", now);
	}
	if (!rc && !declined)
		rc = store_order_set_payment_status(o.id, cod ? "pending" : "paid", now);
	if (!rc)
		rc = store_payment_insert(&p);
	if (rc == MC_ERR_CONFLICT && !err->code)
		rc = mc_fail(err, rc, "already_paid", "order %lld is already paid", (long long)o.id);
	if (!rc && !cod)
		rc = notify_order_event(o.id, declined ? "payment_failed" : "payment_succeeded");
out:
	rc = store_finish(rc);
	if (!rc) {
		*out = p;
		snprintf(order_status, 20, "%s", cod || declined ? o.status : "processing");
		if (declined) {
			err->extra = json_pack("{s:I, s:s, s:I}", "paymentId", (json_int_t)p.id, "paymentStatus", "failed",
					       "orderId", (json_int_t)o.id);
			rc = mc_fail(err, MC_ERR_PAYMENT, "payment_failed", "the payment was declined");
		}
	}
	order_release(&o);
	return rc;
}

mc_rc payment_get(const struct actor *a, int64_t id, struct payment *out, mc_error *err)
{
	struct order o;
	mc_rc rc = store_payment_get(id, out);

	if (!rc && a->role != ROLE_ADMIN) {
		rc = store_order_get(out->order_id, 0, &o);
		if (!rc) {
			if (o.user_id != a->user_id)
				rc = MC_ERR_NOT_FOUND;
			order_release(&o);
		}
	}
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "payment_not_found", "no payment %lld", (long long)id);
	return rc;
}

mc_rc payment_settle_cancel(const struct order *o, const char *by, const char *reason, int *refunded)
{
	int64_t now = clock_now();
	struct payment p;
	mc_rc rc;

	*refunded = 0;
	rc = store_payment_find(o->id, "pending", &p);
	if (!rc)
		rc = store_payment_set_status(p.id, "pending", "void", now);
	if (rc && rc != MC_ERR_NOT_FOUND)
		return rc;
	rc = store_payment_find(o->id, "success", &p);
	if (rc == MC_ERR_NOT_FOUND)
		return MC_OK;
	if (!rc)
		rc = store_payment_set_status(p.id, "success", "refunded", now);
	if (!rc)
		rc = store_refund_insert(o->id, p.id, p.amount, reason, by, now);
	if (!rc)
		rc = store_order_set_payment_status(o->id, "refunded", now);
	if (!rc)
		*refunded = 1;
	return rc;
}

mc_rc payment_capture_offline(const struct order *o)
{
	int64_t now = clock_now();
	struct payment p;
	mc_rc rc = store_payment_find(o->id, "pending", &p);

	if (!rc) {
		rc = store_payment_set_status(p.id, "pending", "success", now);
	} else if (rc == MC_ERR_NOT_FOUND) {
		S_fill(&p, o, "OFFLINE", "success", NULL, now);
		rc = store_payment_insert(&p);
	}
	if (!rc)
		rc = store_order_set_payment_status(o->id, "paid", now);
	return rc;
}

mc_rc payment_refund_order(const struct actor *a, int64_t order_id, const char *reason, struct order *out,
			   mc_error *err)
{
	struct order o;
	int refunded = 0;
	mc_rc rc;

	rc = store_begin(DB_TXN_DURABLE);
	if (rc)
		return rc;
	rc = S_load_own(a, order_id, &o, err);
	if (rc) {
		store_rollback();
		return rc;
	}
	if (strcmp(o.status, "delivered"))
		rc = mc_fail(err, MC_ERR_CONFLICT, "illegal_transition",
			     "only a delivered order is refunded this way (this one is %s; cancel it instead)", o.status);
	if (!rc)
		rc = payment_settle_cancel(&o, "admin", reason, &refunded);
	if (!rc && !refunded)
		rc = mc_fail(err, MC_ERR_CONFLICT, "nothing_to_refund", "order %lld has no captured payment",
			     (long long)order_id);
	if (!rc)
		rc = store_order_set_status(order_id, "delivered", "refunded", clock_now());
	if (!rc)
		rc = notify_order_event(order_id, "order_refunded");
	order_release(&o);
	rc = store_finish(rc);
	return rc ? rc : order_get(a, order_id, out, err);
}
