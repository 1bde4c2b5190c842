/* JSON input helpers (core/json.h) and mc_error_fields_result (core/result.h). */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/limits.h"

static json_t *S_obj(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (!j)
		fail_msg("test JSON %s: %s", text, jerr.text);
	return j;
}

/* Parses a NUL-terminated body; returns the rc and leaves the object in *out. */
static mc_rc S_parse(const char *body, json_t **out, mc_error *e)
{
	mc_error_init(e);
	*out = NULL;
	return mc_json_parse_body(body, strlen(body), out, e);
}

static void S_expect_invalid_json(const char *body)
{
	json_t *j;
	mc_error e;

	if (S_parse(body, &j, &e) != MC_ERR_INVALID)
		fail_msg("body %.60s was accepted", body);
	assert_null(j);
	assert_string_equal(e.code, "invalid_json");
	assert_true(e.detail[0] != '\0');
}

static void test_parse_valid(void **state)
{
	json_t *j;
	mc_error e;
	(void)state;

	assert_int_equal(S_parse("{\"name\":\"Lamp\",\"price\":1299,\"tags\":[\"a\"]}", &j, &e), MC_OK);
	assert_true(json_is_object(j));
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Lamp");
	assert_int_equal(json_integer_value(json_object_get(j, "price")), 1299);
	json_decref(j);
	/* Only len bytes are read: trailing garbage past len is not seen. */
	mc_error_init(&e);
	assert_int_equal(mc_json_parse_body("{}xxxx", 2, &j, &e), MC_OK);
	json_decref(j);
}

static void test_parse_rejects(void **state)
{
	json_t *j = NULL;
	mc_error e;
	(void)state;

	S_expect_invalid_json("{\"a\":");
	S_expect_invalid_json("{'a':1}");
	S_expect_invalid_json("[1,2]");
	S_expect_invalid_json("\"text\"");
	S_expect_invalid_json("42");
	S_expect_invalid_json("   ");
	S_expect_invalid_json("{\"a\":1,\"a\":2}");
	S_expect_invalid_json("{\"a\":1}{\"b\":2}");
	mc_error_init(&e);
	assert_int_equal(mc_json_parse_body("", 0, &j, &e), MC_ERR_INVALID);
	assert_string_equal(e.code, "invalid_json");
	mc_error_init(&e);
	assert_int_equal(mc_json_parse_body(NULL, 0, &j, &e), MC_ERR_INVALID);
	assert_null(j);
}

/* n levels of {"a": ... {} ... } */
static void S_nested(char *buf, int n)
{
	char *p = buf;

	for (int i = 0; i < n - 1; i++)
		p += sprintf(p, "{\"a\":");
	p += sprintf(p, "{}");
	for (int i = 0; i < n - 1; i++)
		*p++ = '}';
	*p = '\0';
}

static void test_depth_limit(void **state)
{
	char buf[1024];
	json_t *j;
	mc_error e;
	(void)state;

	S_nested(buf, MC_JSON_MAX_DEPTH);
	assert_int_equal(S_parse(buf, &j, &e), MC_OK);
	json_decref(j);
	S_nested(buf, MC_JSON_MAX_DEPTH + 1);
	S_expect_invalid_json(buf);
	/* Arrays count too. */
	memset(buf, 0, sizeof(buf));
	strcpy(buf, "{\"a\":");
	memset(buf + 5, '[', MC_JSON_MAX_DEPTH);
	memset(buf + 5 + MC_JSON_MAX_DEPTH, ']', MC_JSON_MAX_DEPTH);
	strcat(buf, "}");
	S_expect_invalid_json(buf);
}

static void test_brackets_in_strings(void **state)
{
	char buf[256];
	json_t *j;
	mc_error e;
	(void)state;

	/* 40 brackets inside a string, plus an escaped quote that must not end it. */
	snprintf(buf, sizeof(buf), "{\"a\":\"\\\"%s\",\"b\":\"\\\\\",\"c\":{}}",
		 "[[[[[[[[[[{{{{{{{{{{[[[[[[[[[[{{{{{{{{{{");
	assert_int_equal(S_parse(buf, &j, &e), MC_OK);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "a"))), 41);
	assert_string_equal(json_string_value(json_object_get(j, "b")), "\\");
	json_decref(j);
}

