/* Fake Store import: exact price conversion and item checks (domain/import.h). */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "domain/import.h"

static int64_t S_price(double major)
{
	int64_t out = -1;
	mc_error e;

	mc_error_init(&e);
	assert_int_equal(import_price_minor(major, &out, &e), MC_OK);
	assert_int_equal(e.nfields, 0);
	return out;
}

/* Refused, with a "price" field error containing `needle`. */
static void S_refused(double major, const char *needle)
{
	int64_t out = 12345;
	mc_error e;

	mc_error_init(&e);
	assert_int_equal(import_price_minor(major, &out, &e), MC_ERR_INVALID);
	assert_int_equal(out, 12345);
	assert_int_equal(e.nfields, 1);
	assert_string_equal(e.fields[0].field, "price");
	assert_non_null(strstr(e.fields[0].message, needle));
}

static void test_prices_convert_exactly(void **state)
{
	(void)state;
	assert_int_equal(S_price(109.95), 10995);
	assert_int_equal(S_price(22.3), 2230);
	assert_int_equal(S_price(7.95), 795);
	assert_int_equal(S_price(15.99), 1599);
	assert_int_equal(S_price(1099), 109900);
	assert_int_equal(S_price(0.5), 50);
	assert_int_equal(S_price(0.01), 1);
	assert_int_equal(S_price(0.29), 29);   /* 0.29 * 100 = 28.999999999999996 */
	assert_int_equal(S_price(1.15), 115);  /* 1.15 * 100 = 114.99999999999999 */
	assert_int_equal(S_price(0), 0);
	assert_int_equal(S_price(-0.0), 0);
	assert_int_equal(S_price(55.99), 5599);
	assert_int_equal(S_price(999999999.99), 99999999999LL);
	assert_int_equal(S_price(1e9), MC_PRICE_MAX);
}

static void test_every_two_decimal_price_up_to_1000_converts(void **state)
{
	char buf[32];
	(void)state;
	/* The way a JSON parser sees them: decimal text through strtod. */
	for (int64_t m = 0; m <= 100000; m++) {
		snprintf(buf, sizeof(buf), "%lld.%02lld", (long long)(m / 100), (long long)(m % 100));
		assert_int_equal(S_price(strtod(buf, NULL)), m);
	}
}

static void test_more_than_two_decimals_is_refused(void **state)
{
	(void)state;
	S_refused(1.005, "1.005 has more than 2 decimal places");
	S_refused(19.999, "19.999 has more than 2 decimal places");
	S_refused(0.001, "more than 2 decimal places");
	S_refused(1.0000001, "more than 2 decimal places");
	S_refused(109.951, "more than 2 decimal places");
	S_refused(1.0 / 3, "more than 2 decimal places");
}

static void test_negative_and_huge_are_refused(void **state)
{
	(void)state;
	S_refused(-0.01, "negative");
	S_refused(-5, "-5 must not be negative");
	S_refused(NAN, "negative");
	S_refused(1e9 + 0.01, "above the largest price");
	S_refused(1e12, "above the largest price");
	S_refused(INFINITY, "above the largest price");
}

static void test_parse_reads_items(void **state)
{
	static const char text[] =
		"[{\"id\": 1, \"title\": \"Backpack\", \"price\": 109.95, \"description\": \"Fits 15 in.\","
		" \"category\": \"men's clothing\", \"image\": \"https://example.com/1.jpg\","
		" \"rating\": {\"rate\": 3.9, \"count\": 120}},"
		" {\"id\": 2, \"title\": \"Cable\", \"price\": 1099}]";
	struct import_list l;
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(import_fakestore_parse(text, sizeof(text) - 1, &l, &e), MC_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].id, 1);
	assert_int_equal(l.items[0].price, 10995);
	assert_string_equal(l.items[0].title, "Backpack");
	assert_string_equal(l.items[0].category, "men's clothing");
	assert_string_equal(l.items[0].image, "https://example.com/1.jpg");
	assert_int_equal(l.items[0].rating_sum, 468);
	assert_int_equal(l.items[0].rating_count, 120);
	assert_int_equal(l.items[1].price, 109900);
	assert_string_equal(l.items[1].description, "");
	assert_string_equal(l.items[1].category, "");
	assert_null(l.items[1].image);
	assert_int_equal(l.items[1].rating_count, 0);
	import_list_release(&l);

	assert_int_equal(import_fakestore_parse("[]", 2, &l, &e), MC_OK);
	assert_int_equal(l.n, 0);
	import_list_release(&l);
}

static void S_parse_fails(const char *text, const char *needle)
{
	struct import_list l = { 0 };
	mc_error e;

	mc_error_init(&e);
	assert_int_equal(import_fakestore_parse(text, strlen(text), &l, &e), MC_ERR_INVALID);
	assert_null(l.doc);
	if (!strstr(e.detail, needle))
		fail_msg("\"%s\" does not contain \"%s\"", e.detail, needle);
}

static void test_parse_names_the_bad_item(void **state)
{
	(void)state;
	S_parse_fails("[{\"id\": 1, \"title\": \"Fine\", \"price\": 2},"
		      " {\"id\": 7, \"title\": \"Tiny Bolt\", \"price\": 1.005}]",
		      "item 2 (id 7, \"Tiny Bolt\"): price 1.005 has more than 2 decimal places");
	S_parse_fails("[{\"id\": 7, \"title\": \"Bolt\", \"price\": \"1.50\"}]", "price is required and must be a number");
	S_parse_fails("[{\"title\": \"Bolt\", \"price\": 1}]", "item 1 in the file: id is required");
	S_parse_fails("[{\"id\": 3, \"price\": 1}]", "item 1 in the file: title is required");
	S_parse_fails("[{\"id\": 3, \"title\": \"Bolt\", \"price\": 1, \"image\": \"ftp://x/y.png\"}]",
		      "item 1 (id 3, \"Bolt\"): imageUrl");
	S_parse_fails("[{\"id\": 3, \"title\": \"  \", \"price\": 1}]", "name must be a non-blank single line");
	S_parse_fails("[{\"id\": 3, \"title\": \"Bolt\", \"price\": 1, \"rating\": {\"rate\": 4}}]", "rating.count");
	S_parse_fails("[3]", "item 1 in the file: must be an object");
	S_parse_fails("{\"id\": 3}", "JSON array");
	S_parse_fails("[{\"id\": 3,", "malformed JSON");
	S_parse_fails("[{\"id\": 3, \"id\": 4}]", "malformed JSON");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prices_convert_exactly),
		cmocka_unit_test(test_every_two_decimal_price_up_to_1000_converts),
		cmocka_unit_test(test_more_than_two_decimals_is_refused),
		cmocka_unit_test(test_negative_and_huge_are_refused),
		cmocka_unit_test(test_parse_reads_items),
		cmocka_unit_test(test_parse_names_the_bad_item),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
