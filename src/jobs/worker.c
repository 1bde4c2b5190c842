#include "jobs/worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/fs.h"
#include "core/log.h"
#include "jobs/loop.h"
#include "jobs/mail.h"
#include "jobs/render.h"
#include "store/jobs.h"
#include "store/store.h"

struct worker {
	struct loop loop;
	const struct config *cfg;
	char spool[4096];
	int failing; /* the last claim failed: the database is unreachable */
};

int64_t worker_backoff_ms(int64_t base, int64_t attempt, uint32_t rnd)
{
	int64_t d = base;

	for (int64_t i = 1; i < attempt && d < MC_JOB_BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > MC_JOB_BACKOFF_MAX_MS)
		d = MC_JOB_BACKOFF_MAX_MS;
	return d / 2 + (int64_t)(rnd % (uint64_t)(d / 2 + 1));
}

/* Renders and delivers one job; *r says why when it fails. */
static mc_rc S_deliver(struct worker *w, const struct job *j, struct mail_result *r)
{
	char id[MAIL_ID_MAX];
	struct email e;
	strbuf msg;
	mc_rc rc;

	memset(r, 0, sizeof(*r));
	r->permanent = 1;
	if (j->attempts > j->max_attempts) {
		/* Claimed again after its last attempt's worker died. */
		snprintf(r->error, sizeof(r->error), "the last attempt's worker stopped before it finished");
		return MC_ERR_BUSY;
	}
	if (render_email(j->kind, j->payload, &e)) {
		snprintf(r->error, sizeof(r->error), "cannot render a %s email from its payload",
			 email_kind_name(j->kind));
		return MC_ERR_BUSY;
	}
	mail_message_id(email_kind_name(j->kind), e.ref, j->dedupe_key, id);
	strbuf_init(&msg);
	mail_compose(&e, w->cfg->smtp_from, id, j->created_at, &msg);
	if (msg.failed) {
		r->permanent = 0;
		snprintf(r->error, sizeof(r->error), "out of memory");
		rc = MC_ERR_BUSY;
	} else if (*w->cfg->smtp_url) {
		rc = mail_send_smtp(w->cfg->smtp_url, w->cfg->smtp_from, e.to, msg.buf, msg.len, r);
	} else {
		rc = mail_spool(w->spool, id, msg.buf, msg.len, r);
	}
	strbuf_release(&msg);
	email_release(&e);
	return rc;
}

/* Records the outcome of one attempt, inside the batch's transaction. */
static void S_record(struct worker *w, const struct job *j, mc_rc rc, const struct mail_result *r)
{
	const char *kind = email_kind_name(j->kind);
	mc_rc rec;

	if (!rc) {
		rec = store_job_complete(j->id, j->attempts);
		log_info("worker", "job %lld (%s) delivered, attempt %lld", (long long)j->id, kind,
			 (long long)j->attempts);
	} else if (r->permanent || j->attempts >= j->max_attempts) {
		rec = store_job_bury(j->id, j->attempts, r->error);
		log_error("worker", "job %lld (%s) dead after attempt %lld: %s", (long long)j->id, kind,
			  (long long)j->attempts, r->error);
	} else {
		int64_t wait = worker_backoff_ms(w->cfg->mail_backoff_ms, j->attempts, randombytes_random());

		rec = store_job_retry(j->id, j->attempts, clock_now_ms() + wait, r->error);
		log_info("worker", "job %lld (%s) attempt %lld failed, retry in %lld ms: %s", (long long)j->id, kind,
			 (long long)j->attempts, (long long)wait, r->error);
	}
	/* CONFLICT: the lease ran out and another worker owns the job now. */
	if (rec)
		log_error("worker", "job %lld: cannot record attempt %lld (%d)", (long long)j->id, (long long)j->attempts,
			  (int)rec);
}

/* Delivers a claimed batch, then records every outcome in one transaction.
 * The spool directory is flushed once, before its files count as delivered. */
static void S_run_batch(struct worker *w, const struct job *jobs, size_t n)
{
	struct mail_result r[MC_JOB_BATCH];
	mc_rc rc[MC_JOB_BATCH];
	size_t done = 0;
	int spool = !*w->cfg->smtp_url;

	if (spool && fs_mkdirs(w->spool)) {
		log_error("worker", "cannot create %s: %s", w->spool, strerror(errno));
		return; /* the leases run out and the jobs are claimed again */
	}
	for (; done < n && !loop_stopping(&w->loop); done++)
		rc[done] = S_deliver(w, &jobs[done], &r[done]);
	if (spool && done && fs_sync_dir(w->spool)) {
		for (size_t i = 0; i < done; i++)
			if (!rc[i]) {
				snprintf(r[i].error, sizeof(r[i].error), "spool flush: %s", strerror(errno));
				r[i].permanent = 0;
				rc[i] = MC_ERR_BUSY;
			}
	}
	if (store_begin(DB_TXN_WRITE)) {
		log_error("worker", "cannot record %zu deliveries", n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i < done)
			S_record(w, &jobs[i], rc[i], &r[i]);
		else if (store_job_unclaim(jobs[i].id, jobs[i].attempts))
			log_error("worker", "job %lld: cannot hand it back", (long long)jobs[i].id);
	}
	if (store_commit())
		log_error("worker", "cannot record %zu deliveries", n);
}

static void *S_main(void *arg)
{
	struct worker *w = arg;
	size_t n;

	log_info("worker", "started: %s", *w->cfg->smtp_url ? "smtp" : w->spool);
	do {
		int64_t now = clock_now_ms();
		struct job *jobs = NULL;
		mc_rc rc = store_job_claim(now, now + w->cfg->job_lease_ms, MC_JOB_BATCH, &jobs, &n);

		/* One line an outage, not one a poll. */
		if (rc && !w->failing)
			log_error("worker", "cannot claim jobs (%d); trying again every poll", (int)rc);
		else if (!rc && w->failing)
			log_info("worker", "claiming jobs again");
		w->failing = rc != MC_OK;
		if (rc)
			n = 0;
		if (n)
			S_run_batch(w, jobs, n);
		job_list_free(jobs, n);
		/* A full batch: more may be due at once. */
	} while (n == MC_JOB_BATCH ? !loop_stopping(&w->loop) : !loop_sleep(&w->loop, w->cfg->worker_poll_ms));
	store_thread_release();
	log_info("worker", "stopped");
	return NULL;
}

mc_rc worker_start(const struct config *cfg, struct worker **out)
{
	struct worker *w = calloc(1, sizeof(*w));
	int n;

	if (!w)
		return MC_ERR_INTERNAL;
	w->cfg = cfg;
	n = snprintf(w->spool, sizeof(w->spool), "%s/mail", cfg->data_dir);
	if (n < 0 || (size_t)n >= sizeof(w->spool) || curl_global_init(CURL_GLOBAL_DEFAULT)) {
		free(w);
		return MC_ERR_INTERNAL;
	}
	if (loop_start(&w->loop, S_main, w)) {
		curl_global_cleanup();
		free(w);
		return MC_ERR_INTERNAL;
	}
	*out = w;
	return MC_OK;
}

void worker_stop(struct worker *w)
{
	loop_stop(&w->loop);
	curl_global_cleanup();
	free(w);
}
