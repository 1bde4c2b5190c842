/* One thread does a periodic re-read for all (core/poll_gate.h). */
#include "unit.h"

#include "core/poll_gate.h"

#define SECOND 1000000

static void test_one_at_a_time_and_after_the_interval(void **state)
{
	struct poll_gate g = POLL_GATE_INIT;
	(void)state;

	/* Never done: due at once, for one caller. */
	assert_true(poll_gate_enter(&g, 5 * SECOND, SECOND));
	assert_false(poll_gate_enter(&g, 5 * SECOND, SECOND));
	poll_gate_leave(&g, 5 * SECOND, 1);
	/* Done: not due again before the interval has passed. */
	assert_false(poll_gate_enter(&g, 5 * SECOND + SECOND - 1, SECOND));
	assert_true(poll_gate_enter(&g, 6 * SECOND, SECOND));
	poll_gate_leave(&g, 6 * SECOND, 1);
	/* An interval of 0 makes it due now (the catalog's sale boundary). */
	assert_true(poll_gate_enter(&g, 6 * SECOND, 0));
	poll_gate_leave(&g, 6 * SECOND, 1);
}

static void test_a_failure_is_due_again_at_once(void **state)
{
	struct poll_gate g = POLL_GATE_INIT;
	(void)state;

	assert_true(poll_gate_enter(&g, 5 * SECOND, SECOND));
	poll_gate_leave(&g, 5 * SECOND, 1);
	assert_true(poll_gate_enter(&g, 6 * SECOND, SECOND));
	poll_gate_leave(&g, 6 * SECOND, 0);
	assert_true(poll_gate_enter(&g, 6 * SECOND + 1, SECOND));
	poll_gate_leave(&g, 6 * SECOND + 1, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_at_a_time_and_after_the_interval),
		cmocka_unit_test(test_a_failure_is_due_again_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
