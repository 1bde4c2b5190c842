/* The db interface (store/db.h) against both drivers: SQLite on a temporary
 * file, PostgreSQL at $MERCATO_TEST_PG_URL (set by scripts/run_unit.sh).
 * Each PostgreSQL test works in its own schema, dropped afterwards. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

struct fx {
	db_kind kind;
	db *d;
	char dir[64];    /* SQLite: temporary directory holding the database */
	char schema[64]; /* PostgreSQL: per-test schema */
};

static const db_kind kind_sqlite = DB_SQLITE;
static const db_kind kind_pg = DB_PG;

static const char *const create_items =
	"CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" qty BIGINT, note TEXT, price DOUBLE PRECISION)";
static const char *const insert_item = "INSERT INTO items (id, name, qty, note, price) VALUES (?, ?, ?, ?, ?)";
static const char *const select_item = "SELECT id, name, qty, note, price FROM items WHERE id = ? AND name = ?";
static const char *const count_items = "SELECT COUNT(*) FROM items";

static int setup(void **state)
{
	db_kind kind = *(const db_kind *)*state;
	struct fx *f;
	char url[160], err[256] = "";
	static int seq;

	*state = NULL; /* teardown must never see the prestate */
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->kind = kind;
	*state = f;
	if (kind == DB_SQLITE) {
		snprintf(f->dir, sizeof(f->dir), "/tmp/mercato-test-db.XXXXXX");
		assert_non_null(mkdtemp(f->dir));
		snprintf(url, sizeof(url), "sqlite:%s/test.db", f->dir);
	} else {
		const char *env = getenv("MERCATO_TEST_PG_URL");

		if (!env || !*env)
			fail_msg("MERCATO_TEST_PG_URL is not set: run through scripts/run_unit.sh, or set it "
				 "to the URL printed by `scripts/pg_cluster.sh start DIR`");
		snprintf(url, sizeof(url), "%s", env);
	}
	if (db_open(url, &f->d, err, sizeof(err)) != DB_DONE)
		fail_msg("db_open(%s): %s", url, err);
	assert_int_equal(db_get_kind(f->d), kind);
	if (kind == DB_PG) {
		char sql[200];

		/* A schema per test: runs and tests never see each other's tables. */
		snprintf(f->schema, sizeof(f->schema), "mc_test_%ld_%d", (long)getpid(), ++seq);
		snprintf(sql, sizeof(sql), "CREATE SCHEMA %s; SET search_path = %s", f->schema, f->schema);
		assert_int_equal(db_exec(f->d, sql), DB_DONE);
	}
	assert_int_equal(db_exec(f->d, create_items), DB_DONE);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (!f)
		return 0;
	if (f->d && f->schema[0]) {
		char sql[128];

		db_rollback(f->d); /* in case a test failed mid-transaction */
		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", f->schema);
		if (db_exec(f->d, sql) != DB_DONE)
			fprintf(stderr, "test_db: could not drop schema %s\n", f->schema);
	}
	if (f->d)
		db_close(f->d);
	if (f->dir[0]) {
		static const char *const files[] = { "test.db", "test.db-wal", "test.db-shm" };
		char path[128];

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
			unlink(path);
		}
		rmdir(f->dir);
	}
	free(f);
	*state = NULL;
	return 0;
}

