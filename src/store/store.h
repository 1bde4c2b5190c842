/* The store: one database connection per thread, opened on first use and
 * closed when the thread exits. Repositories (users.c, ...) call store_db(). */
#ifndef MC_STORE_H
#define MC_STORE_H

#include "core/result.h"
#include "store/db.h"

/* Remembers the URL and checks that a connection opens. */
mc_rc store_init(const char *url, char *errbuf, size_t errlen);
/* This thread's connection; NULL (logged) if it cannot be opened. */
db *store_db(void);
/* The kind of database store_init() was given, without touching it. */
db_kind store_kind(void);
/* Closes this thread's connection now (main thread, before exit). */
void store_thread_release(void);
void store_shutdown(void);

/* Maps a driver result to a domain result (busy -> 503, else 500). */
mc_rc store_rc(int dbrc);

/* Transactions on this thread's connection. */
mc_rc store_begin(db_txn_mode mode);
mc_rc store_commit(void);
void store_rollback(void);
/* Ends the transaction: commits when rc is MC_OK, else rolls back and
 * returns rc. */
mc_rc store_finish(mc_rc rc);

/* A durable commit returns once its data is on disk (db_durable_ticket),
 * except a batch's: see below. */
mc_rc store_durable_wait(uint64_t ticket);

/* Batches. On a thread that serves many clients, store_batch_enable(1)
 * makes the write transactions of one turn of its event loop share one
 * database transaction: the first opens it, each is a savepoint in it (a
 * failure undoes that request alone), and store_batch_commit() commits
 * them all at the end of the turn, paying the commit's lock and write
 * system calls, and the disk flush, once per batch instead of once per
 * request. Nothing in a batch may be told to anyone before that commit. */
void store_batch_enable(int on); /* on also opens this thread's connection */
/* After each request: 1 when it used the connection while the batch was
 * open, so its answer must wait for store_batch_commit(). *lost is set
 * when the batch was rolled back since the last call (a lost connection,
 * a failed savepoint rollback): the answers waiting for it are void. */
int store_batch_joined(int *lost);
/* Commits the open batch (MC_OK with nothing open). On MC_OK, *ticket is
 * the durable ticket to pass to store_durable_wait() before answering
 * (0: none owed); otherwise every answer of the batch must become an
 * error. */
mc_rc store_batch_commit(uint64_t *ticket);
/* Runs fn once this thread's outermost transaction (a batch included)
 * ends, committed or not; at once when none is open. Each fn runs once
 * however often it is asked for. For side effects that others must not
 * see before the commit, such as flushing a cache that a read on another
 * thread could fill again with the data before it. */
void store_after_txn(void (*fn)(void));

/* The serving process copies SQLite's WAL into the database on a thread of
 * its own, off the requests' path (db_checkpointer_start). */
mc_rc store_checkpointer_start(void);
void store_checkpointer_stop(void);

/* A repository function is: store_stmt(), binds, then one call below (plus
 * reading columns), so the prepare / step / reset / map ceremony lives here.
 * "when_none" is the result when no row was found or changed; it is the
 * caller's because "none" means NOT_FOUND to one and CONFLICT to another.
 * DB_CONSTRAINT also maps to MC_ERR_CONFLICT: a caller that must tell the
 * two apart passes MC_ERR_NOT_FOUND, which no database error maps to. */

/* This thread's cached statement for sql (a string that lives as long as
 * the process), reset and unbound; NULL when the connection or the
 * statement cannot be had. */
db_stmt *store_stmt(const char *sql);

/* Runs a statement that returns no rows (a row it does return is dropped)
 * and resets it; *changes (when not NULL) gets the number of rows it
 * changed, read before any other statement runs, or 0 on error. */
mc_rc store_exec(db_stmt *s, int64_t *changes);

/* store_exec() without waiting for the result, inside a transaction: the
 * write goes to the database with the next statement (db_send), and a
 * failure is that statement's, or the request's end's. For writes that do
 * not fail in the normal course; outside a transaction, store_exec(). */
mc_rc store_send(db_stmt *s);

/* store_exec() for a write aimed at a row that may be missing or no longer
 * match: when_none if it changed no row. */
mc_rc store_exec_changed(db_stmt *s, mc_rc when_none);

/* Steps to the first row. MC_OK: the row is readable; the caller reads it,
 * then calls db_reset (on SQLite a statement left mid-result keeps its
 * read transaction open). Otherwise the statement is reset and the result
 * is when_none (an error code, so MC_OK always means a row) or the mapped
 * error. */
mc_rc store_row(db_stmt *s, mc_rc when_none);

/* store_stmt(sql), the id bound to its one parameter, then store_row()
 * with MC_ERR_NOT_FOUND: on MC_OK *out is on the row, to be read and
 * db_reset by the caller. The shape of every "get by id". */
mc_rc store_row_by_id(const char *sql, int64_t id, db_stmt **out);
/* store_row_by_id() for a text key (an email, a coupon code). */
mc_rc store_row_by_text(const char *sql, const char *key, db_stmt **out);

/* store_row() for a single integer (a RETURNING id, a COUNT, a stock
 * level), reset in every case: *v gets column 0 (0 for NULL), untouched
 * without a row, so when_none may be MC_OK here. */
mc_rc store_row_int(db_stmt *s, mc_rc when_none, int64_t *v);
/* The database's clock, Unix seconds: the one clock of every node. */
mc_rc store_now(int64_t *now);

/* Reads one row into item; nonzero when it cannot be kept (out of memory). */
typedef int store_row_fn(db_stmt *s, void *item);
/* The rows of a bound statement into items, an array of up to max
 * elements of `size` bytes, read by `read`: the shape of every list. The
 * statement is run to its end (a RETURNING one must be) and reset. *n is
 * the number of elements touched, also on failure, when they are the
 * caller's to free (a row read in part included). */
mc_rc store_read_rows(db_stmt *s, void *items, size_t size, size_t max, store_row_fn *read, size_t *n);

/* store_stmt(), n integer binds and store_exec() in one call, for the
 * statements whose parameters are all integers. */
mc_rc store_exec_ints(const char *sql, int n, const int64_t *v, int64_t *changes);

#endif
