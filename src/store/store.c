#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/metrics.h"

static char *store_url;
static pthread_key_t conn_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ready;
/* See store_defer_durable(). */
static __thread int defer_durable;
static __thread uint64_t durable_owed;

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

db *store_db(void)
{
	char err[256];
	db *d;

	if (!key_ready || !store_url)
		return NULL;
	d = pthread_getspecific(conn_key);
	if (d)
		return d;
	if (db_open(store_url, &d, err, sizeof(err)) != DB_DONE) {
		log_error("store", "%s", err);
		return NULL;
	}
	pthread_setspecific(conn_key, d);
	return d;
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
	default:
		return MC_ERR_INTERNAL;
	}
}

mc_rc store_begin(db_txn_mode mode)
{
	db *d = store_db();

	if (!d)
		return MC_ERR_INTERNAL;
	return store_rc(db_begin(d, mode));
}

mc_rc store_commit(void)
{
	db *d = store_db();
	uint64_t ticket;
	int rc;

	if (!d)
		return MC_ERR_INTERNAL;
	rc = db_commit(d);
	if (rc != DB_DONE) {
		db_rollback(d);
		return store_rc(rc);
	}
	ticket = db_durable_ticket(d);
	if (!ticket)
		return MC_OK;
	if (defer_durable) {
		durable_owed = ticket;
		return MC_OK;
	}
	return store_durable_wait(ticket);
}

void store_defer_durable(void)
{
	defer_durable = 1;
}

uint64_t store_durable_owed(void)
{
	uint64_t t = durable_owed;

	durable_owed = 0;
	return t;
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
	db *d = store_db();

	if (d)
		db_rollback(d);
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

	if (!d || db_prepare(d, sql, &s) != DB_DONE)
		return NULL;
	return s;
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

mc_rc store_row_int(db_stmt *s, mc_rc when_none, int64_t *v)
{
	int rc = db_step(s);

	if (rc == DB_ROW)
		*v = db_col_is_null(s, 0) ? 0 : db_col_int(s, 0);
	db_reset(s);
	return rc == DB_DONE ? when_none : store_rc(rc);
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
