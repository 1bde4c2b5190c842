/* Token-bucket limiter (core/ratelimit.h). Time is passed in explicitly. */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "core/hash.h"
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

/* Long keys that agree on their first 100 bytes, the second one picked to
 * share the first's slots under FNV-1a, are still two keys. */
static void test_long_keys_are_compared_whole(void **state)
{
	size_t sets = MC_RATE_BUCKETS / 4;
	char a[200], b[200];

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(a));
	for (int i = 0; i < 100 * 100 && (!strcmp(a, b) || hash_str(a) % sets != hash_str(b) % sets); i++)
		snprintf(b + 100, sizeof(b) - 100, "%d", i);
	assert_int_equal(hash_str(a) % sets, hash_str(b) % sets);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(*state, a, T0, NULL), 0);
	assert_int_equal(ratelimit_take(*state, a, T0, NULL), 1);
	assert_int_equal(ratelimit_take(*state, b, T0, NULL), 0);
}

/* Keys chosen to share a victim's slots under a public hash (FNV-1a, as
 * before the hash was keyed) must not push the victim's bucket out. */
static void test_chosen_keys_cannot_evict(void **state)
{
	size_t sets = MC_RATE_BUCKETS / 4, target = hash_str("victim") % sets;
	char key[32];
	int found = 0;

	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(*state, "victim", T0, NULL), 0);
	for (int i = 0; found < 16; i++) {
		snprintf(key, sizeof(key), "decoy%d", i);
		if (hash_str(key) % sets != target)
			continue;
		found++;
		assert_int_equal(ratelimit_take(*state, key, T0 + found, NULL), 0);
	}
	assert_int_equal(ratelimit_take(*state, "victim", T0 + found, NULL), 1);
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
		cmocka_unit_test_setup_teardown(test_long_keys_are_compared_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chosen_keys_cannot_evict, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
