/* Address checks (domain/addresses.c): ISO 3166-1 alpha-2 codes, required
 * and optional fields, normalisation, every bad field reported. */
#include "unit.h"

#include <string.h>

#include "domain/addresses.h"

static void test_country_codes(void **state)
{
	(void)state;
	assert_true(address_country_valid("IN"));
	assert_true(address_country_valid("us"));
	assert_true(address_country_valid("AX"));
	assert_true(address_country_valid("ZW"));
	assert_false(address_country_valid("XX"));
	assert_false(address_country_valid("UK"));  /* GB is the code */
	assert_false(address_country_valid("IND"));
	assert_false(address_country_valid("I"));
	assert_false(address_country_valid(""));
	assert_false(address_country_valid(NULL));
}

static void test_from_input(void **state)
{
	struct address_input in = {
		.set = AF_NAME | AF_LINE1 | AF_CITY | AF_COUNTRY | AF_PHONE,
		.name = "Asha", .line1 = "12 MG Road", .city = "Bengaluru", .country = "in", .phone = "+91 (80) 1234",
	};
	struct address a;
	mc_error err;

	(void)state;
	mc_error_init(&err);
	assert_int_equal(address_from_input(&in, &a, &err), MC_OK);
	assert_string_equal(a.country, "IN");
	assert_string_equal(a.line2, "");
	assert_string_equal(a.phone, "+91 (80) 1234");
	address_release(&a);
	mc_error_release(&err);

	in.set = AF_NAME | AF_COUNTRY | AF_PHONE | AF_POSTAL_CODE;
	in.country = "zz";
	in.phone = "call me";
	in.postal_code = "56<1";
	mc_error_init(&err);
	assert_int_equal(address_from_input(&in, &a, &err), MC_ERR_INVALID);
	assert_int_equal(err.nfields, 5);  /* line1, city, postalCode, phone, country */
	assert_string_equal(err.fields[0].field, "line1");
	assert_string_equal(err.fields[4].field, "country");
	mc_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_country_codes),
		cmocka_unit_test(test_from_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
