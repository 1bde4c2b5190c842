/* SQLite driver: WAL, a busy timeout, BEGIN IMMEDIATE for writes and a
 * group commit for the transactions DESIGN section 7 calls durable. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "store/db_driver.h"
#include "store/db_sqlite_ckpt.h"

struct sq_db {
	struct db base;
	sqlite3 *h;
	char *wal;       /* path of the WAL; NULL for an in-memory database */
	int grouped;     /* wal is the group commit's (see S_group) */
	int durable;     /* the open transaction is DB_TXN_DURABLE */
	int holds_write; /* this connection holds write_lock */
	uint64_t ticket; /* the last durable commit, until taken */
	/* Transaction and savepoint commands, prepared once (S_exec_now):
	 * every request of a batch runs two savepoint commands, and parsing
	 * them was 6% of a cart add; BEGIN IMMEDIATE was 1% of a checkout. */
	struct {
		char sql[MC_SAVEPOINT_SQL_LEN];
		sqlite3_stmt *st;
	} saved[MC_SQLITE_TXN_STMTS];
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

/* Group commit. synchronous=FULL makes COMMIT fdatasync the WAL while it
 * holds the write lock: one disk flush per order, with every other writer
 * waiting (measured: 0.16-0.3 ms per flush here). Durable commits are
 * written like the others (synchronous=NORMAL) instead, and their owner
 * waits for one fdatasync of the WAL issued after the commit, which makes
 * the same promise before the answer goes out. One flush covers every
 * commit written before it, so concurrent waiters share it, and the write
 * lock is free meanwhile. A checkpoint syncs the WAL before copying it and
 * the database after, so frames it moved are durable too. The group is the
 * process's database: the one opened while no connection to another is
 * open; connections to other files sync inline. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *wal, *path;
	int users;                /* open connections in the group */
	_Atomic uint64_t written; /* durable commits written, counted under write_lock */
	uint64_t synced;          /* durable commits known to be on disk */
	int syncing;              /* a thread is in fdatasync for the group */
} S_group = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* 0 when everything written to the file so far is on disk. A missing WAL
 * was checkpointed into the (synced) database and removed. */
static int S_sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	rc = fdatasync(fd);
	close(fd);
	if (rc)
		log_error("sqlite", "fdatasync %s failed", path);
	return rc;
}

static void S_group_join(struct sq_db *d)
{
	const char *name = sqlite3_db_filename(d->h, "main");
	size_t len = name ? strlen(name) : 0;

	if (!len)
		return;
	d->wal = malloc(len + 5);
	if (!d->wal)
		return;
	memcpy(d->wal, name, len);
	memcpy(d->wal + len, "-wal", 5);
	pthread_mutex_lock(&S_group.mu);
	/* syncing: a waiter reads S_group.wal without the mutex. */
	if (!S_group.users && !S_group.syncing && (!S_group.wal || strcmp(S_group.wal, d->wal))) {
		uint64_t written = atomic_load(&S_group.written);

		if (S_group.wal && S_group.synced < written && !S_sync_file(S_group.wal))
			S_group.synced = written;
		free(S_group.wal);
		free(S_group.path);
		S_group.wal = strdup(d->wal);
		S_group.path = strdup(name);
	}
	d->grouped = S_group.wal && S_group.path && !strcmp(S_group.wal, d->wal);
	S_group.users += d->grouped;
	pthread_mutex_unlock(&S_group.mu);
}

static void S_group_leave(struct sq_db *d)
{
	if (!d->grouped)
		return;
	pthread_mutex_lock(&S_group.mu);
	S_group.users--;
	pthread_mutex_unlock(&S_group.mu);
}

int db_sqlite_durable_wait(uint64_t ticket)
{
	int rc = DB_DONE;

	pthread_mutex_lock(&S_group.mu);
	while (S_group.synced < ticket) {
		uint64_t target;

		if (S_group.syncing) {
			pthread_cond_wait(&S_group.cv, &S_group.mu);
			continue;
		}
		/* Every commit counted so far has finished writing its frames. */
		target = atomic_load(&S_group.written);
		S_group.syncing = 1;
		pthread_mutex_unlock(&S_group.mu);
		rc = S_sync_file(S_group.wal) ? DB_IOERR : DB_DONE;
		pthread_mutex_lock(&S_group.mu);
		S_group.syncing = 0;
		if (!rc && target > S_group.synced)
			S_group.synced = target;
		pthread_cond_broadcast(&S_group.cv);
		if (rc)
			break;
	}
	pthread_mutex_unlock(&S_group.mu);
	return rc;
}

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
	int sent;        /* S_send ran the first step: sent_rc is its result */
	int sent_rc;
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
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return DB_IOERR;
	default:
		return DB_ERR;
	}
}

int db_sqlite_checkpointer_start(void)
{
	char *path;
	int rc;

	pthread_mutex_lock(&S_group.mu);
	path = S_group.path ? strdup(S_group.path) : NULL;
	pthread_mutex_unlock(&S_group.mu);
	rc = path ? db_sqlite_ckpt_start(path, &write_lock) : DB_ERR;
	free(path);
	return rc;
}

/* mc_now() and mc_now_ms(): the time in SQL, as PostgreSQL's migrations
 * define them there. One node on SQLite: its clock is the clock. */
static void S_fn_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_result_int64(ctx, clock_now());
}

static void S_fn_now_ms(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_result_int64(ctx, clock_now_ms());
}

