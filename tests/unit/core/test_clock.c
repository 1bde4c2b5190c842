/* RFC 3339 formatting and parsing (core/clock.h). */
#include "unit.h"

#include "core/clock.h"

/* 2026-11-22T10:00:00Z */
#define T_KNOWN 1795341600LL

static void test_format(void **state)
{
	char buf[32];
	(void)state;

	clock_format_rfc3339(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	clock_format_rfc3339(T_KNOWN, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T10:00:00Z");
	clock_format_rfc3339(951782400, buf, sizeof(buf));
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
}

static void S_expect(const char *s, int64_t want)
{
	int64_t got = -1;

	if (clock_parse_rfc3339(s, &got))
		fail_msg("clock_parse_rfc3339(\"%s\") failed", s);
	if (got != want)
		fail_msg("clock_parse_rfc3339(\"%s\") = %lld, want %lld", s, (long long)got, (long long)want);
}

static void test_parse(void **state)
{
	(void)state;

	S_expect("2026-11-22T10:00:00Z", T_KNOWN);
	S_expect("2026-11-22t10:00:00z", T_KNOWN);
	S_expect("2026-11-22 10:00:00Z", T_KNOWN);
	S_expect("1970-01-01T00:00:00Z", 0);
	S_expect("2026-11-22T10:00:00.5Z", T_KNOWN);
	S_expect("2026-11-22T10:00:00.123456789Z", T_KNOWN);
	S_expect("2026-11-22T15:30:00+05:30", T_KNOWN);
	S_expect("2026-11-22T08:00:00-02:00", T_KNOWN);
	S_expect("2026-11-22T10:00:00.250+00:00", T_KNOWN);
	S_expect("2026-11-23T01:00:00+15:00", T_KNOWN);
	S_expect("2026-11-22", T_KNOWN - 10 * 3600);
	S_expect("2000-02-29", 951782400);
}

static void test_roundtrip(void **state)
{
	static const int64_t ts[] = { 0, 86399, 951782400, T_KNOWN, 4102444799LL };
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		clock_format_rfc3339(ts[i], buf, sizeof(buf));
		S_expect(buf, ts[i]);
	}
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31", "2025-02-29",
		"garbage", "", "2026-11", "2026/11/22",
		"2026-11-22T10:00:00",         /* no zone */
		"2026-11-22T10:00:00Zjunk",    /* trailing junk */
		"2026-11-22T10:00:00+05:30x",
		"2026-11-22x",
		"2026-11-22T",
		"2026-11-22T25:00:00Z", "2026-11-22T10:60:00Z",
		"2026-11-22T10:00:00.Z",       /* empty fraction */
		"2026-11-22T10:00:00+5:30",
		"2026-11-22T10:00:00+05:60",
		"2026-11-22T10:00:00+0530",
		"1969-12-31T23:59:59Z",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t out = 12345;

		if (clock_parse_rfc3339(bad[i], &out) == 0)
			fail_msg("\"%s\" was accepted as %lld", bad[i], (long long)out);
		assert_int_equal(out, 12345);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
