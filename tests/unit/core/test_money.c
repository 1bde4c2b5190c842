/* Money (core/money.h): checked arithmetic that refuses overflow instead of
 * wrapping, exact percentages, currency codes, and "INR 49.99". */
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

static void test_checked_arithmetic(void **state)
{
	int64_t r = 7;

	(void)state;
	assert_int_equal(money_add(INT64_MAX - 1, 1, &r), 0);
	assert_true(r == INT64_MAX);
	assert_int_equal(money_add(INT64_MAX, 1, &r), -1);
	assert_true(r == INT64_MAX); /* untouched on overflow */
	assert_int_equal(money_add(INT64_MIN, -1, &r), -1);
	assert_int_equal(money_add(0, -5, &r), 0);
	assert_true(r == -5);
	/* The reviewed attack: 930 lines of 999 units at 10^11. */
	assert_int_equal(money_mul(100000000000LL, 999, &r), 0);
	assert_true(r == 99900000000000LL);
	assert_int_equal(money_mul(r, 930 * 100, &r), -1);
	assert_int_equal(money_mul(INT64_MIN, -1, &r), -1);
}

static void test_percent_is_exact_and_cannot_overflow(void **state)
{
	int64_t r = 0;

	(void)state;
	assert_int_equal(money_percent(2997, 33, &r), 0);
	assert_true(r == 989); /* 989.01, half up */
	assert_int_equal(money_percent(150, 33, &r), 0);
	assert_true(r == 50); /* 49.5 -> 50 */
	assert_int_equal(money_percent(INT64_MAX, 100, &r), 0);
	assert_true(r == INT64_MAX);
	assert_int_equal(money_percent(INT64_MAX, 50, &r), 0);
	assert_true(r == INT64_MAX / 2 + 1);
	assert_int_equal(money_percent(1, 0, &r), 0);
	assert_true(r == 0);
	assert_int_equal(money_percent(-1, 10, &r), -1);
	assert_int_equal(money_percent(1, 101, &r), -1);
	/* Same as the plain formula wherever that one does not overflow. */
	for (int64_t a = 0; a < 1000; a += 7)
		for (int64_t p = 0; p <= 100; p++) {
			assert_int_equal(money_percent(a, p, &r), 0);
			assert_true(r == (a * p + 50) / 100);
		}
}

static void test_currency_codes(void **state)
{
	(void)state;
	assert_true(money_currency_known("INR"));
	assert_true(money_currency_known("USD"));
	assert_true(money_currency_known("EUR"));
	assert_true(money_currency_known("AED"));
	assert_true(money_currency_known("ZWG"));
	assert_false(money_currency_known("ZZZ"));
	assert_false(money_currency_known("usd"));
	assert_false(money_currency_known("JPY")); /* no decimals */
	assert_false(money_currency_known("KWD")); /* three decimals */
	assert_false(money_currency_known("XAU"));
	assert_false(money_currency_known("USDX"));
	assert_false(money_currency_known(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_checked_arithmetic),
		cmocka_unit_test(test_percent_is_exact_and_cannot_overflow),
		cmocka_unit_test(test_currency_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
