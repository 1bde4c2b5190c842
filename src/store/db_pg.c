/* PostgreSQL driver over libpq. Statements are server-side prepared once per
 * connection; SQL written with `?` is rewritten to $1..$n at prepare time
 * (db_pg_sql.c).
 * Parameters and results travel in text format.
 *
 * Savepoint commands (pg_exec_later) and started statements (pg_send) wait in
 * one queue, in the order given, and go to the server with the next
 * statement that must run now, in one round trip (libpq's pipeline mode:
 * db_pg_pipeline.c).
 *
 * Semantics that differ from SQLite (store/ code must allow for them):
 *   - an error inside a transaction aborts the whole transaction; only
 *     ROLLBACK works afterwards, and COMMIT of it returns DB_ERR;
 *   - `?` is always a parameter outside literals, so the jsonb ?, ?| and ?&
 *     operators cannot be written (use jsonb_exists() and friends);
 *   - a parameter whose type PostgreSQL cannot infer (`? IS NULL`) fails at
 *     prepare: write CAST(? AS type). */
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "store/db_pg_types.h"

static void S_track_changes(struct pg_db *d, PGresult *res)
{
	int64_t n = pg_changed(res);

	if (n >= 0)
		d->changes = n;
}

/* Server notices would otherwise go to stderr as raw text, breaking the
 * one-JSON-object-per-line log. */
static void S_notice(void *arg, const char *msg)
{
	log_info("pg", "notice: %.*s", pg_msglen(msg), msg);
}

/* Opens d->h (a failed attempt leaves a PGconn whose status is bad). */
static int S_connect(struct pg_db *d, char *errbuf, size_t errlen)
{
	/* The URL's own connect_timeout, if any, wins over this default: a
	 * reconnect must not hang a thread on an address that drops packets. */
	static const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *vals[] = { MC_DB_CONNECT_TIMEOUT, d->url, NULL };
	PGresult *res;
	int rc = DB_DONE;

	d->h = PQconnectdbParams(keys, vals, 1);
	d->gen++;
	if (!d->h) {
		snprintf(errbuf, errlen, "pg connect: out of memory");
		return DB_ERR;
	}
	if (PQstatus(d->h) != CONNECTION_OK) {
		const char *m = PQerrorMessage(d->h);

		snprintf(errbuf, errlen, "pg connect: %.*s", pg_msglen(m), m);
		return DB_ERR;
	}
	PQsetNoticeProcessor(d->h, S_notice, NULL);
	/* "relation already exists, skipping" and friends are NOTICEs. */
	res = PQexec(d->h, "SET client_min_messages = warning");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *m = PQerrorMessage(d->h);

		snprintf(errbuf, errlen, "pg setup: %.*s", pg_msglen(m), m);
		rc = DB_ERR;
	}
	PQclear(res);
	return rc;
}

static int S_open(const char *url, db **out, char *errbuf, size_t errlen)
{
	struct pg_db *d = calloc(1, sizeof(*d));

	if (!d || !(d->url = strdup(url))) {
		snprintf(errbuf, errlen, "out of memory");
		free(d);
		return DB_ERR;
	}
	if (S_connect(d, errbuf, errlen) != DB_DONE) {
		PQfinish(d->h);
		free(d->url);
		free(d);
		return DB_ERR;
	}
	d->base.kind = DB_PG;
	*out = &d->base;
	return DB_DONE;
}

static void S_close(db *d)
{
	PQfinish(PG(d)->h);
	free(PG(d)->url);
	free(d);
}

/* A new connection in place of a lost one: the db and its cached
 * statements stay valid, and each is prepared again on its next use. */
static int S_reconnect(db *d, char *errbuf, size_t errlen)
{
	struct pg_db *p = PG(d);

	PQfinish(p->h);
	pg_wait_drop(p);
	return S_connect(PG(d), errbuf, errlen) == DB_DONE ? DB_DONE : DB_GONE;
}

static int S_alive(db *d, int probe)
{
	PGconn *h = PG(d)->h;
	struct pollfd p = { .fd = PQsocket(h), .events = POLLIN };

	/* Idle between transactions, the server speaks only to say goodbye (a
	 * FATAL message, then end of file) or with a NOTICE. Reading until
	 * there is nothing left lets libpq see the end of file. */
	for (int i = 0; probe && i < 4 && PQstatus(h) == CONNECTION_OK && poll(&p, 1, 0) > 0; i++)
		if (!PQconsumeInput(h))
			break;
	return PQstatus(h) == CONNECTION_OK;
}