static void insert(db *d, int64_t id, const char *name, int64_t qty, const char *note)
{
	db_stmt *s;

	assert_int_equal(db_prepare(d, insert_item, &s), DB_DONE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_int(s, 3, qty);
	db_bind_text(s, 4, note); /* NULL binds SQL NULL */
	db_bind_null(s, 5);
	assert_int_equal(db_step(s), DB_DONE);
	assert_int_equal(db_changes(d), 1);
}

static int64_t count(db *d)
{
	db_stmt *s;
	int64_t n;

	assert_int_equal(db_prepare(d, count_items, &s), DB_DONE);
	assert_int_equal(db_step(s), DB_ROW);
	n = db_col_int(s, 0);
	assert_int_equal(db_step(s), DB_DONE);
	return n;
}

static void test_insert_select(void **state)
{
	struct fx *f = *state;
	db_stmt *s;

	insert(f->d, 1, "apple", 3, NULL);
	assert_int_equal(db_prepare(f->d, insert_item, &s), DB_DONE);
	db_bind_int(s, 1, INT64_C(9000000000));
	db_bind_text(s, 2, "pear");
	db_bind_null(s, 3);
	db_bind_text(s, 4, "ripe 'n' \"sweet\" ?");
	db_bind_text(s, 5, "2.5");
	assert_int_equal(db_step(s), DB_DONE);
	assert_int_equal(db_changes(f->d), 1);

	assert_int_equal(db_prepare(f->d, select_item, &s), DB_DONE);
	db_bind_int(s, 1, 1);
	db_bind_text(s, 2, "apple");
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_col_int(s, 0), 1);
	assert_string_equal(db_col_text(s, 1), "apple");
	assert_int_equal(db_col_int(s, 2), 3);
	assert_true(db_col_is_null(s, 3));
	assert_string_equal(db_col_text(s, 3), "");
	assert_true(db_col_is_null(s, 4));
	assert_false(db_col_is_null(s, 1));
	assert_int_equal(db_step(s), DB_DONE);

	assert_int_equal(db_prepare(f->d, select_item, &s), DB_DONE);
	db_bind_int(s, 1, INT64_C(9000000000));
	db_bind_text(s, 2, "pear");
	assert_int_equal(db_step(s), DB_ROW);
	assert_true(db_col_int(s, 0) == INT64_C(9000000000));
	assert_true(db_col_is_null(s, 2));
	assert_string_equal(db_col_text(s, 3), "ripe 'n' \"sweet\" ?");
	assert_string_equal(db_col_text(s, 4), "2.5");
	assert_int_equal(db_step(s), DB_DONE);

	/* No match. */
	assert_int_equal(db_prepare(f->d, select_item, &s), DB_DONE);
	db_bind_int(s, 1, 1);
	db_bind_text(s, 2, "pear");
	assert_int_equal(db_step(s), DB_DONE);
}

static void test_rows_and_changes(void **state)
{
	static const char *const sel = "SELECT id, name, qty FROM items WHERE qty >= ? ORDER BY id";
	static const char *const upd = "UPDATE items SET qty = qty + ? WHERE id <= ?";
	static const char *const del = "DELETE FROM items WHERE id > ?";
	struct fx *f = *state;
	db_stmt *s;
	char name[16];
	int64_t id = 0;
	int rc, n = 0;

	for (int i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), "item%d", i);
		insert(f->d, i, name, i * 10, "n");
	}
	assert_int_equal(count(f->d), 6);

	assert_int_equal(db_prepare(f->d, sel, &s), DB_DONE);
	db_bind_int(s, 1, 20);
	while ((rc = db_step(s)) == DB_ROW) {
		assert_true(db_col_int(s, 0) > id);
		id = db_col_int(s, 0);
		snprintf(name, sizeof(name), "item%d", (int)id);
		assert_string_equal(db_col_text(s, 1), name);
		assert_int_equal(db_col_int(s, 2), id * 10);
		n++;
	}
	assert_int_equal(rc, DB_DONE);
	assert_int_equal(n, 5);
	assert_int_equal(id, 6);
	/* Stepping past DB_DONE is unspecified: SQLite re-runs, PostgreSQL stays done. */

	assert_int_equal(db_prepare(f->d, upd, &s), DB_DONE);
	db_bind_int(s, 1, 1);
	db_bind_int(s, 2, 3);
	assert_int_equal(db_step(s), DB_DONE);
	assert_int_equal(db_changes(f->d), 3);
	/* A SELECT leaves the count alone, as in SQLite. */
	assert_int_equal(count(f->d), 6);
	assert_int_equal(db_changes(f->d), 3);

	assert_int_equal(db_prepare(f->d, del, &s), DB_DONE);
	db_bind_int(s, 1, 4);
	assert_int_equal(db_step(s), DB_DONE);
	assert_int_equal(db_changes(f->d), 2);
	assert_int_equal(db_prepare(f->d, del, &s), DB_DONE);
	db_bind_int(s, 1, 4);
	assert_int_equal(db_step(s), DB_DONE);
	assert_int_equal(db_changes(f->d), 0);
	assert_int_equal(count(f->d), 4);
}

