/* The catalog cache's table (api/catalog_cache.h): keys that share a slot,
 * keys that are prefixes of others, and the bytes each entry gives back. */
#include "unit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/catalog_cache.h"
#include "core/hash.h"
#include "core/limits.h"

#define SLOTS (MC_CACHE_ENTRIES * 2) /* as the cache's table */

static int S_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 || catalog_cache_init();
}

static int S_teardown(void **state)
{
	(void)state;
	catalog_cache_release();
	return 0;
}

static void S_put(const char *key, const char *body)
{
	catalog_cache_unref(catalog_cache_put(key, body, strlen(body), NULL, 0, 0));
}

static void S_assert_body(const char *key, const char *body)
{
	struct cache_entry *e = catalog_cache_get(key);

	assert_non_null(e);
	assert_string_equal(e->key, key);
	assert_int_equal(e->len, strlen(body));
	assert_memory_equal(e->body, body, e->len);
	catalog_cache_unref(e);
}

/* Three keys whose hashes pick the same slot: the probe must walk past the
 * others by their hash and key, and find each one's own bytes. */
static void test_keys_sharing_a_slot_each_find_their_own_entry(void **state)
{
	char keys[3][32];
	size_t slot = hash_str("D|1") % SLOTS;
	int n = 0;
	(void)state;

	for (int id = 1; n < 3; id++) {
		snprintf(keys[n], sizeof(keys[n]), "D|%d", id);
		if (hash_str(keys[n]) % SLOTS == slot)
			n++;
	}
	S_put(keys[0], "{\"id\":0}");
	S_put(keys[1], "{\"id\":1}");
	S_put(keys[2], "{\"id\":2}");
	S_assert_body(keys[2], "{\"id\":2}");
	S_assert_body(keys[0], "{\"id\":0}");
	S_assert_body(keys[1], "{\"id\":1}");
	/* Same slot, never put. */
	for (int id = atoi(keys[2] + 2) + 1;; id++) {
		char other[32];

		snprintf(other, sizeof(other), "D|%d", id);
		if (hash_str(other) % SLOTS == slot) {
			assert_null(catalog_cache_get(other));
			break;
		}
	}
}

static void test_a_key_and_its_prefix_are_different_entries(void **state)
{
	(void)state;

	S_put("L|limit=20", "[\"twenty\"]");
	S_put("L|limit=2", "[\"two\"]");
	S_assert_body("L|limit=20", "[\"twenty\"]");
	S_assert_body("L|limit=2", "[\"two\"]");
	assert_null(catalog_cache_get("L|limit="));
}

/* The first put wins; a second put of the same key gives the cached one. */
static void test_a_second_put_of_a_key_keeps_the_first(void **state)
{
	struct cache_entry *e;
	(void)state;

	S_put("D|777", "{\"first\":true}");
	e = catalog_cache_put("D|777", "{\"second\":true}", 15, NULL, 0, 0);
	assert_non_null(e);
	assert_memory_equal(e->body, "{\"first\":true}", e->len);
	catalog_cache_unref(e);
	S_assert_body("D|777", "{\"first\":true}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_sharing_a_slot_each_find_their_own_entry),
		cmocka_unit_test(test_a_key_and_its_prefix_are_different_entries),
		cmocka_unit_test(test_a_second_put_of_a_key_keeps_the_first),
	};

	return cmocka_run_group_tests(tests, S_setup, S_teardown);
}
