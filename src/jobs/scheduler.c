#include "jobs/scheduler.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "domain/campaigns.h"
#include "domain/media.h"
#include "domain/orders.h"
#include "jobs/loop.h"
#include "store/schedule.h"
#include "store/sessions.h"
#include "store/store.h"

#define DAY 86400
#define LEASE_POLL_MS 200

struct sched_ctx {
	int64_t unpaid_ttl;
	int64_t cod_confirm_ttl;
	int64_t media_grace;
	struct blob_store media;
	int digest_minute;
	char holder[128];           /* this process in scheduler_leases */
};

/* Expires the orders one query finds, batch by batch. */
static mc_rc S_expire(const struct sched_ctx *c, mc_rc (*find)(int64_t, int64_t, size_t, int64_t *, size_t *),
		      int64_t older_than, int64_t *count)
{
	int64_t ids[MC_SCHED_BATCH], after = 0;
	size_t n = MC_SCHED_BATCH;
	mc_rc rc = MC_OK;

	while (!rc && n == MC_SCHED_BATCH) {
		rc = find(older_than, after, MC_SCHED_BATCH, ids, &n);
		for (size_t i = 0; !rc && i < n; i++) {
			mc_rc e = order_expire(ids[i], c->unpaid_ttl, c->cod_confirm_ttl);

			/* CONFLICT: paid, confirmed or cancelled meanwhile. */
			if (!e)
				(*count)++;
			else if (e != MC_ERR_CONFLICT)
				rc = e;
			after = ids[i];
		}
	}
	return rc;
}

/* Unpaid orders, and cash-on-delivery orders nobody confirmed, in time. */
static mc_rc S_expire_unpaid(const struct sched_ctx *c, int64_t *count)
{
	mc_rc rc = S_expire(c, store_unpaid_orders, c->unpaid_ttl, count);

	return rc ? rc : S_expire(c, store_unconfirmed_cod_orders, c->cod_confirm_ttl, count);
}

static mc_rc S_sale_starts(const struct sched_ctx *c, int64_t *count)
{
	int queued = 0;
	mc_rc rc = campaign_sale_starts(clock_now(), &queued);

	*count = queued;
	return rc;
}

static mc_rc S_promo_digest(const struct sched_ctx *c, int64_t *count)
{
	int queued = 0;
	mc_rc rc = campaign_promo_digest(clock_now(), &queued);

	*count = queued;
	return rc;
}

static mc_rc S_cleanup(const struct sched_ctx *c, int64_t *count)
{
	int64_t now;
	mc_rc rc = store_cleanup_guest_carts(MC_GUEST_CART_IDLE, count);

	/* Past the leeway a node still grants an expired token. */
	if (!rc)
		rc = store_cleanup_revoked_tokens(MC_TOKEN_LEEWAY, count);
	if (!rc)
		rc = store_now(&now); /* the database's clock, as for every cut-off */
	if (!rc)
		rc = store_cleanup_sessions(now, now - MC_SESSION_ENDED_KEEP, count);
	if (!rc)
		rc = store_cleanup_login_failures(MC_FAILED_LOGIN_WINDOW, count);
	if (!rc)
		rc = store_cleanup_idempotency_keys(MC_IDEM_TTL, count);
	if (!rc)
		rc = store_cleanup_done_jobs(MC_JOB_DONE_KEEP, count);
	if (!rc)
		rc = media_cleanup(&c->media, c->media_grace, clock_now(), count);
	return rc;
}

static const struct task {
	const char *name;
	mc_rc (*run)(const struct sched_ctx *c, int64_t *count);
	int64_t every;              /* seconds; 0: daily at the digest time */
} tasks[] = {
	{ "expire_unpaid", S_expire_unpaid, MC_SCHED_EVERY_EXPIRE },
	{ "sale_start_notifications", S_sale_starts, MC_SCHED_EVERY_SALES },
	{ "promo_digest", S_promo_digest, 0 },
	{ "cleanup", S_cleanup, MC_SCHED_EVERY_CLEANUP },
};
#define NTASKS (sizeof(tasks) / sizeof(tasks[0]))

struct scheduler {
	struct loop loop;
	struct sched_ctx ctx;
	int64_t next[NTASKS];
};

int64_t scheduler_next_daily(int64_t now, int minute, int catch_up)
{
	int64_t today = now - now % DAY + (int64_t)minute * 60;

	if (now < today)
		return today;
	return catch_up ? now : today + DAY;
}

