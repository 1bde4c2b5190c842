/* Request contexts reused per thread (http/spares.h). */
#include "unit.h"

#include <string.h>

#include "core/limits.h"
#include "http/spares.h"

#define SIZE 4096

/* A given block comes back, zeroed, to the next taker of this thread. */
static void test_a_given_block_comes_back_zeroed(void **state)
{
	unsigned char zero[SIZE] = { 0 };
	unsigned char *a = spares_take(SIZE), *b;
	(void)state;

	assert_non_null(a);
	assert_memory_equal(a, zero, SIZE);
	memset(a, 0xAB, SIZE);
	spares_give(a);
	b = spares_take(SIZE);
	assert_ptr_equal(a, b);
	assert_memory_equal(b, zero, SIZE);
	spares_give(b);
	spares_drop();
}

/* Past MC_REQUEST_SPARES the blocks are freed (the sanitizer build finds
 * any that would leak), and a drop frees the kept ones. */
static void test_blocks_past_the_bound_are_freed(void **state)
{
	void *blocks[MC_REQUEST_SPARES + 4];
	(void)state;

	for (size_t i = 0; i < MC_REQUEST_SPARES + 4; i++) {
		blocks[i] = spares_take(SIZE);
		assert_non_null(blocks[i]);
	}
	for (size_t i = 0; i < MC_REQUEST_SPARES + 4; i++)
		spares_give(blocks[i]);
	spares_drop();
	/* Nothing kept: the next block is a fresh one. */
	blocks[0] = spares_take(SIZE);
	assert_non_null(blocks[0]);
	spares_give(blocks[0]);
	spares_drop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_given_block_comes_back_zeroed),
		cmocka_unit_test(test_blocks_past_the_bound_are_freed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
