/* Token-bucket limiter (core/ratelimit.h). Time is passed in explicitly. */
#include "unit.h"

#include <stdio.h>

#include "core/limits.h"
#include "core/ratelimit.h"

#define SEC 1000000LL
#define T0 (1000 * SEC)

/* 2 tokens per second, bucket of 5. */
static int setup(void **state)
{
	*state = ratelimit_new(2.0, 5);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	ratelimit_free(*state);
	return 0;
}

static void test_burst_then_limited(void **state)
{
	struct ratelimit_state st;

	for (int i = 0; i < 5; i++) {
		assert_int_equal(ratelimit_take(*state, "10.0.0.1", T0, &st), 0);
		assert_int_equal(st.limit, 5);
		assert_int_equal(st.remaining, 4 - i);
		assert_int_equal(st.retry_after, 0);
	}
	assert_int_equal(ratelimit_take(*state, "10.0.0.1", T0, &st), 1);
	assert_int_equal(st.remaining, 0);
	assert_true(st.retry_after >= 1);
	assert_true(st.reset >= 1);
	assert_int_equal(ratelimit_take(*state, "10.0.0.1", T0, NULL), 1);
}

static void test_refill(void **state)
{
	struct ratelimit_state st;

	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(*state, "k", T0, NULL), 0);
	assert_int_equal(ratelimit_take(*state, "k", T0, &st), 1);
	/* Just over half a second at 2/s buys one token. */
	assert_int_equal(ratelimit_take(*state, "k", T0 + SEC / 2 + 1000, &st), 0);
	assert_int_equal(ratelimit_take(*state, "k", T0 + SEC / 2 + 1000, &st), 1);
	assert_int_equal(st.retry_after, 1);
	/* A long pause refills to the burst size, never beyond. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(*state, "k", T0 + 3600 * SEC, NULL), 0);
	assert_int_equal(ratelimit_take(*state, "k", T0 + 3600 * SEC, NULL), 1);
}

static void test_keys_independent(void **state)
{
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(*state, "a", T0, NULL), 0);
	assert_int_equal(ratelimit_take(*state, "a", T0, NULL), 1);
	assert_int_equal(ratelimit_take(*state, "b", T0, NULL), 0);
	assert_int_equal(ratelimit_take(*state, "a", T0, NULL), 1);
}

static void test_check_does_not_consume(void **state)
{
	struct ratelimit_state st;

	for (int i = 0; i < 10; i++)
		assert_int_equal(ratelimit_check(*state, "c", T0, &st), 0);
	assert_int_equal(st.remaining, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(*state, "c", T0, NULL), 0);
	assert_int_equal(ratelimit_check(*state, "c", T0, &st), 1);
	assert_true(st.retry_after >= 1);
}

static void test_slow_rate_retry_after(void **state)
{
	struct ratelimit *rl = ratelimit_new(30.0 / 60.0, 1); /* 30 per minute */
	struct ratelimit_state st;
	(void)state;

	assert_non_null(rl);
	assert_int_equal(ratelimit_take(rl, "ip", T0, &st), 0);
	assert_int_equal(ratelimit_take(rl, "ip", T0, &st), 1);
	assert_int_equal(st.retry_after, 2);
	assert_int_equal(ratelimit_take(rl, "ip", T0 + SEC, &st), 1);
	assert_int_equal(st.retry_after, 1);
	assert_int_equal(ratelimit_take(rl, "ip", T0 + 2 * SEC + 1000, &st), 0);
	ratelimit_free(rl);
}

static void test_many_keys(void **state)
{
	char key[32];

	for (int i = 0; i < MC_RATE_BUCKETS * 3; i++) {
		snprintf(key, sizeof(key), "192.0.%d.%d", i / 256, i % 256);
		assert_int_equal(ratelimit_take(*state, key, T0 + i, NULL), 0);
	}
	/* After all that churn the limiter still limits a fresh key. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(*state, "fresh", T0 + 4 * MC_RATE_BUCKETS, NULL), 0);
	assert_int_equal(ratelimit_take(*state, "fresh", T0 + 4 * MC_RATE_BUCKETS, NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_burst_then_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_does_not_consume, setup, teardown),
		cmocka_unit_test(test_slow_rate_retry_after),
		cmocka_unit_test_setup_teardown(test_many_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
