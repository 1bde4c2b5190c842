#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/metrics.h"
#include "store/stock.h"

static char *store_url;
static pthread_key_t conn_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ready;
/* The batch of this thread's event-loop turn (store_batch_enable()):
 * open, transaction level 1 is the batch's; durable, its commit will be;
 * joined, the connection was used while it was open since
 * store_batch_joined() last asked; lost, it was rolled back meanwhile. */
static __thread struct {
	int enabled, open, durable, joined, lost;
} batch;
/* Run once the outermost transaction ends (store_after_txn()). */
static __thread void (*after_txn[MC_STORE_AFTER_TXN])(void);
static __thread int nafter;
/* Reconnecting (see store_db()): a transaction is open on this thread's
 * connection; when it was last handed out; when the next connect may be
 * tried, and the wait after the next failure (0: the last one worked). */
static __thread int in_txn;   /* depth: 1 for a transaction, +1 per savepoint in it */
static __thread int64_t used_us;
static __thread int64_t retry_us;
static __thread int64_t backoff_ms;

static void S_close_conn(void *p)
{
	db_close(p);
}

static void S_make_key(void)
{
	key_ready = !pthread_key_create(&conn_key, S_close_conn);
}

mc_rc store_init(const char *url, char *errbuf, size_t errlen)
{
	pthread_once(&key_once, S_make_key);
	if (!key_ready) {
		snprintf(errbuf, errlen, "cannot create a thread key");
		return MC_ERR_INTERNAL;
	}
	free(store_url);
	store_url = strdup(url);
	if (!store_url) {
		snprintf(errbuf, errlen, "out of memory");
		return MC_ERR_INTERNAL;
	}
	if (!pthread_getspecific(conn_key)) {
		db *d = NULL;

		if (db_open(store_url, &d, errbuf, errlen) != DB_DONE)
			return MC_ERR_INTERNAL;
		pthread_setspecific(conn_key, d);
	}
	return MC_OK;
}

/* Opens this thread's connection, or replaces its lost one, at most once
 * per backoff period. */
static db *S_connect(db *lost)
{
	char err[256];
	int64_t now = clock_mono_us();
	db *d = lost;
	int rc;

	if (now < retry_us)
		return NULL;
	rc = lost ? db_reconnect(lost, err, sizeof(err)) : db_open(store_url, &d, err, sizeof(err));
	if (rc != DB_DONE) {
		/* One line per outage and thread, not one per attempt. */
		if (!backoff_ms)
			log_error("store", "%s; retrying with backoff", err);
		backoff_ms = backoff_ms ? backoff_ms * 2 : MC_DB_RECONNECT_MIN_MS;
		if (backoff_ms > MC_DB_RECONNECT_MAX_MS)
			backoff_ms = MC_DB_RECONNECT_MAX_MS;
		retry_us = now + backoff_ms * 1000;
		return NULL;
	}
	if (backoff_ms || lost)
		log_info("store", "connected to the database again");
	backoff_ms = 0;
	pthread_setspecific(conn_key, d);
	return d;
}

/* A lost connection is replaced in place (db_reconnect: the statements
 * that callers hold stay valid), but never inside a transaction: the rest
 * of it would run in autocommit on the new connection. The transaction
 * fails instead, and the caller's rollback ends it. */
db *store_db(void)
{
	int64_t now;
	db *d;

	if (!key_ready || !store_url)
		return NULL;
	d = pthread_getspecific(conn_key);
	batch.joined |= batch.open;
	if (in_txn)
		return d && db_alive(d, 0) ? d : NULL;
	now = clock_mono_us();
	if (d && db_alive(d, now - used_us > MC_DB_IDLE_PROBE_US)) {
		used_us = now;
		return d;
	}
	d = S_connect(d);
	used_us = now;
	return d;
}

db_kind store_kind(void)
{
	return store_url && !strncmp(store_url, "sqlite:", 7) ? DB_SQLITE : DB_PG;
}

void store_thread_release(void)
{
	db *d = key_ready ? pthread_getspecific(conn_key) : NULL;

	if (d) {
		db_close(d);
		pthread_setspecific(conn_key, NULL);
	}
}

void store_shutdown(void)
{
	store_thread_release();
	free(store_url);
	store_url = NULL;
}

mc_rc store_rc(int dbrc)
{
	switch (dbrc) {
	case DB_DONE:
	case DB_ROW:
		return MC_OK;
	case DB_IOERR:
		return MC_ERR_STORAGE;
	case DB_BUSY:
		metrics_inc(METRIC_DB_BUSY);
		return MC_ERR_BUSY;
	case DB_CONSTRAINT:
		return MC_ERR_CONFLICT;
	case DB_GONE:
		return MC_ERR_UNAVAILABLE;
	default:
		return MC_ERR_INTERNAL;
	}
}

