/* Settings (config.h): defaults, environment, flags and validation. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/limits.h"

static const char *const vars[] = {
	"MERCATO_DB", "MERCATO_HOST", "MERCATO_PORT", "MERCATO_ENV", "MERCATO_JWT_SECRET",
	"MERCATO_JWT_TTL", "MERCATO_THREADS", "MERCATO_SMTP_URL", "MERCATO_CORS_ORIGINS",
	"MERCATO_TRUSTED_PROXIES", "MERCATO_DATA_DIR", "MERCATO_AUTH_RATE", "MERCATO_RATE",
	"MERCATO_RATE_BURST", "MERCATO_METRICS_TOKEN", "MERCATO_ACCESS_LOG", "MERCATO_SMTP_FROM",
	"MERCATO_MAIL_MAX_ATTEMPTS", "MERCATO_MAIL_BACKOFF_MS", "MERCATO_JOB_LEASE_MS", "MERCATO_WORKER_POLL_MS",
	"MERCATO_UNPAID_TTL", "MERCATO_DIGEST_TIME", "MERCATO_MEDIA_URL", "MERCATO_S3_ENDPOINT", "MERCATO_S3_REGION",
	"MERCATO_S3_ACCESS_KEY", "MERCATO_S3_SECRET_KEY", "MERCATO_MEDIA_PUBLIC_URL", "MERCATO_REFRESH_TTL",
	"MERCATO_STOREFRONT_URL",
};

/* Every test starts from a clean environment. */
static int clean_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	return 0;
}

/* Loads with argv = {"mercato", args..., NULL}; returns config_load's result.
 * The config is released on failure (config_load zeroes it first). */
static int S_load(struct config *c, int *argc, char **argv)
{
	int rc = config_load(c, argc, argv);

	if (rc)
		config_release(c);
	return rc;
}

static void test_defaults(void **state)
{
	char *argv[] = { "mercato", NULL };
	int argc = 1;
	struct config c;
	(void)state;

	assert_int_equal(S_load(&c, &argc, argv), 0);
	assert_int_equal(c.port, 8080);
	assert_string_equal(c.db, "sqlite:data/mercato.db");
	assert_string_equal(c.env, "development");
	assert_int_equal(c.production, 0);
	assert_string_equal(c.host, "127.0.0.1");
	assert_int_equal(c.jwt_ttl, 3600);
	assert_int_equal(c.threads, 0);
	assert_string_equal(c.jwt_secret, "");
	assert_int_equal(argc, 1);
	assert_null(argv[1]);
	config_release(&c);
	assert_null(c.db);
}

static void test_environment_override(void **state)
{
	char *argv[] = { "mercato", NULL };
	int argc = 1;
	struct config c;
	(void)state;

	setenv("MERCATO_PORT", "8181", 1);
	setenv("MERCATO_ENV", "production", 1);
	setenv("MERCATO_DB", "postgres://u@localhost:5432/shop", 1);
	assert_int_equal(S_load(&c, &argc, argv), 0);
	assert_int_equal(c.port, 8181);
	assert_string_equal(c.env, "production");
	assert_int_equal(c.production, 1);
	assert_string_equal(c.db, "postgres://u@localhost:5432/shop");
	config_release(&c);
}

/* A bucket needs its credentials; names and URLs are checked at start. */
static void test_s3_media_settings(void **state)
{
	char *argv[] = { "mercato", NULL };
	int argc = 1;
	struct config c;
	(void)state;

	assert_int_equal(S_load(&c, &argc, argv), 0);
	assert_string_equal(c.media_url, "");
	assert_string_equal(c.s3_region, "us-east-1");
	config_release(&c);
	setenv("MERCATO_MEDIA_URL", "s3://shop-media", 1);
	assert_int_equal(S_load(&c, &argc, argv), -1);
	setenv("MERCATO_S3_ACCESS_KEY", "AKID", 1);
	setenv("MERCATO_S3_SECRET_KEY", "secret", 1);
	setenv("MERCATO_S3_ENDPOINT", "http://127.0.0.1:9000", 1);
	setenv("MERCATO_MEDIA_PUBLIC_URL", "https://cdn.example.test/media", 1);
	assert_int_equal(S_load(&c, &argc, argv), 0);
	assert_string_equal(c.media_url, "s3://shop-media");
	config_release(&c);
	for (size_t i = 0; i < 4; i++) {
		static const char *const bad[][2] = {
			{ "MERCATO_MEDIA_URL", "s3://Shop" },
			{ "MERCATO_MEDIA_URL", "s3://ab" },
			{ "MERCATO_S3_ENDPOINT", "127.0.0.1:9000" },
			{ "MERCATO_MEDIA_PUBLIC_URL", "https://cdn.example.test/" },
		};
		char *saved = strdup(getenv(bad[i][0]) ? getenv(bad[i][0]) : "");

		setenv(bad[i][0], bad[i][1], 1);
		assert_int_equal(S_load(&c, &argc, argv), -1);
		setenv(bad[i][0], saved, 1);
		free(saved);
	}
}

