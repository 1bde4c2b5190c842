/* PostgreSQL driver over libpq. Statements are server-side prepared once per
 * connection; SQL written with `?` is rewritten to $1..$n at prepare time
 * (db_pg_sql.c).
 * Parameters and results travel in text format.
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
#include "store/db_driver.h"

struct pg_db {
	struct db base;
	PGconn *h;
	char *url;          /* for reconnecting */
	unsigned gen;       /* counts connections: statements prepared on an older one are prepared again */
	unsigned next_name; /* prepared statement names: s1, s2, ... */
	int64_t changes;    /* rows changed by the last INSERT/UPDATE/DELETE/MERGE */
	char err[256];      /* errmsg() copy without libpq's trailing newline */
	/* Savepoint commands waiting to go with the next statement (S_exec_later). */
	char later[MC_PG_LATER][MC_SAVEPOINT_SQL_LEN];
	int nlater;
};

struct pg_param {
	const char *val; /* NULL binds SQL NULL; else points at num or heap */
	char *heap;      /* copied text, owned */
	char num[24];    /* an int64 in decimal */
};

struct pg_stmt {
	struct db_stmt base;
	const char *sql; /* the caller's text, for error logs; lives as long as the cache */
	char *text;      /* sql with $n parameters, to prepare again after a reconnect */
	unsigned gen;    /* the connection (pg_db.gen) it is prepared on */
	char name[16];
	int nparams;
	int bad;         /* a bind failed: the next step reports DB_ERR */
	int executed;
	int row;         /* current row of res */
	int ncols;
	int end_rc;      /* what step returns once the rows are used up */
	PGresult *res;
	struct pg_param p[MC_DB_MAX_PARAMS];
};

#define PG(d) ((struct pg_db *)(d))
#define ST(s) ((struct pg_stmt *)(s))

/* Length of a libpq message without its trailing newline(s). */
static int S_msglen(const char *m)
{
	size_t n = strlen(m);

	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	return (int)n;
}

/* The server went away or is going: class 08 (connection exception),
 * 57P01-57P03 (admin or crash shutdown, cannot connect now), or libpq
 * itself saw the socket close. */
static int S_gone(const char *state, PGconn *h)
{
	if (PQstatus(h) == CONNECTION_BAD)
		return 1;
	return state && (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
			 !strcmp(state, "57P03"));
}

/* Maps a failed result. Constraint and busy results are expected, so only
 * the rest is logged. */
static int S_fail(const PGresult *res, PGconn *h, const char *what, const char *sql)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(h);

	if (S_gone(state, h)) {
		if (!*msg)
			msg = PQerrorMessage(h);
		log_error("pg", "%s: connection lost: %.*s", what, S_msglen(msg), msg);
		return DB_GONE;
	}
	if (state && !strncmp(state, "23", 2))
		return DB_CONSTRAINT;
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
		return DB_BUSY;
	if (!*msg)
		msg = PQerrorMessage(h);
	log_error("pg", "%s: %.*s (sqlstate %s) in: %.200s", what, S_msglen(msg), msg,
		  state ? state : "none", sql);
	return DB_ERR;
}

/* db_changes() follows SQLite: only data-changing commands update it. */
static void S_track_changes(struct pg_db *d, PGresult *res)
{
	static const char *const cmds[] = { "INSERT ", "UPDATE ", "DELETE ", "MERGE " };
	const char *status = PQcmdStatus(res);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strncmp(status, cmds[i], strlen(cmds[i]))) {
			d->changes = strtoll(PQcmdTuples(res), NULL, 10);
			return;
		}
}

/* Server notices would otherwise go to stderr as raw text, breaking the
 * one-JSON-object-per-line log. */
static void S_notice(void *arg, const char *msg)
{
	log_info("pg", "notice: %.*s", S_msglen(msg), msg);
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

		snprintf(errbuf, errlen, "pg connect: %.*s", S_msglen(m), m);
		return DB_ERR;
	}
	PQsetNoticeProcessor(d->h, S_notice, NULL);
	/* "relation already exists, skipping" and friends are NOTICEs. */
	res = PQexec(d->h, "SET client_min_messages = warning");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *m = PQerrorMessage(d->h);

		snprintf(errbuf, errlen, "pg setup: %.*s", S_msglen(m), m);
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
	PQfinish(PG(d)->h);
	PG(d)->nlater = 0;
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

/* The commands waiting in d->later, then sql, as one simple query when
 * they fit in buf (the result is the last command's, or the first error),
 * else the waiting ones alone, into buf: the caller runs sql next. */