static void test_constraint(void **state)
{
	struct fx *f = *state;
	db_stmt *s;

	insert(f->d, 1, "apple", 1, NULL);
	assert_int_equal(db_prepare(f->d, insert_item, &s), DB_DONE);
	db_bind_int(s, 1, 2);
	db_bind_text(s, 2, "apple"); /* UNIQUE name */
	assert_int_equal(db_step(s), DB_CONSTRAINT);
	assert_int_equal(db_prepare(f->d, insert_item, &s), DB_DONE);
	db_bind_int(s, 1, 1); /* PRIMARY KEY */
	db_bind_text(s, 2, "banana");
	assert_int_equal(db_step(s), DB_CONSTRAINT);
	assert_int_equal(db_exec(f->d, "INSERT INTO items (id, name) VALUES (3, 'apple')"), DB_CONSTRAINT);
	assert_true(strlen(db_errmsg(f->d)) > 0);
	/* The connection stays usable. */
	insert(f->d, 2, "banana", 1, NULL);
	assert_int_equal(count(f->d), 2);
}

static void test_transactions(void **state)
{
	struct fx *f = *state;

	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	insert(f->d, 1, "apple", 1, NULL);
	insert(f->d, 2, "pear", 1, NULL);
	assert_int_equal(count(f->d), 2);
	assert_int_equal(db_rollback(f->d), DB_DONE);
	assert_int_equal(count(f->d), 0);

	assert_int_equal(db_begin(f->d, DB_TXN_DURABLE), DB_DONE);
	insert(f->d, 1, "apple", 1, NULL);
	assert_int_equal(db_commit(f->d), DB_DONE);
	assert_int_equal(db_begin(f->d, DB_TXN_READ), DB_DONE);
	assert_int_equal(count(f->d), 1);
	assert_int_equal(db_commit(f->d), DB_DONE);

	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	insert(f->d, 2, "pear", 1, NULL);
	assert_int_equal(db_commit(f->d), DB_DONE);
	assert_int_equal(count(f->d), 2);
}

/* SQLite: a durable commit leaves a ticket, taken once, growing with each
 * commit, and db_durable_wait() returns once the WAL is flushed past it.
 * PostgreSQL's COMMIT waits itself: never a ticket. */
static void test_durable_tickets(void **state)
{
	struct fx *f = *state;
	uint64_t first, second;

	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	insert(f->d, 1, "apple", 1, NULL);
	assert_int_equal(db_commit(f->d), DB_DONE);
	assert_int_equal(db_durable_ticket(f->d), 0);

	assert_int_equal(db_begin(f->d, DB_TXN_DURABLE), DB_DONE);
	insert(f->d, 2, "pear", 1, NULL);
	assert_int_equal(db_commit(f->d), DB_DONE);
	first = db_durable_ticket(f->d);
	assert_int_equal(db_durable_ticket(f->d), 0);
	assert_int_equal(db_begin(f->d, DB_TXN_DURABLE), DB_DONE);
	insert(f->d, 3, "plum", 1, NULL);
	assert_int_equal(db_commit(f->d), DB_DONE);
	second = db_durable_ticket(f->d);
	if (f->kind == DB_SQLITE) {
		assert_true(first > 0);
		assert_true(second > first);
	} else {
		assert_int_equal(first, 0);
		assert_int_equal(second, 0);
	}
	assert_int_equal(db_durable_wait(second), DB_DONE);
	assert_int_equal(db_durable_wait(first), DB_DONE);
	assert_int_equal(count(f->d), 3);
}