static void test_flags_override_env(void **state)
{
	char *argv1[] = { "mercato", "--port", "9000", NULL };
	char *argv2[] = { "mercato", "--port=9000", NULL };
	int argc1 = 3, argc2 = 2;
	struct config c;
	(void)state;

	setenv("MERCATO_PORT", "8181", 1);
	assert_int_equal(S_load(&c, &argc1, argv1), 0);
	assert_int_equal(c.port, 9000);
	assert_int_equal(argc1, 1);
	assert_null(argv1[1]);
	config_release(&c);

	assert_int_equal(S_load(&c, &argc2, argv2), 0);
	assert_int_equal(c.port, 9000);
	assert_int_equal(argc2, 1);
	config_release(&c);
}

static void test_other_args_kept_in_order(void **state)
{
	char *argv[] = { "mercato", "serve", "--db", "sqlite:/tmp/x.db", "--email", "x",
			 "--env=production", "extra", NULL };
	int argc = 8;
	struct config c;
	(void)state;

	assert_int_equal(S_load(&c, &argc, argv), 0);
	assert_string_equal(c.db, "sqlite:/tmp/x.db");
	assert_int_equal(c.production, 1);
	assert_int_equal(argc, 5);
	assert_string_equal(argv[0], "mercato");
	assert_string_equal(argv[1], "serve");
	assert_string_equal(argv[2], "--email");
	assert_string_equal(argv[3], "x");
	assert_string_equal(argv[4], "extra");
	assert_null(argv[5]);
	config_release(&c);
}

static void test_bad_flag_values(void **state)
{
	static const char *const bad[][2] = {
		{ "--port", "0" }, { "--port", "70000" }, { "--port", "abc" }, { "--port", "80x" },
		{ "--port", "" }, { "--env", "staging" }, { "--db", "mysql://x" }, { "--threads", "999" },
		{ "--host", "" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "mercato", (char *)bad[i][0], (char *)bad[i][1], NULL };
		int argc = 3;
		struct config c;

		if (S_load(&c, &argc, argv) != -1)
			fail_msg("%s '%s' was accepted", bad[i][0], bad[i][1]);
	}
}

static void test_bad_env_values(void **state)
{
	static const char *const bad[][2] = {
		{ "MERCATO_PORT", "0" }, { "MERCATO_PORT", "70000" }, { "MERCATO_PORT", "abc" },
		{ "MERCATO_ENV", "staging" }, { "MERCATO_DB", "mysql://x" }, { "MERCATO_THREADS", "999" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "mercato", NULL };
		int argc = 1;
		struct config c;

		setenv(bad[i][0], bad[i][1], 1);
		if (S_load(&c, &argc, argv) != -1)
			fail_msg("%s=%s was accepted", bad[i][0], bad[i][1]);
		unsetenv(bad[i][0]);
	}
}

/* MC_LIST_ITEMS_MAX trusted proxies or CORS origins load; one more, or an
 * item too long for its slot, is refused at start-up, never dropped. */
