/* Request accessors (http/request.c) that need no connection: path ids. */
#include "unit.h"

#include <string.h>

#include "http/http.h"

static mc_rc S_id(const char *param, int64_t *out)
{
	struct http_req req;
	mc_error err;
	mc_rc rc;

	memset(&req, 0, sizeof(req));
	req.params[0] = param;
	req.nparams = 1;
	mc_error_init(&err);
	rc = http_req_param_id(&req, 0, out, &err);
	if (rc)
		assert_string_equal(err.code, "not_found");
	mc_error_release(&err);
	return rc;
}

static void test_param_id(void **state)
{
	static const char *const bad[] = { "0", "-3", "+3", " 3", "3a", "", "abc", "99999999999999999999" };
	int64_t id = 0;
	(void)state;

	assert_int_equal(S_id("42", &id), MC_OK);
	assert_true(id == 42);
	assert_int_equal(S_id("9223372036854775807", &id), MC_OK);
	assert_true(id == INT64_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = 7;
		if (S_id(bad[i], &id) != MC_ERR_NOT_FOUND)
			fail_msg("id '%s' was accepted", bad[i]);
		assert_true(id == 7);
	}
}

/* Asking for a parameter the route does not have is a 404, not a crash. */
static void test_param_missing(void **state)
{
	struct http_req req;
	int64_t id = 7;
	mc_error err;
	(void)state;

	memset(&req, 0, sizeof(req));
	mc_error_init(&err);
	assert_int_equal(http_req_param_id(&req, 1, &id, &err), MC_ERR_NOT_FOUND);
	mc_error_release(&err);
	assert_true(id == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_id),
		cmocka_unit_test(test_param_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