static void test_allow_only(void **state)
{
	static const char *const allowed[] = { "name", "price", NULL };
	json_t *j = S_obj("{\"name\":\"x\",\"price\":1}");
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(mc_json_allow_only(j, allowed, &e), MC_OK);
	assert_int_equal(e.nfields, 0);
	json_decref(j);

	j = S_obj("{\"name\":\"x\",\"sellerId\":5}");
	mc_error_init(&e);
	assert_int_equal(mc_json_allow_only(j, allowed, &e), MC_ERR_INVALID);
	assert_string_equal(e.code, "field_not_allowed");
	assert_int_equal(e.nfields, 1);
	assert_string_equal(e.fields[0].field, "sellerId");
	assert_non_null(strstr(e.detail, "sellerId"));
	json_decref(j);
}

static void test_get_str(void **state)
{
	json_t *j = S_obj("{\"name\":\"Lamp\",\"n\":5,\"e\":\"\\u00e9\\u00e9\\u00e9\",\"nul\":null}");
	const char *s = NULL;
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_true(mc_json_str(j, "name", 1, 10, true, &s, &e));
	assert_string_equal(s, "Lamp");
	/* Three characters, six bytes: the limit counts characters. */
	assert_true(mc_json_str(j, "e", 3, 3, true, &s, &e));
	assert_int_equal(strlen(s), 6);
	assert_int_equal(e.nfields, 0);

	assert_false(mc_json_str(j, "missing", 1, 10, false, &s, &e));
	assert_false(mc_json_str(j, "nul", 1, 10, false, &s, &e));
	assert_int_equal(e.nfields, 0);
	assert_false(mc_json_str(j, "missing", 1, 10, true, &s, &e));
	assert_int_equal(e.nfields, 1);
	assert_string_equal(e.fields[0].field, "missing");
	assert_string_equal(e.fields[0].message, "is required");

	assert_false(mc_json_str(j, "n", 1, 10, true, &s, &e));
	assert_string_equal(e.fields[1].field, "n");
	assert_string_equal(e.fields[1].message, "must be a string");
	assert_false(mc_json_str(j, "e", 1, 2, true, &s, &e));
	assert_string_equal(e.fields[2].field, "e");
	assert_false(mc_json_str(j, "name", 5, 10, true, &s, &e));
	assert_int_equal(e.nfields, 4);
	json_decref(j);
}

static void test_get_str_embedded_nul(void **state)
{
	json_error_t jerr;
	json_t *j = json_loads("{\"s\":\"a\\u0000b\"}", JSON_ALLOW_NUL, &jerr);
	const char *s = NULL;
	mc_error e;
	(void)state;

	assert_non_null(j);
	mc_error_init(&e);
	assert_false(mc_json_str(j, "s", 0, 10, true, &s, &e));
	assert_null(s);
	assert_int_equal(e.nfields, 1);
	json_decref(j);
}

static void test_get_int(void **state)
{
	json_t *j = S_obj("{\"qty\":3,\"big\":1000,\"f\":1.5,\"s\":\"3\",\"neg\":-1}");
	int64_t v = 0;
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_true(mc_json_int(j, "qty", 1, 10, true, &v, &e));
	assert_int_equal(v, 3);
	assert_false(mc_json_int(j, "missing", 1, 10, false, &v, &e));
	assert_int_equal(e.nfields, 0);
	assert_false(mc_json_int(j, "big", 1, 999, true, &v, &e));
	assert_false(mc_json_int(j, "neg", 0, 10, true, &v, &e));
	assert_false(mc_json_int(j, "f", 0, 10, true, &v, &e));
	assert_false(mc_json_int(j, "s", 0, 10, true, &v, &e));
	assert_false(mc_json_int(j, "missing", 0, 10, true, &v, &e));
	assert_int_equal(v, 3);
	assert_int_equal(e.nfields, 5);
	assert_string_equal(e.fields[0].field, "big");
	assert_string_equal(e.fields[2].field, "f");
	assert_string_equal(e.fields[2].message, "must be an integer");
	assert_string_equal(e.fields[4].message, "is required");
	json_decref(j);
}

static void test_get_bool(void **state)
{
	json_t *j = S_obj("{\"t\":true,\"f\":false,\"one\":1}");
	int v = -1;
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_true(mc_json_bool(j, "t", true, &v, &e));
	assert_int_equal(v, 1);
	assert_true(mc_json_bool(j, "f", true, &v, &e));
	assert_int_equal(v, 0);
	assert_false(mc_json_bool(j, "missing", false, &v, &e));
	assert_int_equal(e.nfields, 0);
	assert_false(mc_json_bool(j, "one", true, &v, &e));
	assert_int_equal(e.nfields, 1);
	assert_string_equal(e.fields[0].field, "one");
	assert_string_equal(e.fields[0].message, "must be true or false");
	json_decref(j);
}