/* The name of the savepoint at depth n (2 and up). */
static void S_savepoint(char *buf, size_t len, const char *verb, int n)
{
	snprintf(buf, len, "%s sp%d", verb, n);
}

/* The outermost transaction ended, committed or not. */
static void S_txn_ended(int committed)
{
	int n = nafter;

	in_txn = 0;
	if (batch.open) {
		batch.open = 0;
		batch.lost = !committed;
		batch.joined = 0;
	}
	store_stock_end(committed);
	nafter = 0;
	for (int i = 0; i < n; i++)
		after_txn[i]();
}

mc_rc store_begin(db_txn_mode mode)
{
	db *d = store_db();
	char sql[48];
	mc_rc rc;

	if (!d)
		return MC_ERR_UNAVAILABLE;
	/* A batching thread's first write of the turn opens the batch, and the
	 * transaction asked for becomes its first savepoint. */
	if (!in_txn && batch.enabled && mode != DB_TXN_READ) {
		rc = store_rc(db_begin(d, mode));
		if (rc)
			return rc;
		in_txn = 1;
		batch.open = batch.joined = 1;
		batch.durable = mode == DB_TXN_DURABLE;
	} else if (!in_txn) {
		rc = store_rc(db_begin(d, mode));
		in_txn = !rc;
		return rc;
	}
	if (batch.open && mode == DB_TXN_DURABLE && !batch.durable) {
		if ((rc = store_rc(db_make_durable(d))))
			return rc;
		batch.durable = 1;
	}
	/* Inside a transaction (a batch, or the one an Idempotency-Key request
	 * holds around its handler), a transaction is a savepoint: its rollback
	 * undoes it alone, its commit waits for the outer one. */
	S_savepoint(sql, sizeof(sql), "SAVEPOINT", in_txn + 1);
	rc = store_rc(db_exec_later(d, sql));
	if (!rc)
		in_txn++;
	return rc;
}

/* Commits the outermost transaction; *ticket gets its durable ticket. */
static mc_rc S_commit_outer(uint64_t *ticket)
{
	db *d = store_db();
	int rc;

	if (!d) {
		S_txn_ended(0);
		return MC_ERR_UNAVAILABLE;
	}
	rc = db_commit(d);
	if (rc != DB_DONE && db_alive(d, 0))
		db_rollback(d);
	*ticket = rc == DB_DONE ? db_durable_ticket(d) : 0;
	S_txn_ended(rc == DB_DONE);
	return store_rc(rc);
}

mc_rc store_commit(void)
{
	db *d = store_db();
	uint64_t ticket;
	char sql[48];
	mc_rc rc;

	if (in_txn > 1) {
		int drc;

		if (!d)
			return MC_ERR_UNAVAILABLE;
		/* Writes still waiting (store_send) go now, with the release: a
		 * failure among them is this request's. */
		S_savepoint(sql, sizeof(sql), "RELEASE SAVEPOINT", in_txn--);
		drc = db_exec_later(d, sql);
		return store_rc(drc == DB_DONE ? db_flush_sent(d) : drc);
	}
	/* Only store_batch_commit() ends a batch. */
	if (!in_txn || batch.open) {
		log_error("store", "commit without a transaction");
		return MC_ERR_INTERNAL;
	}
	rc = S_commit_outer(&ticket);
	return rc || !ticket ? rc : store_durable_wait(ticket);
}

void store_batch_enable(int on)
{
	batch.enabled = on;
	/* A serving thread connects now rather than at its first request:
	 * which loop accepts a client is the kernel's choice, so a loop could
	 * otherwise open its connection (and descriptors) at any later time. */
	if (on)
		store_db();
}

int store_batch_joined(int *lost)
{
	int joined = batch.joined && batch.open;

	*lost = batch.lost;
	batch.lost = 0;
	batch.joined = 0;
	return joined;
}

mc_rc store_batch_commit(uint64_t *ticket)
{
	uint64_t t = 0;
	mc_rc rc;

	if (!batch.open) {
		*ticket = 0;
		return MC_OK;
	}
	/* A request that left its savepoint open cannot have it committed. */
	if (in_txn != 1) {
		log_error("store", "a transaction was left open in the batch");
		while (in_txn)
			store_rollback();
		rc = MC_ERR_INTERNAL;
	} else {
		rc = S_commit_outer(&t);
	}
	batch.lost = 0;
	if (!rc)
		*ticket = t;
	return rc;
}

void store_after_txn(void (*fn)(void))
{
	for (int i = 0; i < nafter; i++)
		if (after_txn[i] == fn)
			return;
	if (!in_txn)
		fn();
	else if (nafter < MC_STORE_AFTER_TXN)
		after_txn[nafter++] = fn;
	else
		log_error("store", "more than %d actions after one transaction", MC_STORE_AFTER_TXN);
}

