/* The store's transactions and connection (store/store.h) on both drivers:
 * nested transactions are savepoints, a batch commits many requests' write
 * transactions at once and a failed one alone is undone, and a PostgreSQL
 * connection the server dropped is replaced on the next use, never inside
 * a transaction. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/health.h"
#include "store/store.h"

struct fx {
	char dir[64];    /* SQLite: temporary directory holding the database */
	char url[200];
};

static const db_kind kind_sqlite = DB_SQLITE;
static const db_kind kind_pg = DB_PG;

/* One table name per process: the PostgreSQL cluster is shared, and a
 * reconnect would lose a per-session schema or temporary table. */
static char table[64];
static char sql_create[160], sql_insert[128], sql_count[128], sql_drop[96];

static int setup(void **state)
{
	db_kind kind = *(const db_kind *)*state;
	char err[256] = "";
	struct fx *f;

	*state = NULL;
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	if (kind == DB_SQLITE) {
		snprintf(f->dir, sizeof(f->dir), "/tmp/mercato-test-store.XXXXXX");
		assert_non_null(mkdtemp(f->dir));
		snprintf(f->url, sizeof(f->url), "sqlite:%s/test.db", f->dir);
	} else {
		const char *env = getenv("MERCATO_TEST_PG_URL");

		if (!env || !*env)
			fail_msg("MERCATO_TEST_PG_URL is not set: run through scripts/run_unit.sh");
		snprintf(f->url, sizeof(f->url), "%s", env);
	}
	if (store_init(f->url, err, sizeof(err)))
		fail_msg("store_init(%s): %s", f->url, err);
	assert_int_equal(db_exec(store_db(), sql_drop), DB_DONE);
	assert_int_equal(db_exec(store_db(), sql_create), DB_DONE);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];

	if (!f)
		return 0;
	store_rollback();
	if (store_db())
		db_exec(store_db(), sql_drop);
	store_shutdown();
	if (f->dir[0]) {
		snprintf(path, sizeof(path), "%s/test.db", f->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/test.db-wal", f->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/test.db-shm", f->dir);
		unlink(path);
		rmdir(f->dir);
	}
	free(f);
	return 0;
}

static mc_rc S_insert(int64_t id)
{
	return store_exec_ints(sql_insert, 1, &id, NULL);
}

static int64_t S_count(void)
{
	int64_t n = -1;

	assert_int_equal(store_row_int(store_stmt(sql_count), MC_ERR_INTERNAL, &n), MC_OK);
	return n;
}

static void test_nested_transactions_are_savepoints(void **state)
{
	(void)state;
	assert_int_equal(store_begin(DB_TXN_DURABLE), MC_OK);
	assert_int_equal(S_insert(1), MC_OK);
	/* An inner transaction that fails, even on a broken constraint (which
	 * aborts a whole PostgreSQL transaction), is undone alone. */
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(2), MC_OK);
	assert_int_equal(S_insert(1), MC_ERR_CONFLICT);
	store_rollback();
	/* An inner commit keeps its rows for the outer one to commit. */
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(3), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	assert_int_equal(S_insert(4), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	assert_int_equal(S_count(), 3);
	/* The outer rollback undoes the committed inner transaction too. */
	assert_int_equal(store_begin(DB_TXN_DURABLE), MC_OK);
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(5), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	store_rollback();
	assert_int_equal(S_count(), 3);
	/* A commit with nothing open is an error, not a silent success. */
	assert_int_equal(store_commit(), MC_ERR_INTERNAL);
}

/* Rows in the table as another connection sees them. */
static int64_t S_count_elsewhere(const struct fx *f)
{
	char err[256];
	db *other = NULL;
	db_stmt *s;
	int64_t n = -1;

	assert_int_equal(db_open(f->url, &other, err, sizeof(err)), DB_DONE);
	assert_int_equal(db_prepare(other, sql_count, &s), DB_DONE);
	assert_int_equal(db_step(s), DB_ROW);
	n = db_col_int(s, 0);
	db_reset(s);
	db_close(other);
	return n;
}

static int S_joined(int want_lost)
{
	int lost = -1, joined = store_batch_joined(&lost);

	assert_int_equal(lost, want_lost);
	return joined;
}

/* Three requests of one turn of an event loop. */
static void test_batch_commits_its_requests_at_once(void **state)
{
	struct fx *f = *state;
	uint64_t ticket = 1;

	store_batch_enable(1);
	/* A lone read opens no batch and is answered at once. */
	assert_int_equal(S_count(), 0);
	assert_false(S_joined(0));
	/* A committed write waits in the batch, unseen by others. */
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(1), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	assert_true(S_joined(0));
	assert_int_equal(S_count_elsewhere(f), 0);
	/* A failing one is undone alone, and makes the batch durable. */
	assert_int_equal(store_begin(DB_TXN_DURABLE), MC_OK);
	assert_int_equal(S_insert(2), MC_OK);
	assert_int_equal(S_insert(1), MC_ERR_CONFLICT);
	store_rollback();
	assert_true(S_joined(0));
	/* A read sees the batch, so its answer waits for it too. */
	assert_int_equal(S_count(), 1);
	assert_true(S_joined(0));
	assert_int_equal(store_batch_commit(&ticket), MC_OK);
	/* SQLite's durable commit leaves a ticket; PostgreSQL's waits itself. */
	if (db_get_kind(store_db()) == DB_SQLITE)
		assert_true(ticket > 0);
	else
		assert_int_equal(ticket, 0);
	assert_int_equal(store_durable_wait(ticket), MC_OK);
	assert_int_equal(S_count_elsewhere(f), 1);
	/* Nothing open: the next turn's commit is a no-op. */
	assert_int_equal(store_batch_commit(&ticket), MC_OK);
	assert_int_equal(ticket, 0);
	/* A commit of the batch itself belongs to store_batch_commit(). */
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	assert_int_equal(store_commit(), MC_ERR_INTERNAL);
	assert_int_equal(store_batch_commit(&ticket), MC_OK);
	store_batch_enable(0);
}