static const char *S_with_later(struct pg_db *d, const char *sql, char *buf, size_t len)
{
	size_t n = 0;

	for (int i = 0; i < d->nlater; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s; ", d->later[i]);
	d->nlater = 0;
	if (n + strlen(sql) < len) {
		snprintf(buf + n, len - n, "%s", sql);
		return buf;
	}
	return NULL;
}

static int S_exec(db *d, const char *sql)
{
	char buf[MC_PG_LATER * MC_SAVEPOINT_SQL_LEN + 256];
	const char *q = sql;
	PGresult *res;
	int rc = DB_DONE;

	if (PG(d)->nlater && !(q = S_with_later(PG(d), sql, buf, sizeof(buf)))) {
		if ((rc = S_exec(d, buf)) != DB_DONE)
			return rc;
		q = sql;
	}
	res = PQexec(PG(d)->h, q);

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
		S_track_changes(PG(d), res);
		/* fall through */
	case PGRES_EMPTY_QUERY:
		break;
	default:
		rc = S_fail(res, PG(d)->h, "exec", sql);
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

static int S_exec_later(db *d, const char *sql)
{
	struct pg_db *p = PG(d);

	if (p->nlater == MC_PG_LATER || strlen(sql) >= sizeof(p->later[0]))
		return S_exec(d, sql);
	snprintf(p->later[p->nlater++], sizeof(p->later[0]), "%s", sql);
	return DB_DONE;
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
		rc = S_fail(res, PG(d)->h, "prepare", sql);
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

	PQclear(st->res);
	st->res = NULL;
	st->executed = 0;
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

/* The waiting savepoint commands and the statement in one round trip
 * (libpq's pipeline mode). The result is the statement's, or the first
 * failure (after which the server skips the rest). */
static PGresult *S_exec_piped(struct pg_db *d, struct pg_stmt *st, const char **vals)
{
	PGconn *h = d->h;
	PGresult *res, *out = NULL;
	int n = d->nlater, sent;

	d->nlater = 0;
	if (!PQenterPipelineMode(h))
		return NULL;
	sent = 1;
	for (int i = 0; i < n; i++)
		sent = sent && PQsendQueryParams(h, d->later[i], 0, NULL, NULL, NULL, NULL, 0);
	sent = sent && PQsendQueryPrepared(h, st->name, st->nparams, vals, NULL, NULL, 0) && PQpipelineSync(h);
	/* Each command's results end with NULL; the sync's ends the pipeline. */
	for (int i = 0; sent && i <= n + 1; i++) {
		while ((res = PQgetResult(h))) {
			ExecStatusType t = PQresultStatus(res);

			if (t == PGRES_PIPELINE_SYNC) {
				PQclear(res);
				i = n + 2;
				break;
			}
			if (!out && (i == n || (t != PGRES_COMMAND_OK && t != PGRES_PIPELINE_ABORTED)))
				out = res;
			else
				PQclear(res);
		}
	}
	PQexitPipelineMode(h);
	return out;
}

static int S_execute(struct pg_stmt *st)
{
	struct pg_db *d = PG(st->base.owner);
	const char *vals[MC_DB_MAX_PARAMS];
	ExecStatusType status;

	st->executed = 1;
	st->row = -1;
	st->end_rc = DB_DONE;
	if (st->bad) {
		log_error("pg", "step: a binding failed for: %.200s", st->sql);
		return st->end_rc = DB_ERR;
	}
	if (st->gen != d->gen) {
		st->res = PQprepare(d->h, st->name, st->text, st->nparams, NULL);
		if (PQresultStatus(st->res) != PGRES_COMMAND_OK)
			goto fail;
		PQclear(st->res);
		st->gen = d->gen;
	}
	for (int i = 0; i < st->nparams; i++)
		vals[i] = st->p[i].val;
	st->res = d->nlater ? S_exec_piped(d, st, vals) : PQexecPrepared(d->h, st->name, st->nparams, vals, NULL, NULL, 0);
	status = PQresultStatus(st->res);
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
		st->ncols = PQnfields(st->res);
		S_track_changes(d, st->res);
		return DB_DONE;
	}
fail:
	st->end_rc = S_fail(st->res, d->h, "step", st->sql);
	PQclear(st->res);
	st->res = NULL;
	return st->end_rc;
}

static int S_step(db_stmt *s)
{
	struct pg_stmt *st = ST(s);

	if (!st->executed && S_execute(st) != DB_DONE)
		return st->end_rc;
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

	snprintf(PG(d)->err, sizeof(PG(d)->err), "%.*s", S_msglen(m), m);
	return PG(d)->err;
}

static int S_commit(db *d)
{
	return S_exec(d, "COMMIT");
}

static int S_rollback(db *d)
{
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
	.exec_later = S_exec_later,
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