static void S_ctx(const struct config *cfg, struct sched_ctx *c)
{
	char host[64] = "";

	c->unpaid_ttl = cfg->unpaid_ttl;
	c->cod_confirm_ttl = cfg->cod_confirm_ttl;
	c->media_grace = cfg->media_grace;
	c->media = config_blob_store(cfg);
	/* MERCATO_DIGEST_TIME is validated as HH:MM. */
	c->digest_minute = atoi(cfg->digest_time) * 60 + atoi(cfg->digest_time + 3);
	gethostname(host, sizeof(host) - 1);
	snprintf(c->holder, sizeof(c->holder), "%s/%ld/%08x", host, (long)getpid(), randombytes_random());
}

/* Runs t under its lease; *busy when another process holds it. */
static mc_rc S_run(const struct sched_ctx *c, const struct task *t, int *busy)
{
	int64_t now = clock_now_ms(), count = 0;
	int taken = 0;
	mc_rc rc = store_lease_take(t->name, c->holder, now, now + MC_SCHED_LEASE_MS, &taken);

	*busy = !rc && !taken;
	if (rc)
		log_error("scheduler", "%s: cannot take its lease (%d)", t->name, (int)rc);
	if (rc || !taken)
		return rc;
	rc = t->run(c, &count);
	if (rc)
		log_error("scheduler", "%s failed (%d)", t->name, (int)rc);
	else
		log_info("scheduler", "%s: %lld rows", t->name, (long long)count);
	if (store_lease_release(t->name, c->holder))
		log_error("scheduler", "%s: cannot release the lease; it expires by itself", t->name);
	return rc;
}

static int64_t S_next(const struct scheduler *s, size_t i, int64_t now, int catch_up)
{
	return tasks[i].every ? now + tasks[i].every : scheduler_next_daily(now, s->ctx.digest_minute, catch_up);
}

static void *S_main(void *arg)
{
	struct scheduler *s = arg;
	int64_t now = clock_now(), wake;
	int busy;

	/* Everything runs at start (the digest only if its time has passed). */
	for (size_t i = 0; i < NTASKS; i++)
		s->next[i] = tasks[i].every ? now : S_next(s, i, now, 1);
	log_info("scheduler", "started as %s", s->ctx.holder);
	do {
		for (size_t i = 0; i < NTASKS && !loop_stopping(&s->loop); i++) {
			if (clock_now() >= s->next[i]) {
				/* A run the database refused is tried again soon,
				 * not a whole period later. */
				if (S_run(&s->ctx, &tasks[i], &busy) == MC_ERR_UNAVAILABLE)
					s->next[i] = clock_now() + MC_SCHED_RETRY;
				else
					s->next[i] = S_next(s, i, clock_now(), 0);
			}
		}
		wake = s->next[0];
		for (size_t i = 1; i < NTASKS; i++)
			if (s->next[i] < wake)
				wake = s->next[i];
		now = clock_now();
	} while (!loop_sleep(&s->loop, wake > now ? (wake - now) * 1000 : 0));
	store_thread_release();
	log_info("scheduler", "stopped");
	return NULL;
}

mc_rc scheduler_start(const struct config *cfg, struct scheduler **out)
{
	struct scheduler *s = calloc(1, sizeof(*s));

	if (!s)
		return MC_ERR_INTERNAL;
	S_ctx(cfg, &s->ctx);
	if (loop_start(&s->loop, S_main, s)) {
		free(s);
		return MC_ERR_INTERNAL;
	}
	*out = s;
	return MC_OK;
}

void scheduler_stop(struct scheduler *s)
{
	loop_stop(&s->loop);
	free(s);
}

mc_rc scheduler_run_once(const struct config *cfg, const char *name)
{
	struct timespec pause = { 0, LEASE_POLL_MS * 1000000L };
	struct sched_ctx c;
	int64_t deadline = clock_mono_us() + (int64_t)MC_SCHED_LEASE_WAIT_MS * 1000;
	int busy = 1;
	mc_rc rc = MC_ERR_BUSY;

	S_ctx(cfg, &c);
	for (size_t i = 0; i < NTASKS; i++) {
		if (strcmp(tasks[i].name, name))
			continue;
		/* Another process runs it right now: wait for its lease to end. */
		while ((rc = S_run(&c, &tasks[i], &busy)) == MC_OK && busy && clock_mono_us() < deadline)
			nanosleep(&pause, NULL);
		if (busy)
			log_error("scheduler", "%s: another process still runs it", name);
		return busy ? MC_ERR_BUSY : rc;
	}
	return MC_ERR_NOT_FOUND;
}