/* A failed statement inside a transaction: SQLite keeps the transaction,
 * PostgreSQL aborts it and the driver reports the COMMIT as DB_ERR. */
static void test_failure_in_transaction(void **state)
{
	struct fx *f = *state;
	db_stmt *s;

	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	insert(f->d, 1, "apple", 1, NULL);
	assert_int_equal(db_prepare(f->d, insert_item, &s), DB_DONE);
	db_bind_int(s, 1, 1);
	db_bind_text(s, 2, "pear");
	assert_int_equal(db_step(s), DB_CONSTRAINT);
	if (f->kind == DB_SQLITE) {
		assert_int_equal(db_commit(f->d), DB_DONE);
		assert_int_equal(count(f->d), 1);
	} else {
		assert_int_equal(db_commit(f->d), DB_ERR);
		assert_int_equal(count(f->d), 0);
	}
}

/* Savepoint commands sent later go with the next statement, or the next
 * command, and their failure is that statement's. */
static void test_exec_later(void **state)
{
	struct fx *f = *state;
	db_stmt *s;

	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	assert_int_equal(db_exec_later(f->d, "SAVEPOINT a"), DB_DONE);
	insert(f->d, 1, "apple", 1, NULL);
	assert_int_equal(db_exec_later(f->d, "RELEASE SAVEPOINT a"), DB_DONE);
	assert_int_equal(db_exec_later(f->d, "SAVEPOINT b"), DB_DONE);
	insert(f->d, 2, "pear", 1, NULL);
	assert_int_equal(db_exec_later(f->d, "ROLLBACK TO SAVEPOINT b"), DB_DONE);
	assert_int_equal(db_exec_later(f->d, "RELEASE SAVEPOINT b"), DB_DONE);
	assert_int_equal(count(f->d), 1);
	/* Carried by a command: the commit. */
	assert_int_equal(db_exec_later(f->d, "SAVEPOINT c"), DB_DONE);
	assert_int_equal(db_commit(f->d), DB_DONE);
	assert_int_equal(count(f->d), 1);
	/* A failing one fails the statement that carries it. */
	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	if (f->kind == DB_PG) {
		assert_int_equal(db_exec_later(f->d, "RELEASE SAVEPOINT nosuch"), DB_DONE);
		assert_int_equal(db_prepare(f->d, count_items, &s), DB_DONE);
		assert_int_equal(db_step(s), DB_ERR);
	} else {
		assert_int_equal(db_exec_later(f->d, "RELEASE SAVEPOINT nosuch"), DB_ERR);
	}
	assert_int_equal(db_rollback(f->d), DB_DONE);
	/* The connection is out of pipeline mode: a plain command works. */
	assert_int_equal(db_exec(f->d, "SELECT 1"), DB_DONE);
	assert_int_equal(count(f->d), 1);
}

