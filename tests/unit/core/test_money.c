/* Money for people (core/money.h): minor units as "INR 49.99". */
#include "unit.h"

#include <stdint.h>

#include "core/money.h"

static void S_expect(int64_t minor, const char *want)
{
	char buf[32];

	money_format(minor, "INR", buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	(void)state;
	S_expect(4999, "INR 49.99");
	S_expect(0, "INR 0.00");
	S_expect(5, "INR 0.05");
	S_expect(100, "INR 1.00");
	S_expect(100000000000LL, "INR 1000000000.00");
	S_expect(-50, "INR -0.50");
	S_expect(INT64_MIN, "INR -92233720368547758.08");
	S_expect(INT64_MAX, "INR 92233720368547758.07");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
