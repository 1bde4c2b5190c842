#include "domain/payments.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

static void S_fill(struct payment *p, const struct order *o, payment_method method, payment_status status,
		   const char *txid, int64_t now)
{
	memset(p, 0, sizeof(*p));
	p->order_id = o->id;
	p->amount = o->total;
	memcpy(p->currency, o->currency, sizeof(p->currency));
	p->method = method;
	p->status = status;
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

payment_status payment_outcome(const struct payment_req *req)
{
	if (req->method == METHOD_COD)
		return PAYMENT_PENDING;
	if (req->transaction_id && !strncmp(req->transaction_id, "fail", 4))
		return PAYMENT_FAILED;
	return PAYMENT_SUCCESS;
}

mc_rc payment_record(const struct order *o, const struct payment_req *req, payment_status st, struct payment *out)
{
	int64_t now = clock_now();
	struct payment p, pending;
	mc_rc rc = MC_OK;

	S_fill(&p, o, req->method, st, req->transaction_id, now);
	if (st == PAYMENT_SUCCESS && !store_payment_find(o->id, PAYMENT_PENDING, &pending))
		rc = store_payment_set_status(pending.id, PAYMENT_PENDING, PAYMENT_VOID, now);
	if (!rc && st != PAYMENT_FAILED)
		rc = store_order_set_payment_status(o->id, st == PAYMENT_PENDING ? PAY_PENDING : PAY_PAID, now);
	if (!rc)
		rc = store_payment_insert(&p);
	if (!rc)
		*out = p;
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
	rc = store_payment_find(o->id, PAYMENT_PENDING, &p);
	if (!rc)
		rc = store_payment_set_status(p.id, PAYMENT_PENDING, PAYMENT_VOID, now);
	if (rc && rc != MC_ERR_NOT_FOUND)
		return rc;
	rc = store_payment_find(o->id, PAYMENT_SUCCESS, &p);
	if (rc == MC_ERR_NOT_FOUND)
		return MC_OK;
	if (!rc)
		rc = store_payment_set_status(p.id, PAYMENT_SUCCESS, PAYMENT_REFUNDED, now);
	if (!rc)
		rc = store_refund_insert(o->id, p.id, p.amount, reason, by, now);
	if (!rc)
		rc = store_order_set_payment_status(o->id, PAY_REFUNDED, now);
	if (!rc)
		*refunded = 1;
	return rc;
}

mc_rc payment_capture_offline(const struct order *o)
{
	int64_t now = clock_now();
	struct payment p;
	mc_rc rc = store_payment_find(o->id, PAYMENT_PENDING, &p);

	if (!rc) {
		rc = store_payment_set_status(p.id, PAYMENT_PENDING, PAYMENT_SUCCESS, now);
	} else if (rc == MC_ERR_NOT_FOUND) {
		S_fill(&p, o, METHOD_OFFLINE, PAYMENT_SUCCESS, NULL, now);
		rc = store_payment_insert(&p);
	}
	if (!rc)
		rc = store_order_set_payment_status(o->id, PAY_PAID, now);
	return rc;
}
