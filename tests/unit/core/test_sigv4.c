/* AWS Signature V4 (core/sigv4.c) against the worked examples of Amazon's
 * S3 documentation ("Signature Calculations for the Authorization Header"
 * and "Authenticating Requests: Using Query Parameters"): the example keys
 * and request at 2013-05-24T00:00:00Z give the published signatures. */
#include "unit.h"

#include <string.h>

#include "core/sigv4.h"

static const struct sigv4_creds creds = {
	"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3",
};
#define T_20130524 1369353600

static void test_header_signature_of_the_get_example(void **state)
{
	static const char empty_hash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const struct sigv4_header h[] = {
		{ "host", "examplebucket.s3.amazonaws.com" },
		{ "range", "bytes=0-9" },
		{ "x-amz-content-sha256", empty_hash },
		{ "x-amz-date", "20130524T000000Z" },
	};
	char sig[SIGV4_HEX], hash[SIGV4_HEX], date[SIGV4_DATE];

	(void)state;
	sigv4_amz_date(T_20130524, date);
	assert_string_equal(date, "20130524T000000Z");
	sigv4_sha256_hex("", 0, hash);
	assert_string_equal(hash, empty_hash);
	assert_int_equal(sigv4_sign(&creds, T_20130524, "GET", "/test.txt", "", h, 4, empty_hash, sig), 0);
	assert_string_equal(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

static void test_presigned_url_example(void **state)
{
	const struct sigv4_header h[] = { { "host", "examplebucket.s3.amazonaws.com" } };
	char sig[SIGV4_HEX];
	strbuf q;

	(void)state;
	strbuf_init(&q);
	strbuf_adds(&q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
	{
		strbuf cred;

		strbuf_init(&cred);
		sigv4_add_credential(&cred, &creds, T_20130524);
		assert_string_equal(cred.buf, "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request");
		sigv4_add_encoded(&q, cred.buf, false);
		strbuf_release(&cred);
	}
	strbuf_adds(&q, "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host");
	assert_non_null(strstr(q.buf, "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"));
	assert_int_equal(sigv4_sign(&creds, T_20130524, "GET", "/test.txt", q.buf, h, 1, "UNSIGNED-PAYLOAD", sig), 0);
	assert_string_equal(sig, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	strbuf_release(&q);
}

static void test_encoding_keeps_only_unreserved(void **state)
{
	strbuf sb;

	(void)state;
	strbuf_init(&sb);
	sigv4_add_encoded(&sb, "a-b_c.d~e/f g+h=\xc3\xa9", true);
	assert_string_equal(sb.buf, "a-b_c.d~e/f%20g%2Bh%3D%C3%A9");
	strbuf_release(&sb);
	strbuf_init(&sb);
	sigv4_add_encoded(&sb, "x/y", false);
	assert_string_equal(sb.buf, "x%2Fy");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_signature_of_the_get_example),
		cmocka_unit_test(test_presigned_url_example),
		cmocka_unit_test(test_encoding_keeps_only_unreserved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
