/* Queueing emails (domain/notify.h), on a fresh SQLite store: a kind that is
 * not an order email is a server bug, refused as internal before the order
 * is read; an order email for an order that does not exist is not found. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "domain/notify.h"
#include "store/migrate.h"
#include "store/store.h"

static char dir[] = "/tmp/mc-notify-XXXXXX";

static int setup(void **state)
{
	char url[128], err[256];
	int applied = 0;
	(void)state;

	if (!mkdtemp(dir))
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/test.db", dir);
	if (store_init(url, err, sizeof(err)) || !store_db() || migrate_run(store_db(), &applied))
		return -1;
	notify_init(3);
	return 0;
}

static int teardown(void **state)
{
	static const char *const files[] = { "test.db", "test.db-wal", "test.db-shm" };
	char path[128];
	(void)state;

	store_thread_release();
	store_shutdown();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	return rmdir(dir);
}

static void test_wrong_kind_is_internal(void **state)
{
	static const email_kind wrong[] = { EMAIL_NONE, EMAIL_WELCOME, EMAIL_SALE_START, EMAIL_PROMO_DIGEST,
					    EMAIL_KIND_COUNT };
	(void)state;

	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		assert_int_equal(notify_order_event(404, wrong[i]), MC_ERR_INTERNAL);
	/* A right kind gets as far as the order. */
	assert_int_equal(notify_order_event(404, EMAIL_ORDER_SHIPPED), MC_ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_kind_is_internal),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
