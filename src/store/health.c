#include "store/health.h"

#include "store/store.h"

static const char sql_ping[] = "SELECT 1";

mc_rc store_ping(void)
{
	db *d = store_db();
	db_stmt *s;
	int rc;

	if (!d || db_prepare(d, sql_ping, &s) != DB_DONE)
		return MC_ERR_INTERNAL;
	rc = db_step(s);
	db_reset(s);
	return rc == DB_ROW ? MC_OK : store_rc(rc);
}