/* Binds item id (named "sent<id>") to insert_item and starts it (db_send). */
static int send_insert(db *d, int64_t id)
{
	char name[32];
	db_stmt *s;

	snprintf(name, sizeof(name), "sent%lld", (long long)id);
	assert_int_equal(db_prepare(d, insert_item, &s), DB_DONE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_int(s, 3, 1);
	db_bind_null(s, 4);
	db_bind_null(s, 5);
	return db_send(s);
}

static void test_send(void **state)
{
	struct fx *f = *state;
	db_stmt *s;

	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	/* A started write runs before the next statement, which sees it. */
	assert_int_equal(send_insert(f->d, 1), DB_DONE);
	assert_int_equal(count(f->d), 1);
	/* A started read keeps its rows for a later db_step. */
	assert_int_equal(db_prepare(f->d, select_item, &s), DB_DONE);
	db_bind_int(s, 1, 1);
	db_bind_text(s, 2, "sent1");
	assert_int_equal(db_send(s), DB_DONE);
	insert(f->d, 2, "pear", 1, NULL);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_col_int(s, 0), 1);
	assert_int_equal(db_step(s), DB_DONE);
	/* Reset or flushed, a waiting one has run. */
	assert_int_equal(send_insert(f->d, 3), DB_DONE);
	assert_int_equal(send_insert(f->d, 4), DB_DONE); /* the same statement again: 3 went first */
	assert_int_equal(db_flush_sent(f->d), DB_DONE);
	assert_int_equal(db_flush_sent(f->d), DB_DONE);
	assert_int_equal(count(f->d), 4);
	assert_int_equal(db_commit(f->d), DB_DONE);
	/* A failure is told to the statement that carries it. */
	assert_int_equal(db_begin(f->d, DB_TXN_WRITE), DB_DONE);
	if (f->kind == DB_PG) {
		assert_int_equal(send_insert(f->d, 1), DB_DONE);
		assert_int_equal(db_prepare(f->d, count_items, &s), DB_DONE);
		assert_int_equal(db_step(s), DB_CONSTRAINT);
		assert_int_equal(send_insert(f->d, 1), DB_DONE);
		assert_int_equal(db_flush_sent(f->d), DB_ERR); /* the transaction has failed */
	} else {
		assert_int_equal(send_insert(f->d, 1), DB_CONSTRAINT);
	}
	assert_int_equal(db_rollback(f->d), DB_DONE);
	/* The connection is out of pipeline mode: a plain command works. */
	assert_int_equal(db_exec(f->d, "SELECT 1"), DB_DONE);
	assert_int_equal(count(f->d), 4);
}

static void test_statement_cache(void **state)
{
	static const char *const echo = "SELECT COALESCE(CAST(? AS TEXT), 'unbound'), CAST(? AS BIGINT)";
	static const char same_text[] = "SELECT COALESCE(CAST(? AS TEXT), 'unbound'), CAST(? AS BIGINT)";
	struct fx *f = *state;
	db_stmt *s, *s2, *other;

	assert_int_equal(db_prepare(f->d, echo, &s), DB_DONE);
	db_bind_text(s, 1, "first");
	db_bind_int(s, 2, 7);
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_col_text(s, 0), "first");
	assert_int_equal(db_col_int(s, 1), 7);
	/* Left mid-result on purpose: the next prepare resets it. */
	assert_int_equal(db_prepare(f->d, echo, &s2), DB_DONE);
	assert_ptr_equal(s, s2);
	assert_int_equal(db_step(s2), DB_ROW);
	assert_string_equal(db_col_text(s2, 0), "unbound");
	assert_true(db_col_is_null(s2, 1));
	assert_int_equal(db_step(s2), DB_DONE);

	/* Reused after DB_DONE too. */
	assert_int_equal(db_prepare(f->d, echo, &s2), DB_DONE);
	assert_ptr_equal(s, s2);
	db_bind_text(s2, 1, "again");
	assert_int_equal(db_step(s2), DB_ROW);
	assert_string_equal(db_col_text(s2, 0), "again");
	assert_int_equal(db_step(s2), DB_DONE);

	/* The cache is keyed by pointer: equal text elsewhere is another entry. */
	assert_int_equal(db_prepare(f->d, same_text, &other), DB_DONE);
	assert_ptr_not_equal(other, s);

	/* db_reset drops bindings as well. */
	db_bind_text(s, 1, "x");
	db_reset(s);
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_col_text(s, 0), "unbound");
	db_reset(s);
}

static void test_literal_question_marks(void **state)
{
	static const char *const sql =
		"SELECT 'a?b' || CAST(? AS TEXT) AS \"c?\", 'it''s?' -- a ? in a comment\n"
		", /* and ? here */ CAST(? AS BIGINT) + 1";
	struct fx *f = *state;
	db_stmt *s;

	assert_int_equal(db_prepare(f->d, sql, &s), DB_DONE);
	db_bind_text(s, 1, "X");
	db_bind_int(s, 2, 41);
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_col_text(s, 0), "a?bX");
	assert_string_equal(db_col_text(s, 1), "it's?");
	assert_int_equal(db_col_int(s, 2), 42);
	assert_int_equal(db_step(s), DB_DONE);
}

