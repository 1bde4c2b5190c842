/* The PostgreSQL driver's queue of what waits for a round trip: savepoint
 * commands (pg_exec_later) and started statements (pg_send), in the order
 * given, sent together with the next statement that must run now, in one
 * libpq pipeline (pg_flush); and how a result maps to a DB_ code, for both
 * files of the driver. db_pg.c calls into this file, never the reverse. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/db_pg_types.h"

/* Length of a libpq message without its trailing newline(s). */
int pg_msglen(const char *m)
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
int pg_fail(const PGresult *res, PGconn *h, const char *what, const char *sql)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(h);

	if (S_gone(state, h)) {
		if (!*msg)
			msg = PQerrorMessage(h);
		log_error("pg", "%s: connection lost: %.*s", what, pg_msglen(msg), msg);
		return DB_GONE;
	}
	if (state && !strncmp(state, "23", 2))
		return DB_CONSTRAINT;
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
		return DB_BUSY;
	if (!*msg)
		msg = PQerrorMessage(h);
	log_error("pg", "%s: %.*s (sqlstate %s) in: %.200s", what, pg_msglen(msg), msg,
		  state ? state : "none", sql);
	return DB_ERR;
}

/* The rows a data-changing command changed, or -1 for other commands:
 * db_changes() follows SQLite, where only those update it. */
int64_t pg_changed(PGresult *res)
{
	static const char *const cmds[] = { "INSERT ", "UPDATE ", "DELETE ", "MERGE " };
	const char *status = PQcmdStatus(res);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strncmp(status, cmds[i], strlen(cmds[i])))
			return strtoll(PQcmdTuples(res), NULL, 10);
	return -1;
}

/* The waiting savepoint commands, then sql, as one simple query when they
 * fit in buf (the result is the last command's, or the first error); NULL
 * when they do not, and the caller flushes them first. */
const char *pg_with_later(struct pg_db *d, const char *sql, char *buf, size_t len)
{
	size_t n = 0;

	for (int i = 0; i < d->nwait; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s; ", d->wait[i].sql);
	if (n + strlen(sql) >= len)
		return NULL;
	snprintf(buf + n, len - n, "%s", sql);
	d->nwait = 0;
	return buf;
}

int pg_exec_later(db *d, const char *sql)
{
	struct pg_db *p = PG(d);
	int rc;

	if (strlen(sql) >= sizeof(p->wait[0].sql)) {
		log_error("pg", "a savepoint command longer than %d bytes: %.200s", MC_SAVEPOINT_SQL_LEN - 1, sql);
		return DB_ERR;
	}
	if (p->nwait == MC_PG_PIPELINE && (rc = pg_flush(p, NULL)) != DB_DONE)
		return rc;
	p->wait[p->nwait].st = NULL;
	snprintf(p->wait[p->nwait++].sql, sizeof(p->wait[0].sql), "%s", sql);
	return DB_DONE;
}

int pg_send(db_stmt *s)
{
	struct pg_db *p = PG(s->owner);
	int rc;

	if (ST(s)->waiting || ST(s)->executed)
		return DB_DONE;
	if (p->nwait == MC_PG_PIPELINE && (rc = pg_flush(p, NULL)) != DB_DONE)
		return rc;
	p->wait[p->nwait].st = ST(s);
	p->wait[p->nwait++].sql[0] = '\0';
	p->nwait_stmts++;
	ST(s)->waiting = 1;
	return DB_DONE;
}

int pg_flush_sent(db *d)
{
	return PG(d)->nwait_stmts ? pg_flush(PG(d), NULL) : DB_DONE;
}

/* st failed without a result of its own. */
int pg_failed(struct pg_stmt *st, int rc)
{
	st->waiting = 0;
	st->executed = 1;
	st->fresh = 0;
	st->row = -1;
	st->res = NULL;
	return st->end_rc = rc;
}

/* st's result: its rows, or its failure (logged unless an earlier
 * failure in the same round trip skipped it, which is then its failure). */
int pg_adopt(struct pg_db *d, struct pg_stmt *st, PGresult *res, int skipped_rc)
{
	ExecStatusType status = PQresultStatus(res);

	st->waiting = 0;
	st->executed = 1;
	st->fresh = 1;
	st->row = -1;
	st->end_rc = DB_DONE;
	st->res = res;
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
		st->ncols = PQnfields(res);
		st->changes = pg_changed(res);
		return DB_DONE;
	}
	if (status == PGRES_PIPELINE_ABORTED && skipped_rc)
		st->end_rc = skipped_rc;
	else
		st->end_rc = pg_fail(res, d->h, "step", st->sql);
	PQclear(res);
	st->res = NULL;
	return st->end_rc;
}

