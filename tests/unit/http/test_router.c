/* The route table matcher (http/router.h): literals, parameters, 404 vs 405,
 * HEAD via GET, path shape rules and table validation at init (patterns,
 * size, shadowed routes). */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "http/router.h"

static void dummy(struct http_req *req, struct http_res *res)
{
	(void)req;
	(void)res;
}

enum { R_ROOT, R_LIST, R_CREATE, R_MINE, R_GET, R_PUT, R_ITEM, R_DEL_ITEM, R_LOGIN, R_COUNT };

static const struct route routes[R_COUNT] = {
	[R_ROOT] = { HTTP_GET, "/", dummy, AUTH_PUBLIC, 0, 0 },
	[R_LIST] = { HTTP_GET, "/api/products", dummy, AUTH_PUBLIC, 0, 0 },
	[R_CREATE] = { HTTP_POST, "/api/products", dummy, AUTH_SELLER, 0, 0 },
	[R_MINE] = { HTTP_GET, "/api/products/mine", dummy, AUTH_SELLER, 0, 0 },
	[R_GET] = { HTTP_GET, "/api/products/:id", dummy, AUTH_PUBLIC, 0, 0 },
	[R_PUT] = { HTTP_PUT, "/api/products/:id", dummy, AUTH_SELLER, 0, 0 },
	[R_ITEM] = { HTTP_GET, "/api/orders/:id/items/:item", dummy, AUTH_USER, 0, 0 },
	[R_DEL_ITEM] = { HTTP_DELETE, "/api/orders/:id/items/:item", dummy, AUTH_USER, 0, 0 },
	[R_LOGIN] = { HTTP_POST, "/api/auth/login", dummy, AUTH_PUBLIC, 0, 0 },
};

static int setup(void **state)
{
	static struct router r;
	char err[128] = "";

	if (router_init(&r, routes, R_COUNT, err, sizeof(err))) {
		print_error("router_init: %s\n", err);
		return -1;
	}
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	router_release(*state);
	return 0;
}

static void test_literal_match(void **state)
{
	struct router_match m;

	assert_int_equal(router_match(*state, HTTP_GET, "/api/products", &m), 0);
	assert_ptr_equal(m.route, &routes[R_LIST]);
	assert_int_equal(m.nparams, 0);
	assert_int_equal(router_match(*state, HTTP_POST, "/api/products", &m), 0);
	assert_ptr_equal(m.route, &routes[R_CREATE]);
	assert_int_equal(router_match(*state, HTTP_GET, "/", &m), 0);
	assert_ptr_equal(m.route, &routes[R_ROOT]);
}

static void test_param_capture(void **state)
{
	struct router_match m;

	assert_int_equal(router_match(*state, HTTP_GET, "/api/products/42", &m), 0);
	assert_ptr_equal(m.route, &routes[R_GET]);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "42");

	assert_int_equal(router_match(*state, HTTP_DELETE, "/api/orders/7/items/abc-9", &m), 0);
	assert_ptr_equal(m.route, &routes[R_DEL_ITEM]);
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.params[0], "7");
	assert_string_equal(m.params[1], "abc-9");
}

static void test_literal_before_param(void **state)
{
	struct router_match m;

	assert_int_equal(router_match(*state, HTTP_GET, "/api/products/mine", &m), 0);
	assert_ptr_equal(m.route, &routes[R_MINE]);
	assert_int_equal(m.nparams, 0);
	/* No literal PUT route: the parameter route takes "mine" as its id. */
	assert_int_equal(router_match(*state, HTTP_PUT, "/api/products/mine", &m), 0);
	assert_ptr_equal(m.route, &routes[R_PUT]);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "mine");
}

static void test_not_found(void **state)
{
	struct router_match m;

	assert_int_not_equal(router_match(*state, HTTP_GET, "/api/nothing", &m), 0);
	assert_null(m.route);
	assert_int_equal(m.allowed, 0);
	assert_int_not_equal(router_match(*state, HTTP_GET, "/api/products/1/extra", &m), 0);
	assert_int_equal(m.allowed, 0);
}

