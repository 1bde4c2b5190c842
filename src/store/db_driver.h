/* What a database driver implements. Only db.c and the drivers include this. */
#ifndef MC_DB_DRIVER_H
#define MC_DB_DRIVER_H

#include "store/db.h"

struct db_driver {
	int (*open)(const char *target, db **out, char *errbuf, size_t errlen);
	void (*close)(db *d);
	/* NULL for drivers whose connection cannot be lost (SQLite). */
	int (*alive)(db *d, int probe);
	int (*reconnect)(db *d, char *errbuf, size_t errlen);
	int (*exec)(db *d, const char *sql);
	int (*begin)(db *d, db_txn_mode mode);
	int (*commit)(db *d);
	int (*rollback)(db *d);
	int (*make_durable)(db *d);
	/* NULL: db_exec_later() runs the command at once. */
	int (*exec_later)(db *d, const char *sql);
	int (*send)(db_stmt *s);
	/* NULL: db_send() leaves nothing waiting. */
	int (*flush_sent)(db *d);
	/* NULL for drivers whose COMMIT waits for the disk itself. */
	uint64_t (*take_ticket)(db *d);
	/* Creates a new, uncached statement. */
	int (*prepare)(db *d, const char *sql, db_stmt **out);
	void (*finalize)(db_stmt *s);
	void (*bind_int)(db_stmt *s, int idx, int64_t v);
	void (*bind_text)(db_stmt *s, int idx, const char *v, size_t len);
	void (*bind_null)(db_stmt *s, int idx);
	int (*step)(db_stmt *s);
	int (*col_is_null)(db_stmt *s, int col);
	int64_t (*col_int)(db_stmt *s, int col);
	const char *(*col_text)(db_stmt *s, int col);
	void (*reset)(db_stmt *s);
	int64_t (*changes)(db *d);
	const char *(*errmsg)(db *d);
};

/* Statement cache slot: keyed by the SQL text pointer. */
struct db_cache_slot {
	const char *sql;
	db_stmt *stmt;
};

/* Every driver's connection starts with this. */
struct db {
	const struct db_driver *drv;
	db_kind kind;
	struct db_cache_slot *cache; /* MC_DB_STMT_CACHE slots, open addressing */
};

/* Every driver's statement starts with this. */
struct db_stmt {
	db *owner;
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;
/* The SQLite group commit behind db_durable_wait(), and the checkpoint
 * thread behind db_checkpointer_start(). */
int db_sqlite_durable_wait(uint64_t ticket);
/* Rewrites `?` to $1..$n outside string literals, quoted identifiers and
 * comments into out (room for 3 bytes per byte of sql); returns the number
 * of parameters, or -1 past MC_DB_MAX_PARAMS (db_pg_sql.c). */
int db_pg_rewrite(const char *sql, char *out);
int db_sqlite_checkpointer_start(void);
void db_sqlite_checkpointer_stop(void);

#endif
