#include "store/migrate.h"

#include <stdio.h>

#include "core/clock.h"
#include "core/log.h"

static const char sql_create[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char sql_has[] = "SELECT 1 FROM schema_migrations WHERE version = ?";
static const char sql_record[] = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
static const char sql_pg_lock[] = "SELECT pg_advisory_xact_lock(727274)";

/* A write transaction holding the migration lock (PostgreSQL: several nodes
 * may start at once; SQLite's BEGIN IMMEDIATE is lock enough). */
static int S_begin_locked(db *d)
{
	db_stmt *s;
	int rc = db_begin(d, DB_TXN_WRITE);

	if (rc != DB_DONE || db_get_kind(d) != DB_PG)
		return rc;
	rc = db_prepare(d, sql_pg_lock, &s);
	if (rc == DB_DONE) {
		rc = db_step(s);
		db_reset(s);
	}
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return DB_DONE;
}

static int S_applied(db *d, int version, int *yes)
{
	db_stmt *s;
	int rc = db_prepare(d, sql_has, &s);

	if (rc != DB_DONE)
		return rc;
	db_bind_int(s, 1, version);
	rc = db_step(s);
	db_reset(s);
	if (rc < 0)
		return rc;
	*yes = rc == DB_ROW;
	return DB_DONE;
}

static int S_apply(db *d, const struct migration *m, int *ran)
{
	db_stmt *s;
	int yes = 0, rc;

	rc = S_begin_locked(d);
	if (rc != DB_DONE)
		return rc;
	rc = S_applied(d, m->version, &yes);
	if (rc != DB_DONE || yes)
		goto out;
	rc = db_exec(d, m->sql);
	if (rc != DB_DONE) {
		log_error("migrate", "migration %s failed: %s", m->name, db_errmsg(d));
		goto out;
	}
	rc = db_prepare(d, sql_record, &s);
	if (rc != DB_DONE)
		goto out;
	db_bind_int(s, 1, m->version);
	db_bind_text(s, 2, m->name);
	db_bind_int(s, 3, clock_now());
	rc = db_step(s);
	db_reset(s);
	if (rc < 0)
		goto out;
	*ran = 1;
	rc = DB_DONE;
out:
	if (rc == DB_DONE)
		return db_commit(d);
	db_rollback(d);
	return rc;
}

/* Creates the bookkeeping table. On PostgreSQL a concurrent CREATE TABLE IF
 * NOT EXISTS can still fail on the catalog's unique index, so nodes starting
 * together serialize on the migration lock first. */
static int S_create_table(db *d)
{
	int rc = S_begin_locked(d);

	if (rc != DB_DONE)
		return rc;
	rc = db_exec(d, sql_create);
	if (rc >= 0)
		return db_commit(d);
	log_error("migrate", "cannot create schema_migrations: %s", db_errmsg(d));
	db_rollback(d);
	return rc;
}

int migrate_run(db *d, int *applied)
{
	const struct migration *list = db_get_kind(d) == DB_PG ? migrations_pg : migrations_sqlite;
	int count = 0, rc;

	rc = S_create_table(d);
	if (rc != DB_DONE)
		return rc;
	for (const struct migration *m = list; m->name; m++) {
		int ran = 0;

		rc = S_apply(d, m, &ran);
		if (rc != DB_DONE)
			return rc;
		if (ran) {
			log_info("migrate", "applied %s", m->name);
			count++;
		}
	}
	*applied = count;
	return DB_DONE;
}
