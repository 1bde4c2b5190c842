/* The SQLite driver's checkpoint thread (db_sqlite_ckpt.c), below the
 * driver (db_sqlite.c), which alone includes this; its stop is in
 * db_driver.h with the driver's other entry points for db.c. */
#ifndef MC_STORE_DB_SQLITE_CKPT_H
#define MC_STORE_DB_SQLITE_CKPT_H

#include <pthread.h>
#include <sqlite3.h>

/* sqlite3_wal_hook() of every connection: past MC_SQLITE_CKPT_PAGES it
 * wakes the thread, or without one checkpoints inline. */
int db_sqlite_wal_hook(void *arg, sqlite3 *h, const char *name, int pages);
/* Starts the thread on its own connection to path; RESTART checkpoints
 * take write_lock, the driver's lock of its writers. */
int db_sqlite_ckpt_start(const char *path, pthread_mutex_t *write_lock);

#endif
