/* Growable buffer and JSON string escaping (core/strbuf.h). */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/strbuf.h"

static void test_add_and_detach(void **state)
{
	strbuf sb;
	size_t len = 0;
	char *s;
	(void)state;

	strbuf_init(&sb);
	strbuf_add(&sb, "abcdef", 3);
	strbuf_adds(&sb, "-");
	strbuf_addch(&sb, 'x');
	strbuf_addf(&sb, "[%s:%d]", "n", 42);
	assert_int_equal(sb.failed, 0);
	assert_string_equal(sb.buf, "abc-x[n:42]");
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "abc-x[n:42]");
	assert_int_equal(len, strlen(s));
	/* Detaching re-inits the buffer. */
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	free(s);
}

static void test_detach_empty(void **state)
{
	strbuf sb;
	size_t len = 99;
	char *s;
	(void)state;

	strbuf_init(&sb);
	s = strbuf_detach(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

static void test_growth(void **state)
{
	strbuf sb;
	(void)state;

	strbuf_init(&sb);
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%03d,", i);
	assert_int_equal(sb.len, 4000);
	assert_true(sb.alloc > sb.len);
	assert_memory_equal(sb.buf + 3996, "999,", 5);
	strbuf_addf(&sb, "%s", "");
	assert_int_equal(sb.len, 4000);
	strbuf_release(&sb);
	assert_null(sb.buf);
}

static void S_expect_json(const char *in, const char *want)
{
	strbuf sb;

	strbuf_init(&sb);
	strbuf_add_json_string(&sb, in);
	assert_int_equal(sb.failed, 0);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

/* A formatted append longer than the spare room is formatted again, whole. */
static void test_addf_past_the_spare_room(void **state)
{
	char big[300];
	strbuf sb;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_init(&sb);
	strbuf_adds(&sb, "ab");
	strbuf_addf(&sb, "<%s>%d", big, 7);
	assert_int_equal(sb.len, 2 + 1 + 299 + 1 + 1);
	assert_int_equal(sb.buf[2], '<');
	assert_int_equal(sb.buf[302], '>');
	assert_string_equal(sb.buf + 303, "7");
	strbuf_release(&sb);
}

static void test_add_int(void **state)
{
	strbuf sb;

	(void)state;
	strbuf_init(&sb);
	strbuf_add_int(&sb, 0);
	strbuf_addch(&sb, ' ');
	strbuf_add_int(&sb, -42);
	strbuf_addch(&sb, ' ');
	strbuf_add_int(&sb, INT64_MAX);
	strbuf_addch(&sb, ' ');
	strbuf_add_int(&sb, INT64_MIN);
	assert_string_equal(sb.buf, "0 -42 9223372036854775807 -9223372036854775808");
	strbuf_release(&sb);
}

/* Members written by hand make a valid object: text escaped, NULL null. */
static void test_members(void **state)
{
	strbuf sb;

	(void)state;
	strbuf_init(&sb);
	strbuf_add_member_int(&sb, "{\"id\":", -7);
	strbuf_add_member_text(&sb, ",\"name\":", "a \"b\" <c>");
	strbuf_add_member_text(&sb, ",\"none\":", NULL);
	strbuf_addch(&sb, '}');
	assert_string_equal(sb.buf, "{\"id\":-7,\"name\":\"a \\\"b\\\" \\u003cc\\u003e\",\"none\":null}");
	strbuf_release(&sb);
}

static void test_json_escaping(void **state)
{
	(void)state;

	S_expect_json("", "\"\"");
	S_expect_json("plain", "\"plain\"");
	S_expect_json("say \"hi\"", "\"say \\\"hi\\\"\"");
	S_expect_json("a\\b", "\"a\\\\b\"");
	S_expect_json("l1\nl2\r\tx", "\"l1\\nl2\\r\\tx\"");
	S_expect_json("\x01", "\"\\u0001\"");
	S_expect_json("a\x1f" "b", "\"a\\u001fb\"");
	S_expect_json("</script>", "\"\\u003c/script\\u003e\"");
	S_expect_json("a&b", "\"a\\u0026b\"");
	S_expect_json("caf\xc3\xa9", "\"caf\xc3\xa9\"");
}

static void test_json_escaping_appends(void **state)
{
	strbuf sb;
	(void)state;

	strbuf_init(&sb);
	strbuf_adds(&sb, "{\"k\":");
	strbuf_add_json_string(&sb, "v<");
	strbuf_addch(&sb, '}');
	assert_string_equal(sb.buf, "{\"k\":\"v\\u003c\"}");
	assert_int_equal(sb.len, strlen(sb.buf));
	strbuf_release(&sb);
}

/* A write that would pass MC_STRBUF_MAX fails like an allocation: the
 * buffer is marked failed, later appends are no-ops, detach gives NULL. */
static void test_cap(void **state)
{
	strbuf sb;
	size_t len = 7;
	(void)state;

	strbuf_init(&sb);
	strbuf_adds(&sb, "ok");
	strbuf_grow(&sb, MC_STRBUF_MAX - 3);
	assert_false(sb.failed);
	assert_true(sb.alloc <= MC_STRBUF_MAX);
	strbuf_add(&sb, "x", 1);
	assert_false(sb.failed);
	strbuf_grow(&sb, MC_STRBUF_MAX - sb.len);
	assert_true(sb.failed);
	assert_int_equal(sb.len, 3);
	strbuf_adds(&sb, "more");
	assert_int_equal(sb.len, 3);
	assert_null(strbuf_detach(&sb, &len));
	assert_int_equal(len, 7);
	/* A size_t wrap is refused the same way. */
	strbuf_init(&sb);
	strbuf_adds(&sb, "ab");
	strbuf_grow(&sb, SIZE_MAX);
	assert_true(sb.failed);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_detach),
		cmocka_unit_test(test_detach_empty),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_addf_past_the_spare_room),
		cmocka_unit_test(test_add_int),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_escaping_appends),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