static void test_types(void **state)
{
	static const char *const sql = "SELECT 1 = 1, 1 = 0, CAST(? AS BIGINT), CAST(NULL AS TEXT)";
	struct fx *f = *state;
	db_stmt *s;

	assert_int_equal(db_prepare(f->d, sql, &s), DB_DONE);
	db_bind_int(s, 1, INT64_MIN);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_col_int(s, 0), 1); /* PostgreSQL sends "t" */
	assert_int_equal(db_col_int(s, 1), 0);
	assert_true(db_col_int(s, 2) == INT64_MIN);
	assert_true(db_col_is_null(s, 3));
	assert_string_equal(db_col_text(s, 3), "");
	assert_int_equal(db_step(s), DB_DONE);
}

static void test_errors(void **state)
{
	static const char *const bad = "SELEKT nonsense";
	struct fx *f = *state;
	db_stmt *s = NULL;

	assert_int_equal(db_exec(f->d, "SELEKT 1"), DB_ERR);
	assert_true(strlen(db_errmsg(f->d)) > 0);
	assert_int_equal(db_prepare(f->d, bad, &s), DB_ERR);
	assert_int_equal(count(f->d), 0); /* still usable */
}

/* PostgreSQL only: the rewriter's other quoting forms and its limits. */
static void test_pg_rewrite(void **state)
{
	static const char *const sql =
		"SELECT E'\\'?', $$?$$, $t$ ' ? $t$, CAST(? AS TEXT), 'a\\' || CAST(? AS TEXT),"
		" /* nested /* ? */ ? */ 1";
	static const char *const too_many =
		"SELECT ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?";
	struct fx *f = *state;
	db_stmt *s;

	assert_int_equal(db_prepare(f->d, sql, &s), DB_DONE);
	db_bind_text(s, 1, "one");
	db_bind_text(s, 2, "two");
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_col_text(s, 0), "'?");
	assert_string_equal(db_col_text(s, 1), "?");
	assert_string_equal(db_col_text(s, 2), " ' ? ");
	assert_string_equal(db_col_text(s, 3), "one");
	assert_string_equal(db_col_text(s, 4), "a\\two");
	assert_int_equal(db_step(s), DB_DONE);

	assert_int_equal(db_prepare(f->d, too_many, &s), DB_ERR);

	/* Binding past the parameter count fails the step rather than vanishing. */
	assert_int_equal(db_prepare(f->d, count_items, &s), DB_DONE);
	db_bind_int(s, 1, 1);
	assert_int_equal(db_step(s), DB_ERR);
	assert_int_equal(db_prepare(f->d, count_items, &s), DB_DONE);
	assert_int_equal(db_step(s), DB_ROW);
}

static void test_open_failures(void **state)
{
	db *d = NULL;
	char err[256] = "";

	assert_int_equal(db_open("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", &d, err, sizeof(err)),
			 DB_ERR);
	assert_null(d);
	assert_non_null(strstr(err, "pg connect"));
	err[0] = '\0';
	assert_int_equal(db_open("sqlite:/nonexistent-dir/x/y.db", &d, err, sizeof(err)), DB_ERR);
	assert_null(d);
	assert_true(strlen(err) > 0);
	assert_int_equal(db_open("mysql://x", &d, err, sizeof(err)), DB_ERR);
}

#define BOTH(fn)                                                                                   \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&kind_sqlite),        \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&kind_pg)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_insert_select),
		BOTH(test_rows_and_changes),
		BOTH(test_constraint),
		BOTH(test_transactions),
		BOTH(test_durable_tickets),
		BOTH(test_failure_in_transaction),
		BOTH(test_exec_later),
		BOTH(test_send),
		BOTH(test_statement_cache),
		BOTH(test_literal_question_marks),
		BOTH(test_types),
		BOTH(test_errors),
		cmocka_unit_test_prestate_setup_teardown(test_pg_rewrite, setup, teardown, (void *)&kind_pg),
		cmocka_unit_test(test_open_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