static int S_exec(db *d, const char *sql)
{
	char buf[MC_PG_PIPELINE * MC_SAVEPOINT_SQL_LEN + 256];
	struct pg_db *p = PG(d);
	const char *q = sql;
	PGresult *res;
	int rc = DB_DONE;

	/* Started statements run first; a failure among them is this one's. */
	if (p->nwait && (p->nwait_stmts || !(q = pg_with_later(p, sql, buf, sizeof(buf))))) {
		if ((rc = pg_flush(p, NULL)) != DB_DONE)
			return rc;
		q = sql;
	}
	res = PQexec(p->h, q);

	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
		/* COMMIT of an aborted transaction "succeeds" as a ROLLBACK. */
		if (!strcmp(sql, "COMMIT") && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
			log_error("pg", "commit: the transaction had failed and was rolled back");
			rc = DB_ERR;
			goto out;
		}
		/* fall through */
	case PGRES_TUPLES_OK:
		S_track_changes(p, res);
		/* fall through */
	case PGRES_EMPTY_QUERY:
		break;
	default:
		rc = pg_fail(res, p->h, "exec", sql);
		break;
	}
out:
	PQclear(res);
	return rc;
}

static int S_begin(db *d, db_txn_mode mode)
{
	/* Row locks serialize the writers. A DB_TXN_WRITE commit need not wait
	 * for the WAL flush (the promise SQLite's synchronous=NORMAL gives: the
	 * newest commits may be lost on power loss, nothing is corrupted);
	 * DB_TXN_DURABLE keeps PostgreSQL's synchronous default. */
	if (mode == DB_TXN_WRITE)
		return S_exec(d, "BEGIN; SET LOCAL synchronous_commit = off");
	return S_exec(d, "BEGIN");
}

static int S_make_durable(db *d)
{
	return S_exec(d, "SET LOCAL synchronous_commit = on");
}

static int S_prepare(db *d, const char *sql, db_stmt **out)
{
	struct pg_stmt *s = calloc(1, sizeof(*s));
	/* "$NN" replaces each "?", so three times the length is plenty. */
	char *text = malloc(strlen(sql) * 3 + 1);
	PGresult *res = NULL;
	int rc = DB_ERR;
	int n;

	if (!s || !text) {
		log_error("pg", "prepare: out of memory");
		goto out;
	}
	n = db_pg_rewrite(sql, text);
	if (n < 0) {
		log_error("pg", "prepare: more than %d parameters in: %.200s", MC_DB_MAX_PARAMS, sql);
		goto out;
	}
	snprintf(s->name, sizeof(s->name), "s%u", ++PG(d)->next_name);
	res = PQprepare(PG(d)->h, s->name, text, n, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = pg_fail(res, PG(d)->h, "prepare", sql);
		goto out;
	}
	s->sql = sql;
	s->text = text;
	s->gen = PG(d)->gen;
	s->nparams = n;
	*out = &s->base;
	s = NULL; /* the caller owns it now */
	text = NULL;
	rc = DB_DONE;
out:
	free(s);
	PQclear(res);
	free(text);
	return rc;
}

static void S_clear_param(struct pg_param *p)
{
	free(p->heap);
	p->heap = NULL;
	p->val = NULL;
}

static void S_reset(db_stmt *s)
{
	struct pg_stmt *st = ST(s);

	/* Started means run, as on SQLite: it goes now, whatever follows. */
	if (st->waiting)
		pg_flush(PG(s->owner), NULL);
	PQclear(st->res);
	st->res = NULL;
	st->executed = 0;
	st->fresh = 0;
	st->row = -1;
	st->ncols = 0;
	st->bad = 0;
	for (int i = 0; i < st->nparams; i++)
		S_clear_param(&st->p[i]);
}

/* Server-side statements go away with the connection; finalize runs only
 * from db_close, so no DEALLOCATE round trip. */
static void S_finalize(db_stmt *s)
{
	S_reset(s);
	free(ST(s)->text);
	free(s);
}