mc_rc store_durable_wait(uint64_t ticket)
{
	return store_rc(db_durable_wait(ticket));
}

mc_rc store_checkpointer_start(void)
{
	db *d = store_db();

	return d && db_checkpointer_start(d) == DB_DONE ? MC_OK : MC_ERR_INTERNAL;
}

void store_checkpointer_stop(void)
{
	db_checkpointer_stop();
}

void store_rollback(void)
{
	db *d = key_ready ? pthread_getspecific(conn_key) : NULL;
	char sql[48];

	if (!in_txn || !d || !db_alive(d, 0)) {
		if (in_txn)
			S_txn_ended(0);
		else
			store_stock_end(0);
		return;
	}
	if (in_txn > 1) {
		/* Back to the savepoint, then drop it: the outer transaction goes
		 * on. Should either fail, so does whatever the transaction runs
		 * next, its commit included. Writes still waiting go first, on
		 * their own: a failure among them would skip the rollback. */
		db_flush_sent(d);
		S_savepoint(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT", in_txn);
		if (db_exec_later(d, sql) == DB_DONE) {
			S_savepoint(sql, sizeof(sql), "RELEASE SAVEPOINT", in_txn--);
			if (db_exec_later(d, sql) == DB_DONE)
				return;
		}
		/* The outer transaction cannot go on either. */
	}
	db_rollback(d);
	S_txn_ended(0);
}

mc_rc store_finish(mc_rc rc)
{
	if (rc) {
		store_rollback();
		return rc;
	}
	return store_commit();
}

db_stmt *store_stmt(const char *sql)
{
	db *d = store_db();
	db_stmt *s;
	int rc;

	/* Unreachable: the caller fails with DB_GONE when it steps. */
	if (!d)
		return db_down_stmt();
	rc = db_prepare(d, sql, &s);
	if (rc == DB_GONE)
		return db_down_stmt();
	return rc == DB_DONE ? s : NULL;
}

mc_rc store_exec(db_stmt *s, int64_t *changes)
{
	int rc = db_step(s);

	db_reset(s);
	/* The statement came from store_stmt(), so the connection is open. */
	if (changes)
		*changes = rc < 0 ? 0 : db_changes(store_db());
	return store_rc(rc);
}

mc_rc store_send(db_stmt *s)
{
	return in_txn ? store_rc(db_send(s)) : store_exec(s, NULL);
}

mc_rc store_exec_changed(db_stmt *s, mc_rc when_none)
{
	int64_t changes;
	mc_rc rc = store_exec(s, &changes);

	return rc ? rc : changes ? MC_OK : when_none;
}

mc_rc store_row(db_stmt *s, mc_rc when_none)
{
	int rc = db_step(s);

	if (rc == DB_ROW)
		return MC_OK;
	db_reset(s);
	return rc == DB_DONE ? when_none : store_rc(rc);
}

mc_rc store_row_by_id(const char *sql, int64_t id, db_stmt **out)
{
	db_stmt *s = store_stmt(sql);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, id);
	rc = store_row(s, MC_ERR_NOT_FOUND);
	if (!rc)
		*out = s;
	return rc;
}

mc_rc store_row_by_text(const char *sql, const char *key, db_stmt **out)
{
	db_stmt *s = store_stmt(sql);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, key);
	rc = store_row(s, MC_ERR_NOT_FOUND);
	if (!rc)
		*out = s;
	return rc;
}

mc_rc store_row_int(db_stmt *s, mc_rc when_none, int64_t *v)
{
	int rc = db_step(s);

	if (rc == DB_ROW)
		*v = db_col_is_null(s, 0) ? 0 : db_col_int(s, 0);
	db_reset(s);
	return rc == DB_DONE ? when_none : store_rc(rc);
}

mc_rc store_read_rows(db_stmt *s, void *items, size_t size, size_t max, store_row_fn *read, size_t *n)
{
	size_t count = 0;
	int rc = DB_DONE;

	while (count < max && (rc = db_step(s)) == DB_ROW)
		if (read(s, (char *)items + size * count++)) {
			rc = DB_ERR;
			break;
		}
	while (rc == DB_ROW)
		rc = db_step(s);
	db_reset(s);
	*n = count;
	return rc < 0 ? store_rc(rc) : MC_OK;
}

static const char sql_now[] = "SELECT mc_now()";

mc_rc store_now(int64_t *now)
{
	db_stmt *s = store_stmt(sql_now);

	return s ? store_row_int(s, MC_ERR_INTERNAL, now) : MC_ERR_INTERNAL;
}

mc_rc store_exec_ints(const char *sql, int n, const int64_t *v, int64_t *changes)
{
	db_stmt *s = store_stmt(sql);

	if (!s)
		return MC_ERR_INTERNAL;
	for (int i = 0; i < n; i++)
		db_bind_int(s, i + 1, v[i]);
	return store_exec(s, changes);
}
