/* Migrations (store/migrate.h): both dialects carry the same numbered files,
 * numbered 1, 2, 3... with no gap, so a schema change is never made on one
 * database only. The tables are the files as embedded at build time. */
#include "unit.h"

#include <string.h>

#include "store/migrate.h"

static void test_dialects_match(void **state)
{
	size_t n = 0;
	(void)state;

	for (; migrations_sqlite[n].version || migrations_pg[n].version; n++) {
		const struct migration *s = &migrations_sqlite[n], *p = &migrations_pg[n];

		if (!s->version || !p->version)
			fail_msg("migration %s exists for one dialect only", s->version ? s->name : p->name);
		if (s->version != (int)n + 1)
			fail_msg("sqlite migration %s: expected number %zu", s->name, n + 1);
		if (strcmp(s->name, p->name))
			fail_msg("migration %zu is %s on sqlite but %s on pg", n + 1, s->name, p->name);
		assert_true(s->sql && *s->sql && p->sql && *p->sql);
	}
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialects_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
