/* Messages on the wire (jobs/mail.h): stable Message-IDs, headers that
 * cannot be injected into, base64 bodies, byte-identical recomposition. */
#include "unit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/mail.h"

static const char from[] = "Mercato <shop@mercato.local>";

static char *S_compose(const char *subject, const char *text, const char *html)
{
	struct email e = { .to = "a@b.c", .subject = (char *)subject, .text = (char *)text, .html = (char *)html };
	strbuf sb;

	strbuf_init(&sb);
	mail_compose(&e, from, "<order_placed.42.17fe4275257c6421@mercato>", 1800000000, &sb);
	assert_false(sb.failed);
	return strbuf_detach(&sb, NULL);
}

static void test_message_id(void **state)
{
	char a[MAIL_ID_MAX], b[MAIL_ID_MAX];
	(void)state;

	assert_int_equal(sodium_init() >= 0, 1);
	/* BLAKE2b-64 of the dedupe key (hashlib.blake2b(key, digest_size=8) agrees). */
	mail_message_id("order_placed", 42, "order_placed:42:a@b.c", a);
	assert_string_equal(a, "<order_placed.42.17fe4275257c6421@mercato>");
	mail_message_id("order_placed", 42, "order_placed:42:a@b.c", b);
	assert_string_equal(a, b);
	mail_message_id("order_placed", 42, "order_placed:42:z@b.c", b);
	assert_string_not_equal(a, b);
}

static void test_headers_and_parts(void **state)
{
	char *m = S_compose("Your order #42: received", "a\nb", "<p>x</p>");
	(void)state;

	assert_non_null(strstr(m, "From: Mercato <shop@mercato.local>\r\nTo: a@b.c\r\n"
				  "Subject: Your order #42: received\r\n"
				  "Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"
				  "Message-ID: <order_placed.42.17fe4275257c6421@mercato>\r\n"
				  "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(m, "Content-Type: multipart/alternative; boundary=\"=_mercato_42.17fe4275257c6421\""
				  "\r\n\r\n--=_mercato_42.17fe4275257c6421\r\n"
				  "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
				  "YQ0KYg==\r\n"));
	assert_non_null(strstr(m, "--=_mercato_42.17fe4275257c6421\r\nContent-Type: text/html; charset=UTF-8\r\n"
				  "Content-Transfer-Encoding: base64\r\n\r\nPHA+eDwvcD4=\r\n"
				  "--=_mercato_42.17fe4275257c6421--\r\n"));
	free(m);
}

/* Bare LF becomes CRLF, at the start and the end too; a CRLF stays one. */
static void test_line_ends_become_crlf_once(void **state)
{
	char *m = S_compose("s", "\nx\r\ny\n", "");
	(void)state;

	/* base64 of "\r\nx\r\ny\r\n" */
	assert_non_null(strstr(m, "Content-Transfer-Encoding: base64\r\n\r\nDQp4DQp5DQo=\r\n"));
	free(m);
}

static void test_same_input_same_bytes(void **state)
{
	char *a = S_compose("Zo\xc3\xab", "text", "<p>html</p>"), *b = S_compose("Zo\xc3\xab", "text", "<p>html</p>");
	(void)state;

	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_subject_encoding(void **state)
{
	char *m = S_compose("Zo\xc3\xab", "", "");
	(void)state;

	assert_non_null(strstr(m, "\r\nSubject: =?UTF-8?B?Wm/Dqw==?=\r\n"));
	free(m);
	/* A CR/LF cannot start a header of its own. */
	m = S_compose("Hi\r\nBcc: x@y.z", "", "");
	assert_null(strstr(m, "\nBcc:"));
	assert_non_null(strstr(m, "\r\nSubject: =?UTF-8?B?"));
	free(m);
	/* Text that looks like an encoded word is encoded itself. */
	m = S_compose("=?UTF-8?B?QQ==?=", "", "");
	assert_null(strstr(m, "Subject: =?UTF-8?B?QQ==?=\r\n"));
	free(m);
}

/* A long UTF-8 subject becomes several words, each whole characters. */
static void test_long_subject_splits_on_characters(void **state)
{
	char subject[81], *m, *p;
	int words = 0;
	(void)state;

	for (int i = 0; i < 40; i++)
		memcpy(subject + 2 * i, "\xc3\xa9", 2);
	subject[80] = '\0';
	m = S_compose(subject, "", "");
	p = strstr(m, "Subject:");
	assert_non_null(p);
	while ((p = strstr(p, "=?UTF-8?B?")) && p < strstr(m, "Date:")) {
		unsigned char bin[64];
		size_t len = 0;
		char *end = strstr(p + 10, "?=");

		assert_int_equal(sodium_base642bin(bin, sizeof(bin), p + 10, (size_t)(end - p - 10), NULL, &len, NULL,
						   sodium_base64_VARIANT_ORIGINAL),
				 0);
		assert_true(len <= 45 && len % 2 == 0 && bin[0] == 0xc3);
		words++;
		p = end;
	}
	assert_int_equal(words, 2);
	assert_non_null(strstr(m, "?=\r\n =?UTF-8?B?"));
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_headers_and_parts),
		cmocka_unit_test(test_line_ends_become_crlf_once),
		cmocka_unit_test(test_same_input_same_bytes),
		cmocka_unit_test(test_subject_encoding),
		cmocka_unit_test(test_long_subject_splits_on_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
