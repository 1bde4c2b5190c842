/* States and kinds (core/states.h): every name parses back to its value,
 * unknown text is the _NONE value, out-of-range values are named "none". */
#include "unit.h"

#include "core/states.h"

static void test_names_round_trip(void **state)
{
	(void)state;

	for (int s = ORDER_PENDING_PAYMENT; s < ORDER_STATUS_COUNT; s++)
		assert_int_equal(order_status_parse(order_status_name(s)), s);
	for (int s = PAY_UNPAID; s < PAY_STATE_COUNT; s++)
		assert_int_equal(pay_state_parse(pay_state_name(s)), s);
	for (int s = PAYMENT_SUCCESS; s < PAYMENT_STATUS_COUNT; s++)
		assert_int_equal(payment_status_parse(payment_status_name(s)), s);
	for (int m = METHOD_UPI; m < PAYMENT_METHOD_COUNT; m++)
		assert_int_equal(payment_method_parse(payment_method_name(m)), m);
	for (int s = JOB_QUEUED; s < JOB_STATE_COUNT; s++)
		assert_int_equal(job_state_parse(job_state_name(s)), s);
	for (int k = EMAIL_ORDER_PLACED; k < EMAIL_KIND_COUNT; k++)
		assert_int_equal(email_kind_parse(email_kind_name(k)), k);
	assert_int_equal(order_status_parse("pending"), ORDER_PENDING_PAYMENT);
	assert_int_equal(order_status_parse("Paid"), ORDER_NONE);
	assert_int_equal(order_status_parse(NULL), ORDER_NONE);
	assert_int_equal(email_kind_parse("parcel_lost"), EMAIL_NONE);
	assert_int_equal(payment_method_parse("cod"), METHOD_NONE);
	assert_string_equal(order_status_name(ORDER_STATUS_COUNT), "none");
	assert_string_equal(email_kind_name(EMAIL_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
