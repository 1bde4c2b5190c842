/* The SQLite driver's checkpoint thread. */
#include "store/db_sqlite_ckpt.h"

#include <pthread.h>
#include <sqlite3.h>

#include "core/limits.h"
#include "core/log.h"
#include "store/db_driver.h"

/* Checkpoints. SQLite's automatic checkpoint runs inside whichever COMMIT
 * crosses the threshold, so one request pays for copying the whole WAL
 * (9% of the checkout profile, and its latency spikes). Every connection
 * reports the WAL size after its commits here; the serving process's
 * checkpoint thread does the copying, and a process without one (the CLI)
 * does it inline as SQLite would. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	pthread_mutex_t *write_lock; /* the driver's: RESTART runs under it */
	int running, due, stopping;
} S_ckpt = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

int db_sqlite_wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
	int background;

	(void)arg;
	if (pages < MC_SQLITE_CKPT_PAGES)
		return SQLITE_OK;
	pthread_mutex_lock(&S_ckpt.mu);
	background = S_ckpt.running;
	if (background) {
		S_ckpt.due = 1;
		pthread_cond_signal(&S_ckpt.cv);
	}
	pthread_mutex_unlock(&S_ckpt.mu);
	if (!background)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/* A PASSIVE checkpoint alone never finishes under steady writes: the
 * next writer restarts the WAL only if every frame was copied when it
 * began (measured: 128 MB of WAL after 6 s of cart adds). So the bulk is
 * copied concurrently, then the few frames written meanwhile under the
 * write lock, with RESTART, and the WAL starts over. */
static void S_checkpoint(sqlite3 *h)
{
	int rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	if (rc == SQLITE_OK) {
		pthread_mutex_lock(S_ckpt.write_lock);
		rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
		pthread_mutex_unlock(S_ckpt.write_lock);
	}
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_error("sqlite", "checkpoint: %s", sqlite3_errmsg(h));
}

static void *S_ckpt_main(void *arg)
{
	sqlite3 *h = arg;

	pthread_mutex_lock(&S_ckpt.mu);
	for (;;) {
		while (!S_ckpt.due && !S_ckpt.stopping)
			pthread_cond_wait(&S_ckpt.cv, &S_ckpt.mu);
		if (S_ckpt.stopping)
			break;
		S_ckpt.due = 0;
		pthread_mutex_unlock(&S_ckpt.mu);
		S_checkpoint(h);
		pthread_mutex_lock(&S_ckpt.mu);
	}
	pthread_mutex_unlock(&S_ckpt.mu);
	sqlite3_close(h);
	return NULL;
}

int db_sqlite_ckpt_start(const char *path, pthread_mutex_t *write_lock)
{
	sqlite3 *h = NULL;
	int rc = DB_ERR;

	pthread_mutex_lock(&S_ckpt.mu);
	if (S_ckpt.running)
		goto out;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(h, MC_DB_BUSY_TIMEOUT_MS);
	/* A connection learns that the database is in WAL mode when it first
	 * reads it; until then a checkpoint does nothing. */
	if (sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	S_ckpt.stopping = 0;
	S_ckpt.write_lock = write_lock;
	if (pthread_create(&S_ckpt.thread, NULL, S_ckpt_main, h))
		goto out;
	h = NULL;
	S_ckpt.running = 1;
	rc = DB_DONE;
out:
	pthread_mutex_unlock(&S_ckpt.mu);
	sqlite3_close(h);
	return rc;
}

void db_sqlite_checkpointer_stop(void)
{
	pthread_mutex_lock(&S_ckpt.mu);
	if (!S_ckpt.running) {
		pthread_mutex_unlock(&S_ckpt.mu);
		return;
	}
	S_ckpt.stopping = 1;
	pthread_cond_signal(&S_ckpt.cv);
	pthread_mutex_unlock(&S_ckpt.mu);
	pthread_join(S_ckpt.thread, NULL);
	pthread_mutex_lock(&S_ckpt.mu);
	S_ckpt.running = 0;
	pthread_mutex_unlock(&S_ckpt.mu);
}