static pthread_once_t config_once = PTHREAD_ONCE_INIT;

/* Before SQLite initializes: no global memory statistics, whose mutex
 * every allocation of every connection would take (nothing reads them). */
static void S_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int S_open(const char *path, db **out, char *errbuf, size_t errlen)
{
	struct sq_db *d = calloc(1, sizeof(*d));
	int rc;

	pthread_once(&config_once, S_configure);
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
	if (sqlite3_create_function(d->h, "mc_now", 0, SQLITE_UTF8, NULL, S_fn_now, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(d->h, "mc_now_ms", 0, SQLITE_UTF8, NULL, S_fn_now_ms, NULL, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "sqlite setup %s: %s", path, sqlite3_errmsg(d->h));
		goto fail;
	}
	sqlite3_wal_hook(d->h, db_sqlite_wal_hook, NULL);
	S_group_join(d);
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
	for (int i = 0; i < MC_SQLITE_TXN_STMTS; i++)
		sqlite3_finalize(SQ(d)->saved[i].st);
	S_release_write(SQ(d));
	sqlite3_close(SQ(d)->h);
	S_group_leave(SQ(d));
	free(SQ(d)->wal);
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

/* A transaction or savepoint command from the connection's prepared ones;
 * others (more than fit, or too long) run through S_exec. */
static int S_exec_now(db *d, const char *sql)
{
	struct sq_db *q = SQ(d);
	sqlite3_stmt *st = NULL;
	int i, rc;

	for (i = 0; i < MC_SQLITE_TXN_STMTS && q->saved[i].st; i++)
		if (!strcmp(q->saved[i].sql, sql)) {
			st = q->saved[i].st;
			break;
		}
	if (!st) {
		if (i == MC_SQLITE_TXN_STMTS || strlen(sql) >= sizeof(q->saved[0].sql) ||
		    sqlite3_prepare_v3(q->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &q->saved[i].st, NULL) != SQLITE_OK)
			return S_exec(d, sql);
		snprintf(q->saved[i].sql, sizeof(q->saved[i].sql), "%s", sql);
		st = q->saved[i].st;
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_CONSTRAINT)
		log_error("sqlite", "exec: %s", sqlite3_errmsg(q->h));
	return S_map(rc);
}

static int S_begin(db *d, db_txn_mode mode)
{
	int rc;

	SQ(d)->durable = mode == DB_TXN_DURABLE;
	if (mode == DB_TXN_READ)
		return S_exec_now(d, "BEGIN");
	pthread_mutex_lock(&write_lock);
	SQ(d)->holds_write = 1;
	rc = S_exec_now(d, "BEGIN IMMEDIATE");
	if (rc != DB_DONE)
		S_release_write(SQ(d));
	return rc;
}

static int S_commit(db *d)
{
	struct sq_db *q = SQ(d);
	int rc = S_exec_now(d, "COMMIT");

	/* A busy COMMIT leaves the transaction open until the rollback. */
	if (!sqlite3_get_autocommit(q->h))
		return rc;
	if (rc == DB_DONE && q->durable && q->wal) {
		/* Counted before the lock goes, so tickets follow WAL order. */
		if (q->grouped)
			q->ticket = atomic_fetch_add(&S_group.written, 1) + 1;
		else if (S_sync_file(q->wal))
			rc = DB_IOERR;
	}
	S_release_write(q);
	return rc;
}

static int S_make_durable(db *d)
{
	SQ(d)->durable = 1;
	return DB_DONE;
}

static uint64_t S_take_ticket(db *d)
{
	uint64_t t = SQ(d)->ticket;

	SQ(d)->ticket = 0;
	return t;
}

static int S_rollback(db *d)
{
	int rc;

	/* Nothing open: the COMMIT ended it (a failed flush after it). */
	if (sqlite3_get_autocommit(SQ(d)->h)) {
		S_release_write(SQ(d));
		return DB_DONE;
	}
	rc = S_exec_now(d, "ROLLBACK");

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
	int rc, mapped;

	if (ST(s)->sent) {
		ST(s)->sent = 0;
		return ST(s)->sent_rc;
	}
	rc = sqlite3_step(ST(s)->h);
	mapped = S_map(rc);

	if (mapped == DB_ERR || mapped == DB_IOERR)
		log_error("sqlite", "step: %s", sqlite3_errmsg(SQ(s->owner)->h));
	return mapped;
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

/* There is no round trip to save: the first step runs now, and the
 * caller's first db_step() returns its result. */
static int S_send(db_stmt *s)
{
	ST(s)->sent_rc = S_step(s);
	ST(s)->sent = 1;
	/* Without a row to read, it is over: no statement in progress. */
	if (ST(s)->sent_rc != DB_ROW)
		sqlite3_reset(ST(s)->h);
	return ST(s)->sent_rc < 0 ? ST(s)->sent_rc : DB_DONE;
}

static void S_reset(db_stmt *s)
{
	ST(s)->sent = 0;
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
	.make_durable = S_make_durable,
	.exec_later = S_exec_now,
	.send = S_send,
	.take_ticket = S_take_ticket,
	.prepare = S_prepare,
	.finalize = S_finalize,
	.bind_int = S_bind_int,
	.bind_text = S_bind_text,
	.bind_null = S_bind_null,
	.step = S_step,
	.col_is_null = S_col_is_null,
	.col_int = S_col_int,
	.col_text = S_col_text,
	.reset = S_reset,
	.changes = S_changes,
	.errmsg = S_errmsg,
};
