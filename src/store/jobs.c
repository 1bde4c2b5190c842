#include "store/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "store/store.h"

#define JOB_COLS \
	"id, kind, status, attempts, max_attempts, run_at, created_at, updated_at, dedupe_key, payload, last_error"
/* Due times and leases are on the database's clock (mc_now_ms()), so a
 * worker whose clock runs ahead cannot take a live lease; callers' times
 * become delays from their own clock's now. */
#define DUE "(status = 'queued' AND run_at <= mc_now_ms()) OR (status = 'running' AND lease_until <= mc_now_ms())"
#define CLAIM_SET \
	" UPDATE jobs SET status = 'running', lease_until = mc_now_ms() + ?, attempts = attempts + 1," \
	" updated_at = mc_now() WHERE id IN (SELECT id FROM due) RETURNING " JOB_COLS

static const char sql_enqueue[] =
	"INSERT INTO jobs (kind, dedupe_key, payload, max_attempts, run_at, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, mc_now_ms() + ?, mc_now(), mc_now()) ON CONFLICT (dedupe_key) DO NOTHING";
/* The same claim in both dialects; PostgreSQL also skips rows that another
 * worker's claim has locked, where SQLite's write lock serializes claims. */
/* SQLite plans the OR of DUE, without statistics, as a scan of every
 * queued job and a sort: a claim then cost more the further the worker
 * was behind. Each kind of due job comes from its own partial index
 * instead, in index order. */
static const char sql_claim_sqlite[] =
	"WITH due AS (SELECT id FROM (SELECT id FROM jobs INDEXED BY jobs_queued WHERE status = 'queued'"
	" AND run_at <= mc_now_ms() ORDER BY run_at, id LIMIT ?1) UNION ALL SELECT id FROM (SELECT id FROM jobs"
	" INDEXED BY jobs_running WHERE status = 'running' AND lease_until <= mc_now_ms()"
	" ORDER BY lease_until, id LIMIT ?1) LIMIT ?1)" CLAIM_SET;
static const char sql_claim_pg[] =
	"WITH due AS (SELECT id FROM jobs WHERE " DUE " ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)" CLAIM_SET;
/* Ends a running attempt: status, a retry time, the attempt given back, the error. */
static const char sql_end[] =
	"UPDATE jobs SET status = ?, run_at = COALESCE(mc_now_ms() + ?, run_at), attempts = attempts - ?,"
	" last_error = COALESCE(?, last_error), lease_until = NULL, updated_at = mc_now()"
	" WHERE id = ? AND attempts = ? AND status = 'running'";
static const char sql_requeue[] =
	"UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, lease_until = NULL, updated_at = ?"
	" WHERE id = ? AND status = 'dead'";
static const char sql_get[] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?";
static const char sql_list[] =
	"SELECT " JOB_COLS " FROM jobs WHERE CAST(? AS TEXT) IS NULL OR status = ? ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_count[] = "SELECT COUNT(*) FROM jobs WHERE CAST(? AS TEXT) IS NULL OR status = ?";

void job_release(struct job *j)
{
	free(j->dedupe_key);
	free(j->payload);
	free(j->last_error);
	memset(j, 0, sizeof(*j));
}

void job_list_free(struct job *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		job_release(&items[i]);
	free(items);
}

/* A caller's due time (its clock, ms) as a delay from now, for mc_now_ms(). */
static int64_t S_delay(int64_t run_at_ms)
{
	int64_t d = run_at_ms - clock_now_ms();

	return d > 0 ? d : 0;
}

mc_rc store_job_enqueue(email_kind kind, const char *dedupe_key, const char *payload, int64_t run_at,
			int64_t max_attempts)
{
	db_stmt *s = store_stmt(sql_enqueue);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, email_kind_name(kind));
	db_bind_text(s, 2, dedupe_key);
	db_bind_text(s, 3, payload);
	db_bind_int(s, 4, max_attempts);
	db_bind_int(s, 5, S_delay(run_at));
	return store_send(s);
}

static int S_read_job(db_stmt *s, void *item)
{
	struct job *j = item;

	memset(j, 0, sizeof(*j));
	j->id = db_col_int(s, 0);
	j->kind = email_kind_parse(db_col_text(s, 1));
	j->status = job_state_parse(db_col_text(s, 2));
	j->attempts = db_col_int(s, 3);
	j->max_attempts = db_col_int(s, 4);
	j->run_at = db_col_int(s, 5);
	j->created_at = db_col_int(s, 6);
	j->updated_at = db_col_int(s, 7);
	j->dedupe_key = strdup(db_col_text(s, 8));
	j->payload = strdup(db_col_text(s, 9));
	if (!j->dedupe_key || !j->payload)
		return -1;
	if (!db_col_is_null(s, 10) && !(j->last_error = strdup(db_col_text(s, 10))))
		return -1;
	return 0;
}

