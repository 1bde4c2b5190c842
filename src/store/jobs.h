/* The outbox: jobs written in the transaction of the change that caused
 * them, claimed by workers under a lease.
 *
 * run_at and lease_until are Unix milliseconds; created_at and updated_at
 * are seconds, like every other table. A job is queued -> running (claimed,
 * attempts counted) -> done | dead, or back to queued for a retry. A worker
 * that dies leaves its jobs running; they are claimed again once the lease
 * has passed. Attempt numbers fence a worker whose lease expired: its late
 * outcome no longer applies (MC_ERR_CONFLICT). */
#ifndef MC_STORE_JOBS_H
#define MC_STORE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/states.h"

struct job {
	int64_t id;
	email_kind kind;            /* EMAIL_NONE: a kind this build does not know */
	job_state status;
	int64_t attempts;           /* once claimed: the number of this attempt */
	int64_t max_attempts;
	int64_t run_at;             /* ms */
	int64_t created_at;
	int64_t updated_at;
	char *dedupe_key;
	char *payload;              /* JSON text */
	char *last_error;           /* NULL: none */
};

void job_release(struct job *j);
void job_list_free(struct job *items, size_t n);

/* Adds a job inside the CALLER's transaction, so it exists exactly when the
 * change that caused it commits. A job with the same dedupe_key makes this
 * a successful no-op. In a transaction the job goes with the next
 * statement (store_send): nothing in it can fail in the normal course. */
mc_rc store_job_enqueue(email_kind kind, const char *dedupe_key, const char *payload, int64_t run_at,
			int64_t max_attempts);

/* Claims up to `max` due jobs (queued and due, or running with an expired
 * lease) in a short transaction of its own: each becomes running until
 * lease_until with its attempt counted. PostgreSQL skips rows another
 * worker is claiming; SQLite takes the write lock. */
mc_rc store_job_claim(int64_t now, int64_t lease_until, size_t max, struct job **out, size_t *n);

/* Outcomes of attempt `attempt` of a claimed job. error (NULL: unchanged)
 * becomes last_error. */
mc_rc store_job_complete(int64_t id, int64_t attempt);
mc_rc store_job_retry(int64_t id, int64_t attempt, int64_t run_at, const char *error);
mc_rc store_job_bury(int64_t id, int64_t attempt, const char *error);
/* Hands back a claimed job that was never started (shutdown), uncounted. */
mc_rc store_job_unclaim(int64_t id, int64_t attempt);

/* Admin: a dead job back to queued and due now, attempts reset.
 * MC_ERR_NOT_FOUND, or MC_ERR_CONFLICT when it is not dead. */
mc_rc store_job_requeue(int64_t id, int64_t now, struct job *out);
mc_rc store_job_get(int64_t id, struct job *out);
/* Newest first; JOB_NONE lists all. */
mc_rc store_job_list(job_state status, int64_t limit, int64_t offset, struct job **items, size_t *n,
		     int64_t *total);

#endif
