#include "store/health.h"

#include <string.h>

#include "store/store.h"

static const char sql_ping[] = "SELECT 1";
/* The status index answers this without reading the done jobs' rows. */
static const char sql_job_counts[] =
	"SELECT status, COUNT(*) FROM jobs WHERE status IN ('queued', 'running', 'dead') GROUP BY status";

mc_rc store_ping(void)
{
	db_stmt *s = store_stmt(sql_ping);

	return s ? store_exec(s, NULL) : MC_ERR_INTERNAL;
}

mc_rc store_job_counts(int64_t counts[JOB_STATE_COUNT])
{
	db_stmt *s = store_stmt(sql_job_counts);
	int64_t c[JOB_STATE_COUNT] = { 0 };
	int rc;

	if (!s)
		return MC_ERR_INTERNAL;
	while ((rc = db_step(s)) == DB_ROW) {
		job_state st = job_state_parse(db_col_text(s, 0));

		if (st != JOB_NONE)
			c[st] = db_col_int(s, 1);
	}
	db_reset(s);
	if (rc < 0)
		return store_rc(rc);
	memcpy(counts, c, sizeof(c));
	return MC_OK;
}
