/* Results to HTTP statuses (http/problem.h) and the RFC 9457 problem body
 * written by http_res_error. */
#include "unit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/problem.h"

static void test_status_mapping(void **state)
{
	static const struct { mc_rc rc; int status; } map[] = {
		{ MC_ERR_INVALID, 400 }, { MC_ERR_UNAUTHORIZED, 401 }, { MC_ERR_PAYMENT, 402 },
		{ MC_ERR_FORBIDDEN, 403 }, { MC_ERR_NOT_FOUND, 404 }, { MC_ERR_METHOD, 405 },
		{ MC_ERR_CONFLICT, 409 }, { MC_ERR_TOO_LARGE, 413 }, { MC_ERR_UNSUPPORTED, 415 },
		{ MC_ERR_UNPROCESSABLE, 422 }, { MC_ERR_RATE_LIMITED, 429 }, { MC_ERR_BUSY, 503 },
		{ MC_ERR_UNAVAILABLE, 503 }, { MC_ERR_INTERNAL, 500 }, { MC_ERR_STORAGE, 503 },
	};
	(void)state;

	assert_int_equal(sizeof(map) / sizeof(map[0]), MC_RC_COUNT - 1);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		assert_int_equal(problem_status(map[i].rc), map[i].status);
		assert_non_null(problem_title(map[i].rc));
		assert_non_null(problem_default_code(map[i].rc));
	}
	assert_int_equal(problem_status(MC_RC_COUNT), 500);
	assert_int_equal(problem_status((mc_rc)999), 500);
	assert_int_equal(problem_status((mc_rc)-1), 500);
	assert_string_equal(problem_title((mc_rc)999), "Internal Server Error");
	assert_string_equal(problem_default_code((mc_rc)999), "internal_error");
	assert_string_equal(problem_title(MC_ERR_NOT_FOUND), "Not Found");
	assert_string_equal(problem_default_code(MC_ERR_RATE_LIMITED), "rate_limited");
	assert_string_equal(problem_default_code(MC_ERR_UNAVAILABLE), "database_unavailable");
}

static json_t *S_parse(const struct http_res *res)
{
	json_error_t jerr;
	json_t *j;

	assert_non_null(res->body);
	j = json_loadb(res->body, res->len, 0, &jerr);
	if (!j)
		fail_msg("problem body is not JSON (%s): %.*s", jerr.text, (int)res->len, res->body);
	return j;
}

static const char *S_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("problem body has no string \"%s\"", key);
	return json_string_value(v);
}

static const char *S_header(const struct http_res *res, const char *name)
{
	for (int i = 0; i < res->nheaders; i++)
		if (!strcmp(res->headers[i].name, name))
			return res->headers[i].value;
	return NULL;
}

static void test_error_body(void **state)
{
	struct http_res res;
	mc_error e;
	json_t *body, *errors;
	(void)state;

	memset(&res, 0, sizeof(res));
	res.request_id = "req-123";
	mc_error_init(&e);
	mc_fail(&e, MC_ERR_CONFLICT, "email_taken", "the email %s is taken", "a@b.c");
	mc_error_field(&e, "email", "is taken");
	mc_error_field(&e, "name", "must be %d to %d characters", 1, 100);
	http_res_error(&res, MC_ERR_CONFLICT, &e);

	assert_int_equal(res.status, 409);
	assert_string_equal(res.content_type, "application/problem+json");
	assert_int_equal(res.len, strlen(res.body));
	body = S_parse(&res);
	assert_string_equal(S_str(body, "type"), "https://mercato.dev/problems/email_taken");
	assert_string_equal(S_str(body, "title"), "Conflict");
	assert_int_equal(json_integer_value(json_object_get(body, "status")), 409);
	assert_string_equal(S_str(body, "code"), "email_taken");
	assert_string_equal(S_str(body, "detail"), "the email a@b.c is taken");
	assert_string_equal(S_str(body, "requestId"), "req-123");
	errors = json_object_get(body, "errors");
	assert_true(json_is_array(errors));
	assert_int_equal(json_array_size(errors), 2);
	assert_string_equal(S_str(json_array_get(errors, 0), "field"), "email");
	assert_string_equal(S_str(json_array_get(errors, 0), "message"), "is taken");
	assert_string_equal(S_str(json_array_get(errors, 1), "field"), "name");
	assert_string_equal(S_str(json_array_get(errors, 1), "message"), "must be 1 to 100 characters");
	assert_null(S_header(&res, "Retry-After"));
	json_decref(body);
	free(res.body);
	mc_error_release(&e);
}