/* The parameter slot for a 1-based index, or NULL (logged) when out of range. */
static struct pg_param *S_param(db_stmt *s, int idx)
{
	struct pg_stmt *st = ST(s);

	if (idx < 1 || idx > st->nparams) {
		log_error("pg", "bind: index %d out of range (statement has %d)", idx, st->nparams);
		st->bad = 1;
		return NULL;
	}
	S_clear_param(&st->p[idx - 1]);
	return &st->p[idx - 1];
}

static void S_bind_int(db_stmt *s, int idx, int64_t v)
{
	struct pg_param *p = S_param(s, idx);

	if (!p)
		return;
	snprintf(p->num, sizeof(p->num), "%" PRId64, v);
	p->val = p->num;
}

static void S_bind_text(db_stmt *s, int idx, const char *v, size_t len)
{
	struct pg_param *p = S_param(s, idx);

	if (!p)
		return;
	p->heap = malloc(len + 1);
	if (!p->heap) {
		log_error("pg", "bind: out of memory");
		ST(s)->bad = 1;
		return;
	}
	memcpy(p->heap, v, len);
	p->heap[len] = '\0';
	p->val = p->heap;
}

static void S_bind_null(db_stmt *s, int idx)
{
	S_param(s, idx); /* clearing the slot leaves it NULL */
}

static int S_execute(struct pg_stmt *st)
{
	struct pg_db *d = PG(st->base.owner);
	const char *vals[MC_DB_MAX_PARAMS];
	int rc;

	if (st->waiting || d->nwait) {
		pg_flush(d, st->waiting ? NULL : st);
		return st->end_rc;
	}
	if ((rc = pg_ready(d, st)) != DB_DONE)
		return pg_failed(st, rc);
	for (int i = 0; i < st->nparams; i++)
		vals[i] = st->p[i].val;
	return pg_adopt(d, st, PQexecPrepared(d->h, st->name, st->nparams, vals, NULL, NULL, 0), 0);
}

static int S_step(db_stmt *s)
{
	struct pg_stmt *st = ST(s);

	if (!st->executed && S_execute(st) != DB_DONE)
		return st->end_rc;
	if (st->fresh) {
		st->fresh = 0;
		if (st->res && st->changes >= 0)
			PG(s->owner)->changes = st->changes;
	}
	if (st->res && ++st->row < PQntuples(st->res))
		return DB_ROW;
	/* Free the rows now rather than when the cached statement is reused. */
	PQclear(st->res);
	st->res = NULL;
	return st->end_rc;
}

/* The current row's value, or NULL for SQL NULL and bad positions. */
static const char *S_value(db_stmt *s, int col)
{
	struct pg_stmt *st = ST(s);

	if (!st->res || st->row < 0 || st->row >= PQntuples(st->res) || col < 0 ||
	    col >= st->ncols || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int S_col_is_null(db_stmt *s, int col)
{
	return S_value(s, col) == NULL;
}

static int64_t S_col_int(db_stmt *s, int col)
{
	const char *v = S_value(s, col);

	if (!v)
		return 0;
	/* Booleans arrive as "t" / "f". */
	if (v[0] == 't' && !v[1])
		return 1;
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *S_col_text(db_stmt *s, int col)
{
	const char *v = S_value(s, col);

	return v ? v : "";
}

static int64_t S_changes(db *d)
{
	return PG(d)->changes;
}

static const char *S_errmsg(db *d)
{
	const char *m = PQerrorMessage(PG(d)->h);

	snprintf(PG(d)->err, sizeof(PG(d)->err), "%.*s", pg_msglen(m), m);
	return PG(d)->err;
}

static int S_commit(db *d)
{
	return S_exec(d, "COMMIT");
}

static int S_rollback(db *d)
{
	/* What waits runs first, and a failure of it must not keep the
	 * rollback from running. */
	pg_flush(PG(d), NULL);
	return S_exec(d, "ROLLBACK");
}

const struct db_driver db_pg_driver = {
	.open = S_open,
	.close = S_close,
	.alive = S_alive,
	.reconnect = S_reconnect,
	.exec = S_exec,
	.begin = S_begin,
	.commit = S_commit,
	.rollback = S_rollback,
	.make_durable = S_make_durable,
	.exec_later = pg_exec_later,
	.send = pg_send,
	.flush_sent = pg_flush_sent,
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
