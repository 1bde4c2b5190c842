#include "store/health.h"

#include "store/store.h"

static const char sql_ping[] = "SELECT 1";

mc_rc store_ping(void)
{
	db_stmt *s = store_stmt(sql_ping);

	return s ? store_exec(s, NULL) : MC_ERR_INTERNAL;
}
