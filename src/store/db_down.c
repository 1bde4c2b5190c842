/* The statement store_stmt() hands out while the database is unreachable,
 * so that every repository function fails with DB_GONE through its usual
 * step / reset path instead of a special case of its own. */
#include "store/db_driver.h"

static void S_close(db *d)
{
}

static int S_gone(db *d)
{
	return DB_GONE;
}

static int S_exec(db *d, const char *sql)
{
	return DB_GONE;
}

static int S_begin(db *d, db_txn_mode mode)
{
	return DB_GONE;
}

static int S_prepare(db *d, const char *sql, db_stmt **out)
{
	return DB_GONE;
}

static void S_stmt_nop(db_stmt *s)
{
}

static void S_bind_int(db_stmt *s, int idx, int64_t v)
{
}

static void S_bind_text(db_stmt *s, int idx, const char *v, size_t len)
{
}

static void S_bind_null(db_stmt *s, int idx)
{
}

static int S_step(db_stmt *s)
{
	return DB_GONE;
}

static int S_col_is_null(db_stmt *s, int col)
{
	return 1;
}

static int64_t S_col_int(db_stmt *s, int col)
{
	return 0;
}

static const char *S_col_text(db_stmt *s, int col)
{
	return "";
}

static int64_t S_changes(db *d)
{
	return 0;
}

static const char *S_errmsg(db *d)
{
	return "the database is unreachable";
}

static int S_alive(db *d, int probe)
{
	return 0;
}

static const struct db_driver down_driver = {
	.close = S_close,
	.alive = S_alive,
	.exec = S_exec,
	.begin = S_begin,
	.commit = S_gone,
	.rollback = S_gone,
	.make_durable = S_gone,
	.prepare = S_prepare,
	.finalize = S_stmt_nop,
	.bind_int = S_bind_int,
	.bind_text = S_bind_text,
	.bind_null = S_bind_null,
	.send = S_step,
	.step = S_step,
	.col_is_null = S_col_is_null,
	.col_int = S_col_int,
	.col_text = S_col_text,
	.reset = S_stmt_nop,
	.changes = S_changes,
	.errmsg = S_errmsg,
};

static struct db down_db = { .drv = &down_driver };
static struct db_stmt down_stmt = { .owner = &down_db };

db_stmt *db_down_stmt(void)
{
	return &down_stmt;
}
