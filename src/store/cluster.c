#include "store/cluster.h"

#include <stdio.h>

#include "store/store.h"

static const char sql_record[] =
	"INSERT INTO cluster_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";
static const char sql_read[] = "SELECT value FROM cluster_settings WHERE name = ?";

mc_rc store_cluster_setting(const char *name, const char *value, char *stored, size_t len)
{
	db_stmt *s = store_stmt(sql_record);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, value);
	rc = store_exec(s, NULL);
	if (rc)
		return rc;
	if (!(s = store_stmt(sql_read)))
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, name);
	rc = store_row(s, MC_ERR_INTERNAL);
	if (!rc) {
		snprintf(stored, len, "%s", db_col_text(s, 0));
		db_reset(s);
	}
	return rc;
}