/* Prepares st on this connection if it was prepared on an older one; a
 * bad binding fails it here. DB_DONE: st can be sent. */
int pg_ready(struct pg_db *d, struct pg_stmt *st)
{
	PGresult *res;

	if (st->bad) {
		log_error("pg", "step: a binding failed for: %.200s", st->sql);
		return DB_ERR;
	}
	if (st->gen == d->gen)
		return DB_DONE;
	res = PQprepare(d->h, st->name, st->text, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		int rc = pg_fail(res, d->h, "prepare", st->sql);

		PQclear(res);
		return rc;
	}
	PQclear(res);
	st->gen = d->gen;
	return DB_DONE;
}

static int S_send_one(struct pg_db *d, const struct pg_wait *w)
{
	const char *vals[MC_DB_MAX_PARAMS];
	struct pg_stmt *st = w->st;

	if (!st)
		return PQsendQueryParams(d->h, w->sql, 0, NULL, NULL, NULL, NULL, 0);
	for (int i = 0; i < st->nparams; i++)
		vals[i] = st->p[i].val;
	return PQsendQueryPrepared(d->h, st->name, st->nparams, vals, NULL, NULL, 0);
}

/* Everything waiting, then `last` (a statement not waiting; NULL: none),
 * in one round trip: each statement gets its result. The server skips
 * what follows a failure, and each statement skipped gets that failure; a
 * failed command passes its failure to the statements after it. Returns
 * the first failure, or DB_DONE. */
int pg_flush(struct pg_db *d, struct pg_stmt *last)
{
	struct pg_wait w[MC_PG_PIPELINE + 1];
	int n = d->nwait, first_rc = DB_DONE, sent = 0;
	PGresult *res;

	if (!n && !last)
		return DB_DONE;
	memcpy(w, d->wait, (size_t)n * sizeof(w[0]));
	d->nwait = d->nwait_stmts = 0;
	if (last)
		w[n++] = (struct pg_wait){ .st = last };
	/* Statements that cannot be sent fail alone, before the pipeline. */
	for (int i = 0; i < n; i++) {
		int rc;

		if (w[i].st && (rc = pg_ready(d, w[i].st)) != DB_DONE) {
			pg_failed(w[i].st, rc);
			if (first_rc == DB_DONE)
				first_rc = rc;
			w[i].sql[0] = '\0';
			w[i].st = NULL;
		}
	}
	if (PQenterPipelineMode(d->h)) {
		for (sent = 0; sent < n; sent++)
			if ((w[sent].st || w[sent].sql[0]) && !S_send_one(d, &w[sent]))
				break;
		if (sent < n || !PQpipelineSync(d->h))
			sent = 0;
	}
	if (!sent) { /* the connection is broken: nothing comes back */
		int rc = pg_fail(NULL, d->h, "pipeline", "");

		for (int i = 0; i < n; i++)
			if (w[i].st)
				pg_failed(w[i].st, rc);
		PQexitPipelineMode(d->h);
		return first_rc == DB_DONE ? rc : first_rc;
	}
	for (int i = 0; i < n; i++) {
		int skipped = first_rc == DB_DONE ? 0 : first_rc, rc, got;

		if (!w[i].st && !w[i].sql[0])
			continue;
		res = PQgetResult(d->h);
		got = res != NULL;
		if (w[i].st) {
			rc = pg_adopt(d, w[i].st, res, skipped);
		} else {
			ExecStatusType t = PQresultStatus(res);

			rc = t == PGRES_COMMAND_OK ? DB_DONE
			     : t == PGRES_PIPELINE_ABORTED && skipped ? skipped
			     : pg_fail(res, d->h, "exec", w[i].sql);
			PQclear(res);
		}
		if (rc != DB_DONE && first_rc == DB_DONE)
			first_rc = rc;
		/* Each command's results end with a NULL. */
		while (got && (res = PQgetResult(d->h)))
			PQclear(res);
	}
	/* The sync's result ends the pipeline. */
	while ((res = PQgetResult(d->h))) {
		ExecStatusType t = PQresultStatus(res);

		PQclear(res);
		if (t == PGRES_PIPELINE_SYNC)
			break;
	}
	PQexitPipelineMode(d->h);
	return first_rc;
}

/* What waited is lost with the connection and the transaction it was for. */
void pg_wait_drop(struct pg_db *d)
{
	for (int i = 0; i < d->nwait; i++)
		if (d->wait[i].st)
			d->wait[i].st->waiting = 0;
	d->nwait = d->nwait_stmts = 0;
}
