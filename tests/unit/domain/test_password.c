/* Password rules and argon2id hashing (domain/password.h). */
#include "unit.h"

#include <string.h>

#include "domain/password.h"

static int setup(void **state)
{
	(void)state;
	return password_init(1) == MC_OK ? 0 : -1;
}

static void S_fill(char *buf, size_t n)
{
	memset(buf, 'p', n);
	buf[n] = '\0';
}

static void test_rules(void **state)
{
	char pw[200];
	mc_error e;
	(void)state;

	mc_error_init(&e);
	S_fill(pw, 7);
	assert_int_equal(password_check_rules("newPassword", pw, &e), MC_ERR_INVALID);
	assert_int_equal(e.nfields, 1);
	assert_string_equal(e.fields[0].field, "newPassword");

	mc_error_init(&e);
	S_fill(pw, 8);
	assert_int_equal(password_check_rules("password", pw, &e), MC_OK);
	S_fill(pw, 128);
	assert_int_equal(password_check_rules("password", pw, &e), MC_OK);
	assert_int_equal(e.nfields, 0);

	S_fill(pw, 129);
	assert_int_equal(password_check_rules("password", pw, &e), MC_ERR_INVALID);
	assert_int_equal(e.nfields, 1);
	assert_string_equal(e.fields[0].field, "password");
	assert_int_equal(password_check_rules("password", "", &e), MC_ERR_INVALID);
}

static void test_hash_and_verify(void **state)
{
	char hash[128];
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(password_hash("correct horse battery", hash, &e), MC_OK);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_non_null(strstr(hash, "m=19456,t=2"));
	assert_int_equal(password_verify(hash, "correct horse battery", &e), MC_OK);
	assert_int_equal(password_verify(hash, "correct horse battery!", &e), MC_ERR_UNAUTHORIZED);
	assert_int_equal(password_verify(hash, "", &e), MC_ERR_UNAUTHORIZED);
}

static void test_salted(void **state)
{
	char a[128], b[128];
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(password_hash("same password", a, &e), MC_OK);
	assert_int_equal(password_hash("same password", b, &e), MC_OK);
	assert_string_not_equal(a, b);
}

static void test_null_hash_is_dummy(void **state)
{
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(password_verify(NULL, "anything at all", &e), MC_ERR_UNAUTHORIZED);
	assert_int_equal(password_verify("not a hash", "anything at all", &e), MC_ERR_UNAUTHORIZED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_salted),
		cmocka_unit_test(test_null_hash_is_dummy),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
