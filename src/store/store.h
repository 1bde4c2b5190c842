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

/* Runs a statement with n integer parameters and no result rows; *changes
 * (when not NULL) gets the number of rows it changed. */
mc_rc store_exec_ints(const char *sql, int n, const int64_t *v, int64_t *changes);

#endif