/* Presence picks between aliases: null is absent, an invalid value is present. */
static void test_has(void **state)
{
	json_t *j = S_obj("{\"qty\":\"x\",\"quantity\":2,\"nul\":null}");
	(void)state;

	assert_true(mc_json_has(j, "qty"));
	assert_true(mc_json_has(j, "quantity"));
	assert_false(mc_json_has(j, "nul"));
	assert_false(mc_json_has(j, "missing"));
	json_decref(j);
}

static void test_utf8_length(void **state)
{
	(void)state;

	assert_int_equal(utf8_length(""), 0);
	assert_int_equal(utf8_length("abc"), 3);
	assert_int_equal(utf8_length("\xc3\xa9"), 1);                 /* é */
	assert_int_equal(utf8_length("\xe2\x82\xac"), 1);             /* € */
	assert_int_equal(utf8_length("\xf0\x9f\x98\x80x"), 2);        /* 😀x */
	assert_int_equal(utf8_length("\xef\xbf\xbf"), 1);             /* U+FFFF */
	assert_int_equal(utf8_length("\xf4\x8f\xbf\xbf"), 1);         /* U+10FFFF */

	assert_int_equal(utf8_length("\x80"), -1);                    /* lone continuation */
	assert_int_equal(utf8_length("\xc3"), -1);                    /* truncated */
	assert_int_equal(utf8_length("\xe2\x82"), -1);                /* truncated */
	assert_int_equal(utf8_length("\xc3\x28"), -1);                /* bad continuation */
	assert_int_equal(utf8_length("\xff"), -1);
	assert_int_equal(utf8_length("\xf5\x80\x80\x80"), -1);        /* above U+10FFFF */
	assert_int_equal(utf8_length("\xc0\xaf"), -1);                /* overlong '/' (2 bytes) */
	assert_int_equal(utf8_length("\xc1\xbf"), -1);                /* overlong (2 bytes) */
}

/* Overlong 3- and 4-byte forms, UTF-16 surrogates and code points past
 * U+10FFFF are not UTF-8 (RFC 3629 section 3). */
static void test_utf8_length_strict(void **state)
{
	static const struct { const char *s; const char *what; } bad[] = {
		{ "\xe0\x80\xaf", "overlong '/' (3 bytes)" },
		{ "\xe0\x9f\xbf", "overlong U+07FF (3 bytes)" },
		{ "\xf0\x80\x80\xaf", "overlong '/' (4 bytes)" },
		{ "\xf0\x8f\xbf\xbf", "overlong U+FFFF (4 bytes)" },
		{ "\xed\xa0\x80", "surrogate U+D800" },
		{ "\xed\xbf\xbf", "surrogate U+DFFF" },
		{ "\xf4\x90\x80\x80", "U+110000" },
	};
	char msg[512] = "";
	size_t used = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utf8_length(bad[i].s) != -1 && used < sizeof(msg))
			used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", used ? ", " : "",
						 bad[i].what);
	if (used)
		fail_msg("utf8_length accepted invalid UTF-8: %s", msg);
}

static void test_fields_result(void **state)
{
	char want[32];
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(mc_error_fields_result(&e), MC_OK);
	assert_null(e.code);
	mc_error_field(&e, "email", "must be an email address");
	mc_error_field(&e, "name", "is required");
	assert_int_equal(mc_error_fields_result(&e), MC_ERR_INVALID);
	assert_string_equal(e.code, "validation_failed");
	assert_string_equal(e.detail, "email: must be an email address");
	assert_int_equal(e.nfields, 2);

	/* Field errors past the maximum are dropped, never overflow. */
	mc_error_init(&e);
	for (int i = 0; i < MC_ERR_MAX_FIELDS + 3; i++)
		mc_error_field(&e, "f", "error %d", i);
	assert_int_equal(e.nfields, MC_ERR_MAX_FIELDS);
	snprintf(want, sizeof(want), "error %d", MC_ERR_MAX_FIELDS - 1);
	assert_string_equal(e.fields[MC_ERR_MAX_FIELDS - 1].message, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_brackets_in_strings),
		cmocka_unit_test(test_allow_only),
		cmocka_unit_test(test_get_str),
		cmocka_unit_test(test_get_str_embedded_nul),
		cmocka_unit_test(test_get_int),
		cmocka_unit_test(test_get_bool),
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_utf8_length_strict),
		cmocka_unit_test(test_fields_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