/* Actions after the transaction run after the batch, not after the
 * request's own transaction. */
static int after_runs;

static void S_after(void)
{
	after_runs++;
}

static void test_after_txn_waits_for_the_batch(void **state)
{
	uint64_t ticket;

	(void)state;
	after_runs = 0;
	store_after_txn(S_after);
	assert_int_equal(after_runs, 1);
	store_batch_enable(1);
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(1), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	store_after_txn(S_after);
	store_after_txn(S_after);
	assert_int_equal(after_runs, 1);
	assert_int_equal(store_batch_commit(&ticket), MC_OK);
	assert_int_equal(after_runs, 2);
	store_batch_enable(0);
}

/* The server ends this thread's session, as a restart or crash would. */
static void S_terminate_session(const struct fx *f)
{
	int64_t pid = 0;
	char sql[96], err[256];
	db *other = NULL;

	assert_int_equal(store_row_int(store_stmt("SELECT pg_backend_pid()"), MC_ERR_INTERNAL, &pid), MC_OK);
	assert_int_equal(db_open(f->url, &other, err, sizeof(err)), DB_DONE);
	/* Waits (up to 10 s) until the session is gone. */
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld, 10000)", (long long)pid);
	assert_int_equal(db_exec(other, sql), DB_DONE);
	db_close(other);
}

static void test_lost_connection_is_replaced(void **state)
{
	struct fx *f = *state;
	db_stmt *held;

	assert_int_equal(S_count(), 0);
	held = store_stmt(sql_count);
	S_terminate_session(f);
	/* The statement that meets the closed connection fails as "unavailable"
	 * (a 503), and the next use opens a new connection. */
	assert_int_equal(store_ping(), MC_ERR_UNAVAILABLE);
	assert_int_equal(store_ping(), MC_OK);
	assert_int_equal(S_insert(1), MC_OK);
	/* The connection was replaced in place: a statement prepared on the
	 * old one is still the cached one, and is prepared again as it runs. */
	assert_ptr_equal(store_stmt(sql_count), held);
	assert_int_equal(S_count(), 1);
}

static void test_lost_connection_fails_the_transaction(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(1), MC_OK);
	S_terminate_session(f);
	assert_int_equal(S_insert(2), MC_ERR_UNAVAILABLE);
	/* No new connection inside the transaction: the rest would autocommit. */
	assert_null(store_db());
	assert_int_equal(S_insert(3), MC_ERR_UNAVAILABLE);
	assert_int_equal(store_commit(), MC_ERR_UNAVAILABLE);
	/* After it, the store reconnects; nothing of the transaction is there. */
	assert_int_equal(S_count(), 0);
}

/* A request whose failure took the whole batch with it: the requests that
 * joined before it are told, and the next write opens a new batch. */
static void test_lost_batch_is_reported(void **state)
{
	struct fx *f = *state;
	uint64_t ticket = 1;

	store_batch_enable(1);
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(1), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	assert_true(S_joined(0));
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	S_terminate_session(f);
	assert_int_equal(S_insert(2), MC_ERR_UNAVAILABLE);
	store_rollback();
	assert_false(S_joined(1));
	assert_int_equal(store_batch_commit(&ticket), MC_OK);
	assert_int_equal(ticket, 0);
	assert_int_equal(store_begin(DB_TXN_WRITE), MC_OK);
	assert_int_equal(S_insert(3), MC_OK);
	assert_int_equal(store_commit(), MC_OK);
	assert_true(S_joined(0));
	assert_int_equal(store_batch_commit(&ticket), MC_OK);
	assert_int_equal(S_count_elsewhere(f), 1);
	store_batch_enable(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_nested_transactions_are_savepoints, setup, teardown,
							 (void *)&kind_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_nested_transactions_are_savepoints, setup, teardown,
							 (void *)&kind_pg),
		cmocka_unit_test_prestate_setup_teardown(test_batch_commits_its_requests_at_once, setup, teardown,
							 (void *)&kind_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_batch_commits_its_requests_at_once, setup, teardown,
							 (void *)&kind_pg),
		cmocka_unit_test_prestate_setup_teardown(test_after_txn_waits_for_the_batch, setup, teardown,
							 (void *)&kind_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_lost_batch_is_reported, setup, teardown,
							 (void *)&kind_pg),
		cmocka_unit_test_prestate_setup_teardown(test_lost_connection_is_replaced, setup, teardown,
							 (void *)&kind_pg),
		cmocka_unit_test_prestate_setup_teardown(test_lost_connection_fails_the_transaction, setup, teardown,
							 (void *)&kind_pg),
	};

	snprintf(table, sizeof(table), "mc_store_test_%ld", (long)getpid());
	snprintf(sql_create, sizeof(sql_create), "CREATE TABLE %s (id BIGINT PRIMARY KEY)", table);
	snprintf(sql_insert, sizeof(sql_insert), "INSERT INTO %s (id) VALUES (?)", table);
	snprintf(sql_count, sizeof(sql_count), "SELECT COUNT(*) FROM %s", table);
	snprintf(sql_drop, sizeof(sql_drop), "DROP TABLE IF EXISTS %s", table);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
