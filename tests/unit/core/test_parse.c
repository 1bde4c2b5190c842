/* Strict integer and list parsing (core/parse.h). */
#include "unit.h"

#include <string.h>

#include "core/parse.h"

static void test_i64_accepts(void **state)
{
	static const struct { const char *s; int64_t v; } ok[] = {
		{ "0", 0 }, { "7", 7 }, { "-12", -12 }, { "007", 7 },
		{ "9223372036854775807", INT64_MAX }, { "-9223372036854775808", INT64_MIN },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t v = 42;

		assert_int_equal(mc_parse_i64(ok[i].s, INT64_MIN, INT64_MAX, &v), MC_OK);
		assert_true(v == ok[i].v);
	}
}

static void test_i64_rejects(void **state)
{
	static const char *const bad[] = {
		"", "-", "+5", " 5", "5 ", "5x", "0x10", "1e3", "1.0", "--1",
		"9223372036854775808", "-9223372036854775809", "99999999999999999999999",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = 42;

		if (mc_parse_i64(bad[i], INT64_MIN, INT64_MAX, &v) != MC_ERR_INVALID)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(v == 42);
	}
	assert_int_equal(mc_parse_i64(NULL, 0, 1, NULL), MC_ERR_INVALID);
}

static void test_i64_range(void **state)
{
	int64_t v = 42;
	(void)state;

	assert_int_equal(mc_parse_i64("0", 1, 10, &v), MC_ERR_INVALID);
	assert_int_equal(mc_parse_i64("11", 1, 10, &v), MC_ERR_INVALID);
	assert_int_equal(mc_parse_i64("-1", 1, 10, &v), MC_ERR_INVALID);
	assert_true(v == 42);
	assert_int_equal(mc_parse_i64("10", 1, 10, &v), MC_OK);
	assert_true(v == 10);
}

static void test_list_split(void **state)
{
	char dst[3][8];
	(void)state;

	assert_int_equal(mc_parse_list(" a, bb ,,ccc,", &dst[0][0], sizeof(dst[0]), 3), 3);
	assert_string_equal(dst[0], "a");
	assert_string_equal(dst[1], "bb");
	assert_string_equal(dst[2], "ccc");
	assert_int_equal(mc_parse_list("", &dst[0][0], sizeof(dst[0]), 3), 0);
	assert_int_equal(mc_parse_list(NULL, NULL, sizeof(dst[0]), 3), 0);
	assert_int_equal(mc_parse_list("a,b,c", NULL, sizeof(dst[0]), 3), 3);
}

/* One item too many, or one too long, is an error: never a truncation. */
static void test_list_refuses_overflow(void **state)
{
	char dst[2][8];
	(void)state;

	assert_int_equal(mc_parse_list("a,b,c", &dst[0][0], sizeof(dst[0]), 2), -1);
	assert_int_equal(mc_parse_list("a,b,c", NULL, sizeof(dst[0]), 2), -1);
	assert_int_equal(mc_parse_list("a,12345678", &dst[0][0], sizeof(dst[0]), 2), -1);
	assert_int_equal(mc_parse_list("a,1234567", &dst[0][0], sizeof(dst[0]), 2), 2);
	assert_string_equal(dst[1], "1234567");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i64_accepts),
		cmocka_unit_test(test_i64_rejects),
		cmocka_unit_test(test_i64_range),
		cmocka_unit_test(test_list_split),
		cmocka_unit_test(test_list_refuses_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