static void test_default_code_and_detail(void **state)
{
	struct http_res res;
	json_t *body;
	(void)state;

	memset(&res, 0, sizeof(res));
	http_res_error(&res, MC_ERR_NOT_FOUND, NULL);
	assert_int_equal(res.status, 404);
	body = S_parse(&res);
	assert_string_equal(S_str(body, "code"), "not_found");
	assert_string_equal(S_str(body, "detail"), "Not Found");
	assert_null(json_object_get(body, "requestId"));
	assert_null(json_object_get(body, "errors"));
	json_decref(body);
	free(res.body);
}

static void test_internal_hides_detail(void **state)
{
	struct http_res res;
	mc_error e;
	json_t *body;
	(void)state;

	memset(&res, 0, sizeof(res));
	res.request_id = "req-500";
	mc_error_init(&e);
	mc_fail(&e, MC_ERR_INTERNAL, NULL, "sqlite: disk I/O error at /secret/path.db");
	http_res_error(&res, MC_ERR_INTERNAL, &e);
	assert_int_equal(res.status, 500);
	assert_string_equal(res.content_type, "application/problem+json");
	body = S_parse(&res);
	assert_int_equal(json_integer_value(json_object_get(body, "status")), 500);
	assert_string_equal(S_str(body, "code"), "internal_error");
	assert_null(strstr(S_str(body, "detail"), "secret"));
	assert_null(strstr(res.body, "/secret/path.db"));
	assert_string_equal(S_str(body, "requestId"), "req-500");
	json_decref(body);
	free(res.body);
}

static void test_rate_limited_retry_after(void **state)
{
	struct http_res res;
	mc_error e;
	const char *ra;
	json_t *body;
	(void)state;

	memset(&res, 0, sizeof(res));
	mc_error_init(&e);
	e.retry_after = 7;
	mc_fail(&e, MC_ERR_RATE_LIMITED, "rate_limited", "too many requests");
	http_res_error(&res, MC_ERR_RATE_LIMITED, &e);
	assert_int_equal(res.status, 429);
	ra = S_header(&res, "Retry-After");
	assert_non_null(ra);
	assert_string_equal(ra, "7");
	body = S_parse(&res);
	assert_int_equal(json_integer_value(json_object_get(body, "status")), 429);
	json_decref(body);
	free(res.body);

	/* No retry_after given: still at least one second. */
	memset(&res, 0, sizeof(res));
	http_res_error(&res, MC_ERR_BUSY, NULL);
	assert_int_equal(res.status, 503);
	ra = S_header(&res, "Retry-After");
	assert_non_null(ra);
	assert_string_equal(ra, "1");
	free(res.body);

	/* The database is unreachable: 503 with Retry-After, never 500. */
	memset(&res, 0, sizeof(res));
	http_res_error(&res, MC_ERR_UNAVAILABLE, NULL);
	assert_int_equal(res.status, 503);
	assert_non_null(S_header(&res, "Retry-After"));
	body = S_parse(&res);
	assert_string_equal(json_string_value(json_object_get(body, "code")), "database_unavailable");
	json_decref(body);
	free(res.body);
}

