/* Schema migrations: numbered SQL files per dialect (store/migrations/),
 * embedded at build time, applied once each and recorded in schema_migrations. */
#ifndef MC_MIGRATE_H
#define MC_MIGRATE_H

#include "store/db.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations_sqlite[];
extern const struct migration migrations_pg[];

/* Applies pending migrations in order, each in its own transaction.
 * Sets *applied to how many ran. Returns 0 on success. */
int migrate_run(db *d, int *applied);

#endif