static void test_list_limits(void **state)
{
	static const char *const vars2[] = { "MERCATO_TRUSTED_PROXIES", "MERCATO_CORS_ORIGINS" };
	char list[MC_LIST_ITEMS_MAX * 16 + 32], *argv[] = { "mercato", NULL };
	int argc = 1;
	struct config c;
	size_t used = 0;
	(void)state;

	for (int i = 0; i < MC_LIST_ITEMS_MAX; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s10.0.0.%d", i ? "," : "", i);
	for (size_t v = 0; v < 2; v++) {
		setenv(vars2[v], list, 1);
		assert_int_equal(S_load(&c, &argc, argv), 0);
		config_release(&c);
		snprintf(list + used, sizeof(list) - used, ",10.0.1.1");
		setenv(vars2[v], list, 1);
		if (S_load(&c, &argc, argv) != -1)
			fail_msg("%s with %d items was accepted", vars2[v], MC_LIST_ITEMS_MAX + 1);
		list[used] = '\0';
		unsetenv(vars2[v]);
	}
	memset(list, 'a', MC_PROXY_ADDR_LEN);
	list[MC_PROXY_ADDR_LEN] = '\0';
	setenv("MERCATO_TRUSTED_PROXIES", list, 1);
	assert_int_equal(S_load(&c, &argc, argv), -1);
}

static void test_flag_without_value(void **state)
{
	char *argv[] = { "mercato", "serve", "--port", NULL };
	int argc = 3;
	struct config c;
	(void)state;

	assert_int_equal(S_load(&c, &argc, argv), -1);
}

/* Each {flag, value} of good[] loads; each of bad[] is refused. */
static void S_check_values(const char *const (*good)[2], size_t ngood, const char *const (*bad)[2], size_t nbad)
{
	struct config c;
	int argc;

	for (size_t i = 0; i < ngood; i++) {
		char *argv[] = { "mercato", (char *)good[i][0], (char *)good[i][1], NULL };

		argc = 3;
		if (S_load(&c, &argc, argv))
			fail_msg("%s '%s' was refused", good[i][0], good[i][1]);
		config_release(&c);
	}
	for (size_t i = 0; i < nbad; i++) {
		char *argv[] = { "mercato", (char *)bad[i][0], (char *)bad[i][1], NULL };

		argc = 3;
		if (S_load(&c, &argc, argv) != -1)
			fail_msg("%s '%s' was accepted", bad[i][0], bad[i][1]);
	}
}
#define COUNT(a) (sizeof(a) / sizeof(a[0]))

/* The background-job settings: defaults, and what the mailbox and HH:MM
 * validators take and refuse. */
static void test_job_settings(void **state)
{
	static const char *const good[][2] = {
		{ "--smtp-from", "shop@example.com" }, { "--smtp-from", "The Shop <shop@example.com>" },
		{ "--digest-time", "00:00" }, { "--digest-time", "23:59" },
	};
	static const char *const bad[][2] = {
		{ "--smtp-from", "" }, { "--smtp-from", "shop" }, { "--smtp-from", "Shop <shop@x> y" },
		{ "--smtp-from", "Shop <shop>" }, { "--smtp-from", "a b@x" }, { "--smtp-from", "Sh\xc3\xb6p <s@x>" },
		{ "--smtp-from", "Shop\r\nBcc: x@y <s@x>" }, { "--digest-time", "9:00" }, { "--digest-time", "24:00" },
		{ "--digest-time", "12:60" }, { "--digest-time", "12:00Z" }, { "--digest-time", "+9:00" },
		{ "--mail-max-attempts", "0" }, { "--job-lease-ms", "50" }, { "--unpaid-ttl", "1" },
	};
	char *argv0[] = { "mercato", NULL };
	int argc = 1;
	struct config c;
	(void)state;

	assert_int_equal(S_load(&c, &argc, argv0), 0);
	assert_string_equal(c.smtp_from, "Mercato <shop@mercato.local>");
	assert_int_equal(c.mail_max_attempts, 5);
	assert_int_equal(c.mail_backoff_ms, 30000);
	assert_int_equal(c.job_lease_ms, 300000);
	assert_int_equal(c.worker_poll_ms, 500);
	assert_int_equal(c.unpaid_ttl, 1800);
	assert_string_equal(c.digest_time, "09:00");
	config_release(&c);
	S_check_values(good, COUNT(good), bad, COUNT(bad));
}

/* Sessions: the refresh lifetime, and the storefront URL reset emails
 * link to (it goes into emails as it is). */
static void test_session_settings(void **state)
{
	static const char *const good[][2] = {
		{ "--refresh-ttl", "300" }, { "--storefront-url", "https://shop.example" },
		{ "--storefront-url", "http://localhost:3000/app" },
	};
	static const char *const bad[][2] = {
		{ "--refresh-ttl", "299" }, { "--storefront-url", "" }, { "--storefront-url", "shop.example" },
		{ "--storefront-url", "https://shop.example/" }, { "--storefront-url", "https://shop.example/\"><b>" },
		{ "--storefront-url", "https://a b" }, { "--storefront-url", "javascript:alert(1)" },
	};
	char *argv0[] = { "mercato", NULL };
	int argc = 1;
	struct config c;
	(void)state;

	assert_int_equal(S_load(&c, &argc, argv0), 0);
	assert_int_equal(c.refresh_ttl, 30 * 86400);
	assert_string_equal(c.storefront_url, "http://127.0.0.1:8080");
	config_release(&c);
	S_check_values(good, COUNT(good), bad, COUNT(bad));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, clean_env),
		cmocka_unit_test_setup(test_environment_override, clean_env),
		cmocka_unit_test_setup(test_s3_media_settings, clean_env),
		cmocka_unit_test_setup(test_flags_override_env, clean_env),
		cmocka_unit_test_setup(test_other_args_kept_in_order, clean_env),
		cmocka_unit_test_setup(test_bad_flag_values, clean_env),
		cmocka_unit_test_setup(test_bad_env_values, clean_env),
		cmocka_unit_test_setup(test_list_limits, clean_env),
		cmocka_unit_test_setup(test_flag_without_value, clean_env),
		cmocka_unit_test_setup(test_job_settings, clean_env),
		cmocka_unit_test_setup(test_session_settings, clean_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
