/* Response builders (http/response.c): body ownership and the header cap. */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static int released;

static void S_release(void *cls)
{
	released += *(int *)cls;
}

static void test_json_owns_body(void **state)
{
	struct http_res res;
	(void)state;

	memset(&res, 0, sizeof(res));
	http_res_json(&res, 201, json_pack("{s:i}", "a", 1));
	assert_int_equal(res.status, 201);
	assert_string_equal(res.content_type, "application/json");
	assert_int_equal(res.len, strlen("{\"a\":1}"));
	assert_memory_equal(res.body, "{\"a\":1}", res.len);
	/* A second body replaces (and frees) the first. */
	http_res_json(&res, 200, json_pack("{s:i}", "b", 2));
	assert_memory_equal(res.body, "{\"b\":2}", res.len);
	http_res_release_body(&res);
	assert_null(res.body);
	assert_int_equal(res.len, 0);
	/* No body at all is an internal error, not a crash. */
	http_res_json(&res, 200, NULL);
	assert_int_equal(res.status, 500);
	assert_string_equal(res.content_type, "application/problem+json");
	http_res_release_body(&res);
}

static void test_static_and_shared_bodies(void **state)
{
	static const char text[] = "hello";
	struct http_res res;
	int weight = 1;
	(void)state;

	memset(&res, 0, sizeof(res));
	http_res_static(&res, 200, "text/plain", text, 5);
	assert_ptr_equal(res.body, text);
	assert_true(res.body_static);
	http_res_release_body(&res); /* would crash freeing a literal */
	http_res_bytes(&res, 200, "text/plain", strdup("shared"), 6);
	free(res.body);
	res.body = (char *)"shared";
	res.body_static = 0;
	res.body_release = S_release;
	res.body_release_cls = &weight;
	released = 0;
	http_res_empty(&res, 204);
	assert_int_equal(released, 1);
	assert_int_equal(res.status, 204);
	assert_int_equal(res.len, 0);
	assert_null(res.body_release);
}

/* MC_HTTP_RES_HEADERS headers fit; more are dropped (and logged), the
 * ones set stay intact. */
static void test_header_cap(void **state)
{
	struct http_res res;
	(void)state;

	memset(&res, 0, sizeof(res));
	for (int i = 0; i < MC_HTTP_RES_HEADERS + 2; i++)
		http_res_header(&res, "X-N", "%d", i);
	assert_int_equal(res.nheaders, MC_HTTP_RES_HEADERS);
	assert_int_equal(atoi(res.headers[MC_HTTP_RES_HEADERS - 1].value), MC_HTTP_RES_HEADERS - 1);
}

/* A text header and a number header are written without printf: the
 * same text, cut at the value's size like vsnprintf would. */
static void test_text_and_number_headers(void **state)
{
	char long_text[400];
	struct http_res res;
	(void)state;

	memset(&res, 0, sizeof(res));
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	http_res_header_text(&res, "ETag", "\"abc\"");
	http_res_header_text(&res, "X-Long", long_text);
	http_res_header_int(&res, "RateLimit-Remaining", 0);
	http_res_header_int(&res, "X-Min", INT64_MIN);
	http_res_header_int(&res, "X-Max", INT64_MAX);
	assert_string_equal(res.headers[0].value, "\"abc\"");
	assert_int_equal(strlen(res.headers[1].value), sizeof(res.headers[1].value) - 1);
	assert_string_equal(res.headers[2].value, "0");
	assert_string_equal(res.headers[3].value, "-9223372036854775808");
	assert_string_equal(res.headers[4].value, "9223372036854775807");
	assert_string_equal(res.headers[4].name, "X-Max");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_owns_body),
		cmocka_unit_test(test_static_and_shared_bodies),
		cmocka_unit_test(test_header_cap),
		cmocka_unit_test(test_text_and_number_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