static void test_method_not_allowed(void **state)
{
	struct router_match m;
	char allow[96];

	assert_int_not_equal(router_match(*state, HTTP_DELETE, "/api/products", &m), 0);
	assert_null(m.route);
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
	router_allow_header(m.allowed, allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD, POST");

	assert_int_not_equal(router_match(*state, HTTP_POST, "/api/products/5", &m), 0);
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_PUT);
	router_allow_header(m.allowed, allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD, PUT");
}

static void test_allow_header_all_methods(void **state)
{
	char allow[96];

	(void)state;
	router_allow_header(HTTP_OPTIONS | HTTP_DELETE | HTTP_PATCH | HTTP_PUT | HTTP_POST | HTTP_HEAD | HTTP_GET,
			    allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	router_allow_header(HTTP_DELETE, allow, sizeof(allow));
	assert_string_equal(allow, "DELETE");
	router_allow_header(0, allow, sizeof(allow));
	assert_string_equal(allow, "");
}

static void test_method_names(void **state)
{
	(void)state;
	assert_int_equal(router_method("GET"), HTTP_GET);
	assert_int_equal(router_method("OPTIONS"), HTTP_OPTIONS);
	assert_int_equal(router_method("get"), 0);
	assert_int_equal(router_method("TRACE"), 0);
	assert_string_equal(router_method_name(HTTP_PATCH), "PATCH");
	assert_string_equal(router_method_name(0), "OTHER");
}

static void test_head_matches_get(void **state)
{
	struct router_match m;

	assert_int_equal(router_match(*state, HTTP_HEAD, "/api/products/9", &m), 0);
	assert_ptr_equal(m.route, &routes[R_GET]);
	assert_string_equal(m.params[0], "9");
	/* A POST-only path does not answer HEAD: 405 with Allow: POST. */
	assert_int_not_equal(router_match(*state, HTTP_HEAD, "/api/auth/login", &m), 0);
	assert_null(m.route);
	assert_int_equal(m.allowed, HTTP_POST);
}

static void test_trailing_slash(void **state)
{
	struct router_match m;

	assert_int_equal(router_match(*state, HTTP_GET, "/api/products/", &m), 0);
	assert_ptr_equal(m.route, &routes[R_LIST]);
	assert_int_equal(router_match(*state, HTTP_GET, "/api/products/3/", &m), 0);
	assert_ptr_equal(m.route, &routes[R_GET]);
	assert_string_equal(m.params[0], "3");
}

static void test_double_slash_rejected(void **state)
{
	struct router_match m;

	assert_int_not_equal(router_match(*state, HTTP_GET, "/api//products", &m), 0);
	assert_null(m.route);
	assert_int_equal(m.allowed, 0);
	assert_int_not_equal(router_match(*state, HTTP_GET, "//api/products", &m), 0);
	assert_int_equal(m.allowed, 0);
	assert_int_not_equal(router_match(*state, HTTP_GET, "api/products", &m), 0);
	assert_int_equal(m.allowed, 0);
}

static void test_too_deep_rejected(void **state)
{
	struct router_match m;

	assert_int_not_equal(router_match(*state, HTTP_GET, "/a/b/c/d/e/f/g/h/i", &m), 0);
	assert_null(m.route);
	assert_int_equal(m.allowed, 0);
}

/* A parameter too long for the match buffer must not turn into a 405 that
 * lists the very method that was requested. */
static void test_long_param_not_405(void **state)
{
	struct router_match m;
	char path[400];

	memset(path, 'x', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	memcpy(path, "/api/products/", 14);
	if (router_match(*state, HTTP_GET, path, &m) == 0) {
		assert_ptr_equal(m.route, &routes[R_GET]);
		assert_int_equal(strlen(m.params[0]), sizeof(path) - 1 - 14);
		return;
	}
	if (m.allowed & HTTP_GET)
		fail_msg("GET %.20s... (param of %zu bytes) failed to match but allowed=0x%x includes GET: "
			 "the server would answer 405 with Allow: GET",
			 path, sizeof(path) - 1 - 14, m.allowed);
}

static void test_bad_patterns(void **state)
{
	static const char *const bad[] = {
		"api/products",             /* no leading slash */
		"/api//products",           /* empty segment */
		"/a/b/c/d/e/f/g/h/i",       /* deeper than MC_MAX_PATH_SEGMENTS */
		"/:a/:b/:c/:d/:e",          /* more than MC_MAX_PATH_PARAMS */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct route rt[2] = {
			{ HTTP_GET, "/ok", dummy, AUTH_PUBLIC, 0, 0 },
			{ HTTP_GET, bad[i], dummy, AUTH_PUBLIC, 0, 0 },
		};
		struct router r;
		char err[128] = "";

		if (router_init(&r, rt, 2, err, sizeof(err)) == 0) {
			router_release(&r);
			fail_msg("pattern %s was accepted", bad[i]);
		}
		assert_non_null(strstr(err, bad[i]));
		assert_null(r.entries);
	}
}

/* An earlier pattern that matches every path a later one matches, for the
 * same method, would make the later route dead: init refuses the table. */
static void test_shadowed_route_rejected(void **state)
{
	static const struct {
		const char *first, *second;
		unsigned m1, m2;
		int shadows;
	} cases[] = {
		{ "/api/products/:id", "/api/products/mine", HTTP_GET, HTTP_GET, 1 },
		{ "/api/products/mine", "/api/products/:id", HTTP_GET, HTTP_GET, 0 },
		{ "/api/products/:id", "/api/products/mine", HTTP_GET, HTTP_POST, 0 },
		{ "/api/x", "/api/x", HTTP_POST, HTTP_POST, 1 },
		{ "/:a/items/:b", "/orders/items/:id", HTTP_DELETE, HTTP_DELETE, 1 },
		{ "/:a/items/:b", "/orders/lines/:id", HTTP_DELETE, HTTP_DELETE, 0 },
		{ "/api/:id", "/api/:id/status", HTTP_GET, HTTP_GET, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct route rt[2] = {
			{ cases[i].m1, cases[i].first, dummy, AUTH_PUBLIC, 0, 0 },
			{ cases[i].m2, cases[i].second, dummy, AUTH_PUBLIC, 0, 0 },
		};
		struct router r;
		char err[160] = "";
		mc_rc rc = router_init(&r, rt, 2, err, sizeof(err));

		if (!cases[i].shadows) {
			if (rc != MC_OK)
				fail_msg("%s then %s refused: %s", cases[i].first, cases[i].second, err);
			router_release(&r);
			continue;
		}
		if (rc == MC_OK) {
			router_release(&r);
			fail_msg("%s before %s was accepted", cases[i].first, cases[i].second);
		}
		assert_int_equal(rc, MC_ERR_INVALID);
		assert_non_null(strstr(err, cases[i].second));
		assert_null(r.entries);
	}
}

/* The result follows mc_rc: 0 for a good table, MC_ERR_INVALID otherwise. */
static void test_init_result_and_route_limit(void **state)
{
	static struct route many[MC_MAX_ROUTES + 1];
	static char patterns[MC_MAX_ROUTES + 1][16];
	struct router r;
	char err[128] = "";
	(void)state;

	for (size_t i = 0; i < MC_MAX_ROUTES + 1; i++) {
		snprintf(patterns[i], sizeof(patterns[i]), "/r%zu", i);
		many[i] = (struct route){ HTTP_GET, patterns[i], dummy, AUTH_PUBLIC, 0, 0 };
	}
	assert_int_equal(router_init(&r, many, MC_MAX_ROUTES, err, sizeof(err)), MC_OK);
	router_release(&r);
	assert_int_equal(router_init(&r, many, MC_MAX_ROUTES + 1, err, sizeof(err)), MC_ERR_INVALID);
	assert_non_null(strstr(err, "routes"));
	assert_null(r.entries);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_match),
		cmocka_unit_test(test_param_capture),
		cmocka_unit_test(test_literal_before_param),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_allow_header_all_methods),
		cmocka_unit_test(test_head_matches_get),
		cmocka_unit_test(test_trailing_slash),
		cmocka_unit_test(test_double_slash_rejected),
		cmocka_unit_test(test_too_deep_rejected),
		cmocka_unit_test(test_long_param_not_405),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_shadowed_route_rejected),
		cmocka_unit_test(test_init_result_and_route_limit),
		cmocka_unit_test(test_method_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
