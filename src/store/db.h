/* A small database driver interface with two drivers: SQLite (db_sqlite.c)
 * and PostgreSQL through libpq (db_pg.c).
 *
 * SQL text is written once, with `?` placeholders, in store/ only; the
 * PostgreSQL driver rewrites them to $1..$n. Statements are prepared once per
 * connection and cached by their SQL text pointer, so callers pass string
 * literals (or other storage that lives as long as the process).
 *
 * A connection is used by one thread at a time. */
#ifndef MC_DB_H
#define MC_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef enum db_kind { DB_SQLITE, DB_PG } db_kind;

/* Results of db_step() and other calls. Negative values are errors. */
enum {
	DB_DONE = 0,        /* statement finished, no (more) rows */
	DB_ROW = 1,         /* a row is available through db_col_*() */
	DB_ERR = -1,        /* any other failure (logged by the driver) */
	DB_IOERR = -5,      /* the disk is full or failing writes (logged): nothing was written */
	DB_CONSTRAINT = -2, /* unique / check / foreign-key violation */
	DB_BUSY = -3,       /* lock timeout or serialization failure: retry the transaction */
	DB_GONE = -4,       /* the connection is lost or the database unreachable: reconnect later */
};

typedef enum db_txn_mode {
	DB_TXN_READ,        /* SQLite: BEGIN DEFERRED */
	DB_TXN_WRITE,       /* SQLite: BEGIN IMMEDIATE (takes the write lock up front) */
	DB_TXN_DURABLE,     /* a write whose commit must survive power loss: see db_durable_ticket */
} db_txn_mode;

/* Opens a connection for `url` ("sqlite:PATH" or "postgres://..." / "postgresql://...").
 * On failure returns DB_ERR and writes a message into errbuf. */
int db_open(const char *url, db **out, char *errbuf, size_t errlen);
void db_close(db *d);
db_kind db_get_kind(const db *d);
/* 0 once the connection is known to be lost (a statement failed with
 * DB_GONE). With `probe`, also looks for a goodbye the server sent while
 * the connection sat idle (one poll() system call). */
int db_alive(db *d, int probe);
/* Replaces a lost connection with a new one to the same database: DB_DONE,
 * or DB_GONE (errbuf says why; try again later). Statements keep working:
 * each is prepared again on its next use. */
int db_reconnect(db *d, char *errbuf, size_t errlen);
/* A statement that stands for an unreachable database: binds do nothing,
 * every step returns DB_GONE. Shared by all threads, never finalized. */
db_stmt *db_down_stmt(void);

/* Runs one or more statements without parameters (migrations, pragmas). */
int db_exec(db *d, const char *sql);
/* Runs one statement without parameters or rows (a savepoint command) no
 * later than the connection's next statement, whose failure becomes its
 * failure. PostgreSQL sends it with that statement, in one round trip. */
int db_exec_later(db *d, const char *sql);

/* Starts s, bound, and returns: s runs no later than the next statement
 * the connection runs, and before it; its rows are read with db_step() as
 * usual. SQLite runs it at once (the failure is returned here); PostgreSQL
 * sends the statements started, with the waiting savepoint commands and
 * the next statement run, in one round trip, in order: a failure among
 * them is also the failure of every statement after it in that trip.
 * db_changes() tells nothing about a started statement. Start only what
 * cannot fail in the normal course (a failure is told to a later
 * statement), or read it back with db_step(). */
int db_send(db_stmt *s);
/* Runs the statements started and still waiting, if any: the first
 * failure, or DB_DONE. */
int db_flush_sent(db *d);

/* Returns the cached prepared statement for `sql`, reset and with no bindings. */
int db_prepare(db *d, const char *sql, db_stmt **out);

/* Parameters are 1-based, as in SQLite. Text is copied by the driver. */
void db_bind_int(db_stmt *s, int idx, int64_t v);
void db_bind_text(db_stmt *s, int idx, const char *v); /* NULL binds SQL NULL */
void db_bind_null(db_stmt *s, int idx);

/* Executes on the first call; DB_ROW per row, then DB_DONE, or a negative error. */
int db_step(db_stmt *s);

/* Columns are 0-based. Text stays valid until the next db_step/db_reset. */
int db_col_is_null(db_stmt *s, int col);
int64_t db_col_int(db_stmt *s, int col);
const char *db_col_text(db_stmt *s, int col); /* "" for NULL */

/* Releases results and bindings; the statement stays cached. */
void db_reset(db_stmt *s);

int db_begin(db *d, db_txn_mode mode);
int db_commit(db *d);
int db_rollback(db *d);
/* A DB_TXN_DURABLE commit on SQLite returns once written, not yet on disk,
 * and leaves a ticket: db_durable_ticket() takes it (0: nothing owed, as
 * always on PostgreSQL, whose COMMIT waits for its WAL flush), and
 * db_durable_wait() returns DB_DONE once every commit up to the ticket is
 * on disk. Waiters on any thread share one fdatasync: a group commit. */
uint64_t db_durable_ticket(db *d);
/* The open DB_TXN_WRITE transaction's commit is to be durable after all,
 * as if it had begun as DB_TXN_DURABLE. */
int db_make_durable(db *d);
int db_durable_wait(uint64_t ticket);
/* A thread that copies SQLite's WAL into the database in the background,
 * for the database d is connected to; without it, the commit that fills
 * the WAL does it. A no-op (DB_DONE) on PostgreSQL. */
int db_checkpointer_start(db *d);
void db_checkpointer_stop(void);

/* Writes a consistent copy of the SQLite database at src_path (a file
 * path, not a URL) to dest while others keep writing: a single-file
 * database, flushed, renamed into place. DB_DONE, or DB_ERR with errbuf. */
int db_sqlite_backup(const char *src_path, const char *dest, char *errbuf, size_t errlen);

/* Number of rows changed by the last INSERT/UPDATE/DELETE statement. */
int64_t db_changes(db *d);

/* The last error message of this connection. */
const char *db_errmsg(db *d);

#endif
