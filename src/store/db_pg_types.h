/* The PostgreSQL driver's own types, shared by its two files: db_pg.c
 * (connections and statements) and, below it, db_pg_pipeline.c (what waits
 * for a round trip, and how results map to DB_ codes). Only they include
 * this. */
#ifndef MC_STORE_DB_PG_TYPES_H
#define MC_STORE_DB_PG_TYPES_H

#include <libpq-fe.h>

#include "core/limits.h"
#include "store/db_driver.h"

struct pg_db {
	struct db base;
	PGconn *h;
	char *url;          /* for reconnecting */
	unsigned gen;       /* counts connections: statements prepared on an older one are prepared again */
	unsigned next_name; /* prepared statement names: s1, s2, ... */
	int64_t changes;    /* rows changed by the last INSERT/UPDATE/DELETE/MERGE */
	char err[256];      /* errmsg() copy without libpq's trailing newline */
	/* What waits for the next round trip, in order (pg_flush). */
	struct pg_wait {
		struct pg_stmt *st;                 /* NULL: the savepoint command in sql */
		char sql[MC_SAVEPOINT_SQL_LEN];
	} wait[MC_PG_PIPELINE];
	int nwait;
	int nwait_stmts;    /* how many of them are statements */
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
	int waiting;     /* started (pg_send), in the connection's queue */
	int executed;    /* res and end_rc are its results */
	int fresh;       /* executed, not stepped yet: its changes are still to be reported */
	int64_t changes; /* rows it changed; -1: not a data-changing command */
	int row;         /* current row of res */
	int ncols;
	int end_rc;      /* what step returns once the rows are used up */
	PGresult *res;
	struct pg_param p[MC_DB_MAX_PARAMS];
};

#define PG(d) ((struct pg_db *)(d))
#define ST(s) ((struct pg_stmt *)(s))

/* Each is described where it is defined. */
/* db_pg_pipeline.c, used by db_pg.c */
int pg_msglen(const char *m);
int pg_fail(const PGresult *res, PGconn *h, const char *what, const char *sql);
int64_t pg_changed(PGresult *res);
const char *pg_with_later(struct pg_db *d, const char *sql, char *buf, size_t len);
int pg_exec_later(db *d, const char *sql);
int pg_send(db_stmt *s);
int pg_flush_sent(db *d);
int pg_flush(struct pg_db *d, struct pg_stmt *last);
int pg_adopt(struct pg_db *d, struct pg_stmt *st, PGresult *res, int skipped_rc);
int pg_failed(struct pg_stmt *st, int rc);
int pg_ready(struct pg_db *d, struct pg_stmt *st);
void pg_wait_drop(struct pg_db *d);

#endif