/* Reads up to max rows of JOB_COLS. */
static mc_rc S_read_jobs(db_stmt *s, size_t max, struct job **out, size_t *n)
{
	struct job *list = calloc(max ? max : 1, sizeof(*list));
	size_t count = 0;
	mc_rc rc;

	if (!list) {
		db_reset(s);
		return MC_ERR_INTERNAL;
	}
	rc = store_read_rows(s, list, sizeof(*list), max, S_read_job, &count);
	if (rc) {
		job_list_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return MC_OK;
}

mc_rc store_job_claim(int64_t now, int64_t lease_until, size_t max, struct job **out, size_t *n)
{
	db *d = store_db();
	db_stmt *s;
	mc_rc rc;

	if (!d)
		return MC_ERR_UNAVAILABLE;
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	if (!(s = store_stmt(db_get_kind(d) == DB_PG ? sql_claim_pg : sql_claim_sqlite)))
		return store_finish(MC_ERR_INTERNAL);
	db_bind_int(s, 1, (int64_t)max);
	db_bind_int(s, 2, lease_until - now);
	rc = S_read_jobs(s, max, out, n);
	if (rc) {
		store_rollback();
		return rc;
	}
	rc = store_commit();
	if (rc) {
		job_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static mc_rc S_end(int64_t id, int64_t attempt, job_state status, int64_t run_at, int uncount, const char *error)
{
	db_stmt *s = store_stmt(sql_end);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, job_state_name(status));
	if (run_at)
		db_bind_int(s, 2, S_delay(run_at));
	else
		db_bind_null(s, 2);
	db_bind_int(s, 3, uncount);
	db_bind_text(s, 4, error);
	db_bind_int(s, 5, id);
	db_bind_int(s, 6, attempt);
	return store_exec_changed(s, MC_ERR_CONFLICT);
}

mc_rc store_job_complete(int64_t id, int64_t attempt)
{
	return S_end(id, attempt, JOB_DONE, 0, 0, NULL);
}

mc_rc store_job_retry(int64_t id, int64_t attempt, int64_t run_at, const char *error)
{
	return S_end(id, attempt, JOB_QUEUED, run_at, 0, error);
}

mc_rc store_job_bury(int64_t id, int64_t attempt, const char *error)
{
	return S_end(id, attempt, JOB_DEAD, 0, 0, error);
}

mc_rc store_job_unclaim(int64_t id, int64_t attempt)
{
	return S_end(id, attempt, JOB_QUEUED, 0, 1, NULL);
}

mc_rc store_job_get(int64_t id, struct job *out)
{
	db_stmt *s = store_stmt(sql_get);
	struct job *list = NULL;
	size_t n = 0;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, id);
	rc = S_read_jobs(s, 1, &list, &n);
	if (rc)
		return rc;
	if (n)
		*out = list[0];
	free(list);
	return n ? MC_OK : MC_ERR_NOT_FOUND;
}

mc_rc store_job_requeue(int64_t id, int64_t now, struct job *out)
{
	db_stmt *s = store_stmt(sql_requeue);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, now / 1000);
	db_bind_int(s, 3, id);
	/* MC_ERR_NOT_FOUND (no database error maps to it): nothing changed, so
	 * tell a missing job from one that is not dead. */
	rc = store_exec_changed(s, MC_ERR_NOT_FOUND);
	if (rc == MC_ERR_NOT_FOUND) {
		rc = store_job_get(id, out);
		if (!rc)
			job_release(out);
		return rc ? rc : MC_ERR_CONFLICT;
	}
	return rc ? rc : store_job_get(id, out);
}

static void S_bind_status(db_stmt *s, job_state status)
{
	const char *name = status ? job_state_name(status) : NULL;

	db_bind_text(s, 1, name);
	db_bind_text(s, 2, name);
}

mc_rc store_job_list(job_state status, int64_t limit, int64_t offset, struct job **items, size_t *n,
		     int64_t *total)
{
	db_stmt *s = store_stmt(sql_count);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	S_bind_status(s, status);
	rc = store_row_int(s, MC_ERR_INTERNAL, total);
	if (rc)
		return rc;
	if (!(s = store_stmt(sql_list)))
		return MC_ERR_INTERNAL;
	S_bind_status(s, status);
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	return S_read_jobs(s, (size_t)limit, items, n);
}
