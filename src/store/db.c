/* Driver dispatch and the per-connection prepared-statement cache. */
#include "store/db.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "store/db_driver.h"

_Static_assert((MC_DB_STMT_CACHE & (MC_DB_STMT_CACHE - 1)) == 0, "cache size must be a power of two");

int db_open(const char *url, db **out, char *errbuf, size_t errlen)
{
	const struct db_driver *drv;
	const char *target;
	db *d = NULL;

	if (!strncmp(url, "sqlite:", 7)) {
		drv = &db_sqlite_driver;
		target = url + 7;
	} else if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
		drv = &db_pg_driver;
		target = url;
	} else {
		snprintf(errbuf, errlen, "unsupported database URL (want sqlite:PATH or postgres://...)");
		return DB_ERR;
	}
	if (drv->open(target, &d, errbuf, errlen) != DB_DONE)
		return DB_ERR;
	d->drv = drv;
	d->cache = calloc(MC_DB_STMT_CACHE, sizeof(*d->cache));
	if (!d->cache) {
		drv->close(d);
		snprintf(errbuf, errlen, "out of memory");
		return DB_ERR;
	}
	*out = d;
	return DB_DONE;
}

void db_close(db *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < MC_DB_STMT_CACHE; i++)
		if (d->cache[i].stmt)
			d->drv->finalize(d->cache[i].stmt);
	free(d->cache);
	d->drv->close(d);
}

db_kind db_get_kind(const db *d)
{
	return d->kind;
}

int db_alive(db *d, int probe)
{
	return !d->drv->alive || d->drv->alive(d, probe);
}

int db_reconnect(db *d, char *errbuf, size_t errlen)
{
	if (!d->drv->reconnect) {
		snprintf(errbuf, errlen, "this database cannot reconnect");
		return DB_GONE;
	}
	return d->drv->reconnect(d, errbuf, errlen);
}

int db_exec(db *d, const char *sql)
{
	return d->drv->exec(d, sql);
}

int db_exec_later(db *d, const char *sql)
{
	return d->drv->exec_later ? d->drv->exec_later(d, sql) : d->drv->exec(d, sql);
}

int db_send(db_stmt *s)
{
	return s->owner->drv->send(s);
}

int db_flush_sent(db *d)
{
	return d->drv->flush_sent ? d->drv->flush_sent(d) : DB_DONE;
}

static size_t S_slot(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 40) & (MC_DB_STMT_CACHE - 1);
}

int db_prepare(db *d, const char *sql, db_stmt **out)
{
	size_t i = S_slot(sql);
	int rc;

	for (size_t n = 0; n < MC_DB_STMT_CACHE; n++, i = (i + 1) & (MC_DB_STMT_CACHE - 1)) {
		struct db_cache_slot *slot = &d->cache[i];

		if (slot->sql == sql) {
			/* A caller that returned early may have left it mid-result. */
			d->drv->reset(slot->stmt);
			*out = slot->stmt;
			return DB_DONE;
		}
		if (!slot->sql) {
			db_stmt *s = NULL;

			rc = d->drv->prepare(d, sql, &s);
			if (rc != DB_DONE)
				return rc;
			s->owner = d;
			slot->sql = sql;
			slot->stmt = s;
			*out = s;
			return DB_DONE;
		}
	}
	log_error("db", "statement cache full (%d); raise MC_DB_STMT_CACHE", MC_DB_STMT_CACHE);
	return DB_ERR;
}

void db_bind_int(db_stmt *s, int idx, int64_t v)
{
	s->owner->drv->bind_int(s, idx, v);
}

void db_bind_text(db_stmt *s, int idx, const char *v)
{
	if (!v)
		s->owner->drv->bind_null(s, idx);
	else
		s->owner->drv->bind_text(s, idx, v, strlen(v));
}

void db_bind_null(db_stmt *s, int idx)
{
	s->owner->drv->bind_null(s, idx);
}

int db_step(db_stmt *s)
{
	return s->owner->drv->step(s);
}

int db_col_is_null(db_stmt *s, int col)
{
	return s->owner->drv->col_is_null(s, col);
}

int64_t db_col_int(db_stmt *s, int col)
{
	return s->owner->drv->col_int(s, col);
}

const char *db_col_text(db_stmt *s, int col)
{
	return s->owner->drv->col_text(s, col);
}

void db_reset(db_stmt *s)
{
	s->owner->drv->reset(s);
}

int db_begin(db *d, db_txn_mode mode)
{
	return d->drv->begin(d, mode);
}

int db_commit(db *d)
{
	return d->drv->commit(d);
}

uint64_t db_durable_ticket(db *d)
{
	return d->drv->take_ticket ? d->drv->take_ticket(d) : 0;
}

int db_make_durable(db *d)
{
	return d->drv->make_durable(d);
}

int db_durable_wait(uint64_t ticket)
{
	return ticket ? db_sqlite_durable_wait(ticket) : DB_DONE;
}

int db_checkpointer_start(db *d)
{
	return d->kind == DB_SQLITE ? db_sqlite_checkpointer_start() : DB_DONE;
}

void db_checkpointer_stop(void)
{
	db_sqlite_checkpointer_stop();
}

int db_rollback(db *d)
{
	return d->drv->rollback(d);
}

int64_t db_changes(db *d)
{
	return d->drv->changes(d);
}

const char *db_errmsg(db *d)
{
	return d->drv->errmsg(d);
}