/* RFC 6750: the scheme on every 401; invalid_token only when a token was sent. */
static void test_unauthorized_www_authenticate(void **state)
{
	static const struct { const char *code, *want; } cases[] = {
		{ "unauthenticated", "Bearer realm=\"mercato\"" },
		{ "invalid_credentials", "Bearer realm=\"mercato\"" },
		{ "token_expired",
		  "Bearer realm=\"mercato\", error=\"invalid_token\", error_description=\"token_expired\"" },
		{ "invalid_token",
		  "Bearer realm=\"mercato\", error=\"invalid_token\", error_description=\"invalid_token\"" },
	};
	struct http_res res;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&res, 0, sizeof(res));
		http_res_problem(&res, MC_ERR_UNAUTHORIZED, cases[i].code, "no");
		assert_int_equal(res.status, 401);
		assert_non_null(S_header(&res, "WWW-Authenticate"));
		assert_string_equal(S_header(&res, "WWW-Authenticate"), cases[i].want);
		free(res.body);
	}
	memset(&res, 0, sizeof(res));
	http_res_problem(&res, MC_ERR_FORBIDDEN, "forbidden", "no");
	assert_null(S_header(&res, "WWW-Authenticate"));
	free(res.body);
}

static void test_extra_merged(void **state)
{
	struct http_res res;
	mc_error e;
	json_t *body;
	(void)state;

	memset(&res, 0, sizeof(res));
	mc_error_init(&e);
	mc_fail(&e, MC_ERR_UNPROCESSABLE, "out_of_stock", "not enough stock");
	e.extra = json_pack("{s:i, s:s}", "available", 3, "code", "overridden?");
	http_res_error(&res, MC_ERR_UNPROCESSABLE, &e);
	body = S_parse(&res);
	assert_int_equal(json_integer_value(json_object_get(body, "available")), 3);
	/* extra fills gaps only; it never replaces the standard members. */
	assert_string_equal(S_str(body, "code"), "out_of_stock");
	json_decref(body);
	free(res.body);
	mc_error_release(&e);
	assert_null(e.extra);
}

/* Long multi-byte text is cut between characters, never inside one, so the
 * body stays valid JSON with its field list. */
static void test_truncation_keeps_utf8_and_the_field_list(void **state)
{
	char key[200] = "", prefix[8];
	struct http_res res;
	json_t *body, *errors;
	const char *field;
	mc_error e;
	(void)state;

	for (int i = 0; i < 60; i++)
		memcpy(key + 2 * i, "\xc3\xa9", 2); /* é */
	memset(&res, 0, sizeof(res));
	mc_error_init(&e);
	mc_error_field(&e, key, "is not accepted on this endpoint");
	mc_error_field(&e, "name", "%s", key);
	mc_fail(&e, MC_ERR_INVALID, "field_not_allowed", "field '%.41s' cannot be set", key);
	http_res_error(&res, MC_ERR_INVALID, &e);
	body = S_parse(&res);
	errors = json_object_get(body, "errors");
	assert_int_equal(json_array_size(errors), 2);
	field = S_str(json_array_get(errors, 0), "field");
	assert_true(strlen(field) >= 40 && strlen(field) % 2 == 0);
	assert_memory_equal(field, key, strlen(field));
	assert_string_equal(S_str(json_array_get(errors, 1), "field"), "name");
	assert_true(strlen(S_str(json_array_get(errors, 1), "message")) >= 100);
	snprintf(prefix, sizeof(prefix), "field '");
	assert_memory_equal(S_str(body, "detail"), prefix, strlen(prefix));
	assert_non_null(strstr(S_str(body, "detail"), "' cannot be set"));
	json_decref(body);
	free(res.body);
	mc_error_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_mapping),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_default_code_and_detail),
		cmocka_unit_test(test_internal_hides_detail),
		cmocka_unit_test(test_rate_limited_retry_after),
		cmocka_unit_test(test_unauthorized_www_authenticate),
		cmocka_unit_test(test_extra_merged),
		cmocka_unit_test(test_truncation_keeps_utf8_and_the_field_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
