#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/parse.h"

enum kind { K_STR, K_INT, K_ENUM };

struct setting {
	const char *flag;     /* --flag */
	const char *env;      /* environment variable */
	enum kind kind;
	size_t off;           /* offset in struct config */
	const char *def;      /* default, as text */
	long min, max;        /* K_INT bounds */
	const char *choices;  /* K_ENUM: "a|b" */
	int (*check)(const char *v); /* extra validation for K_STR; 0 = ok */
	const char *help;
};

static int S_check_db(const char *v)
{
	return strncmp(v, "sqlite:", 7) && strncmp(v, "postgres://", 11) && strncmp(v, "postgresql://", 13);
}

static int S_check_smtp(const char *v)
{
	return *v && strncmp(v, "smtp://", 7) && strncmp(v, "smtps://", 8);
}

static int S_check_nonempty(const char *v)
{
	return !*v;
}

/* "addr@host" or "Name <addr@host>", printable ASCII: it goes into the
 * From header as it is. */
static int S_check_mailbox(const char *v)
{
	const char *addr = strrchr(v, '<');
	size_t n;

	for (const char *p = v; *p; p++)
		if (*p < ' ' || *p > '~')
			return 1;
	addr = addr ? addr + 1 : v;
	n = strcspn(addr, " <>\"");
	/* The address ends the value, or its closing '>' does. */
	return !memchr(addr, '@', n) || strcmp(addr + n, addr == v ? "" : ">");
}

/* http(s)://..., printable ASCII without spaces, quotes or angle brackets
 * and no trailing slash: emails link to it (reset links), as it is. */
static int S_check_web_url(const char *v)
{
	size_t n = strlen(v);

	if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
		return 1;
	if (n > MC_STOREFRONT_URL_MAX || v[n - 1] == '/')
		return 1;
	for (const char *p = v; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("\"'<>\\", *p))
			return 1;
	return 0;
}

/* "HH:MM", 24-hour clock. */
static int S_check_hhmm(const char *v)
{
	if (strlen(v) != 5 || v[2] != ':')
		return 1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (v[i] < '0' || v[i] > '9'))
			return 1;
	return (v[0] - '0') * 10 + (v[1] - '0') > 23 || v[3] > '5';
}

/* At most MC_LIST_ITEMS_MAX items, each fitting its slot: the server
 * never drops one silently. */
static int S_check_proxies(const char *v)
{
	return mc_parse_list(v, NULL, MC_PROXY_ADDR_LEN, MC_LIST_ITEMS_MAX) < 0;
}

static int S_check_origins(const char *v)
{
	return mc_parse_list(v, NULL, MC_ORIGIN_LEN, MC_LIST_ITEMS_MAX) < 0;
}

/* s3://BUCKET, with an S3 bucket name (3-63 of a-z 0-9 . -), or unset. */
static int S_check_media(const char *v)
{
	size_t n;

	if (!*v)
		return 0;
	if (strncmp(v, "s3://", 5))
		return 1;
	v += 5;
	n = strlen(v);
	return n < 3 || n > 63 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n;
}

/* http(s)://host[:port][/path], printable, no spaces or query: the base of
 * every URL built on it. Unset is fine. */
static int S_check_base_url(const char *v)
{
	size_t n = strlen(v);

	if (!n)
		return 0;
	if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
		return 1;
	for (const char *p = v; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == '?' || *p == '#' || *p == '"' || *p == '\\')
			return 1;
	return n > MC_MEDIA_BASE_MAX || v[n - 1] == '/';
}

/* An AWS region name: lower-case letters, digits and dashes. */
static int S_check_region(const char *v)
{
	size_t n = strlen(v);

	return !n || n > 32 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != n;
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define OFF(f) offsetof(struct config, f)
static const struct setting settings[] = {
	{ "db", "MERCATO_DB", K_STR, OFF(db), "sqlite:data/mercato.db", 0, 0, NULL, S_check_db,
	  "database: sqlite:PATH or postgres://user@host:port/db" },
	{ "host", "MERCATO_HOST", K_STR, OFF(host), "127.0.0.1", 0, 0, NULL, S_check_nonempty,
	  "address serve listens on" },
	{ "port", "MERCATO_PORT", K_INT, OFF(port), "8080", 1, 65535, NULL, NULL, "port serve listens on" },
	{ "env", "MERCATO_ENV", K_ENUM, OFF(env), "development", 0, 0, "development|production", NULL,
	  "production disables the seed endpoint and demands a real JWT secret" },
	{ "jwt-secret", "MERCATO_JWT_SECRET", K_STR, OFF(jwt_secret), "", 0, 0, NULL, NULL,
	  "HS256 key, >= 32 bytes (development: generated into the data directory)" },
	{ "jwt-ttl", "MERCATO_JWT_TTL", K_INT, OFF(jwt_ttl), "3600", 60, 30L * 86400, NULL, NULL,
	  "token lifetime in seconds" },
	{ "refresh-ttl", "MERCATO_REFRESH_TTL", K_INT, OFF(refresh_ttl), "2592000", 300, 365L * 86400, NULL, NULL,
	  "refresh-token lifetime in seconds, from each use (a session idle this long ends)" },
	{ "storefront-url", "MERCATO_STOREFRONT_URL", K_STR, OFF(storefront_url), "http://127.0.0.1:8080", 0, 0, NULL,
	  S_check_web_url, "the storefront's base URL, no trailing slash: reset emails link to URL/#/reset?token=..." },
	{ "threads", "MERCATO_THREADS", K_INT, OFF(threads), "0", 0, 256, NULL, NULL,
	  "HTTP worker threads (0 = number of cores)" },
	{ "smtp-url", "MERCATO_SMTP_URL", K_STR, OFF(smtp_url), "", 0, 0, NULL, S_check_smtp,
	  "smtp://host:port for outgoing mail (unset: .eml files in DATA_DIR/mail)" },
	{ "cors-origins", "MERCATO_CORS_ORIGINS", K_STR, OFF(cors_origins), "", 0, 0, NULL, S_check_origins,
	  "comma-separated origins allowed by CORS (at most " STR(MC_LIST_ITEMS_MAX) ")" },
	{ "trusted-proxies", "MERCATO_TRUSTED_PROXIES", K_STR, OFF(trusted_proxies), "", 0, 0, NULL, S_check_proxies,
	  "comma-separated peer IPs whose X-Forwarded-For is believed (at most " STR(MC_LIST_ITEMS_MAX) ")" },
	{ "data-dir", "MERCATO_DATA_DIR", K_STR, OFF(data_dir), "data", 0, 0, NULL, S_check_nonempty,
	  "JWT secret (development), media uploads, mail spool" },
	{ "auth-rate", "MERCATO_AUTH_RATE", K_INT, OFF(auth_rate), "30", 1, 1000000, NULL, NULL,
	  "login, register and password-reset requests per minute per client IP" },
	{ "rate", "MERCATO_RATE", K_INT, OFF(rate), "100", 1, 10000000, NULL, NULL,
	  "other requests per second per client IP" },
	{ "rate-burst", "MERCATO_RATE_BURST", K_INT, OFF(rate_burst), "200", 1, 10000000, NULL, NULL,
	  "burst allowance for MERCATO_RATE" },
	{ "metrics-token", "MERCATO_METRICS_TOKEN", K_STR, OFF(metrics_token), "", 0, 0, NULL, NULL,
	  "bearer token for /metrics from non-loopback clients" },
	{ "access-log", "MERCATO_ACCESS_LOG", K_INT, OFF(access_log), "1", 0, 1, NULL, NULL,
	  "1 = one JSON line per request on stderr" },
	{ "smtp-from", "MERCATO_SMTP_FROM", K_STR, OFF(smtp_from), "Mercato <shop@mercato.local>", 0, 0, NULL,
	  S_check_mailbox, "sender of every email: addr@host or Name <addr@host>" },
	{ "mail-max-attempts", "MERCATO_MAIL_MAX_ATTEMPTS", K_INT, OFF(mail_max_attempts), "5", 1, 100, NULL, NULL,
	  "delivery attempts before an email is marked dead" },
	{ "mail-backoff-ms", "MERCATO_MAIL_BACKOFF_MS", K_INT, OFF(mail_backoff_ms), "30000", 10, 3600000, NULL, NULL,
	  "wait before the first retry of an email; doubles each attempt, with jitter" },
	{ "job-lease-ms", "MERCATO_JOB_LEASE_MS", K_INT, OFF(job_lease_ms), "300000", 100, 86400000, NULL, NULL,
	  "a worker's hold on claimed jobs; after it a crashed worker's jobs run again" },
	{ "worker-poll-ms", "MERCATO_WORKER_POLL_MS", K_INT, OFF(worker_poll_ms), "500", 10, 60000, NULL, NULL,
	  "how often an idle worker looks for due jobs" },
	{ "unpaid-ttl", "MERCATO_UNPAID_TTL", K_INT, OFF(unpaid_ttl), "1800", 60, 30L * 86400, NULL, NULL,
	  "seconds before an unpaid order expires (cancelled, stock restored)" },
	{ "test-delay-after-commit-ms", "MERCATO_TEST_DELAY_AFTER_COMMIT_MS", K_INT, OFF(test_delay_after_commit_ms), "0",
	  0, 60000, NULL, NULL, "tests only, refused in production: pause after an Idempotency-Key commit" },
	{ "max-open-orders", "MERCATO_MAX_OPEN_ORDERS", K_INT, OFF(max_open_orders), "3", 1, 1000000, NULL, NULL,
	  "unpaid orders (cash on delivery included) a buyer may hold; the next checkout is 409" },
	{ "cod-confirm-ttl", "MERCATO_COD_CONFIRM_TTL", K_INT, OFF(cod_confirm_ttl), "172800", 60, 30L * 86400, NULL,
	  NULL, "seconds for the seller(s) or an admin to confirm a cash-on-delivery order before it expires" },
	{ "cod-max", "MERCATO_COD_MAX", K_INT, OFF(cod_max), "5000000", 0, MC_ORDER_TOTAL_MAX, NULL, NULL,
	  "largest order total (minor units) accepted cash on delivery" },
	{ "digest-time", "MERCATO_DIGEST_TIME", K_STR, OFF(digest_time), "09:00", 0, 0, NULL, S_check_hhmm,
	  "HH:MM (UTC) of the daily promotional digest" },
	{ "media-url", "MERCATO_MEDIA_URL", K_STR, OFF(media_url), "", 0, 0, NULL, S_check_media,
	  "s3://BUCKET stores product images in an S3-compatible bucket (unset: DATA_DIR/media)" },
	{ "s3-endpoint", "MERCATO_S3_ENDPOINT", K_STR, OFF(s3_endpoint), "", 0, 0, NULL, S_check_base_url,
	  "http(s)://host[:port] of the S3-compatible store, path-style (unset: AWS S3 of the region)" },
	{ "s3-region", "MERCATO_S3_REGION", K_STR, OFF(s3_region), "us-east-1", 0, 0, NULL, S_check_region,
	  "region the S3 requests are signed for" },
	{ "s3-access-key", "MERCATO_S3_ACCESS_KEY", K_STR, OFF(s3_access_key), "", 0, 0, NULL, NULL,
	  "S3 access key id (needed with an s3:// media URL)" },
	{ "s3-secret-key", "MERCATO_S3_SECRET_KEY", K_STR, OFF(s3_secret_key), "", 0, 0, NULL, NULL,
	  "S3 secret access key (needed with an s3:// media URL)" },
	{ "media-public-url", "MERCATO_MEDIA_PUBLIC_URL", K_STR, OFF(media_public_url), "", 0, 0, NULL,
	  S_check_base_url, "base of imageUrl in S3 mode, e.g. a CDN (unset: the endpoint's bucket URL)" },
	{ "max-conn-per-ip", "MERCATO_MAX_CONN_PER_IP", K_INT, OFF(max_conn_per_ip), "32", 1, 100000, NULL, NULL,
	  "open connections per client address (trusted proxies are not counted)" },
	{ "request-timeout", "MERCATO_REQUEST_TIMEOUT", K_INT, OFF(request_timeout), "30", 1, 3600, NULL, NULL,
	  "seconds a client has to send a whole request, headers and body" },
	{ "media-quota-mb", "MERCATO_MEDIA_QUOTA_MB", K_INT, OFF(media_quota_mb), "100", 1, 1000000, NULL, NULL,
	  "stored image megabytes per seller; uploads past it are 413" },
	{ "media-grace", "MERCATO_MEDIA_GRACE", K_INT, OFF(media_grace), "86400", 0, 365L * 86400, NULL, NULL,
	  "seconds an image no product shows is kept (cached pages) before cleanup deletes it" },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static int S_set(struct config *c, const struct setting *s, const char *v, const char *source)
{
	int64_t n;

	switch (s->kind) {
	case K_INT:
		if (mc_parse_i64(v, s->min, s->max, &n)) {
			fprintf(stderr, "mercato: %s=%s (from %s): must be an integer in %ld..%ld\n",
				s->env, v, source, s->min, s->max);
			return -1;
		}
		*(long *)((char *)c + s->off) = (long)n;
		return 0;
	case K_ENUM: {
		const char *p = s->choices;
		size_t vl = strlen(v);
		int ok = 0;

		while (*p) {
			size_t l = strcspn(p, "|");

			if (l == vl && !strncmp(p, v, l))
				ok = 1;
			p += l + (p[l] == '|');
		}
		if (!ok) {
			fprintf(stderr, "mercato: %s=%s (from %s): must be one of %s\n", s->env, v, source,
				s->choices);
			return -1;
		}
		break;
	}
	case K_STR:
		if (s->check && s->check(v)) {
			fprintf(stderr, "mercato: %s=%s (from %s): invalid; expected %s\n", s->env, v, source,
				s->help);
			return -1;
		}
		break;
	}
	{
		char **slot = (char **)((char *)c + s->off);
		char *dup = strdup(v);

		if (!dup) {
			fprintf(stderr, "mercato: out of memory\n");
			return -1;
		}
		free(*slot);
		*slot = dup;
	}
	return 0;
}

int config_load(struct config *c, int *argc, char **argv)
{
	int out = 1;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *e = getenv(settings[i].env);

		if (S_set(c, &settings[i], settings[i].def, "default") ||
		    (e && S_set(c, &settings[i], e, "environment")))
			goto fail;
	}
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct setting *s = NULL;
		size_t nl;

		if (strncmp(a, "--", 2)) {
			argv[out++] = argv[i];
			continue;
		}
		a += 2;
		nl = strcspn(a, "=");
		for (size_t k = 0; k < NSETTINGS; k++)
			if (strlen(settings[k].flag) == nl && !strncmp(settings[k].flag, a, nl))
				s = &settings[k];
		if (!s) {
			/* Not a setting: a subcommand option such as --email. */
			argv[out++] = argv[i];
			continue;
		}
		if (a[nl] == '=') {
			val = a + nl + 1;
		} else if (i + 1 < *argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "mercato: --%s needs a value\n", s->flag);
			goto fail;
		}
		if (S_set(c, s, val, "command line"))
			goto fail;
	}
	*argc = out;
	argv[out] = NULL;
	c->production = !strcmp(c->env, "production");
	if (c->production && c->test_delay_after_commit_ms) {
		fprintf(stderr, "mercato: MERCATO_TEST_DELAY_AFTER_COMMIT_MS is for tests; refused in production\n");
		goto fail;
	}
	if (*c->media_url && (!*c->s3_access_key || !*c->s3_secret_key)) {
		fprintf(stderr, "mercato: MERCATO_MEDIA_URL=%s needs MERCATO_S3_ACCESS_KEY and MERCATO_S3_SECRET_KEY\n",
			c->media_url);
		goto fail;
	}
	return 0;
fail:
	config_release(c);
	return -1;
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (settings[i].kind != K_INT) {
			char **slot = (char **)((char *)c + settings[i].off);

			free(*slot);
			*slot = NULL;
		}
	}
}

void config_print_help(void)
{
	printf("Settings (environment variable, or --flag VALUE):\n");
	for (size_t i = 0; i < NSETTINGS; i++)
		printf("  %-24s --%-16s %s [default: %s]\n", settings[i].env, settings[i].flag,
		       settings[i].help, *settings[i].def ? settings[i].def : "unset");
}

struct blob_store config_blob_store(const struct config *c)
{
	int s3 = *c->media_url != 0;

	return (struct blob_store){
		.data_dir = c->data_dir,
		.bucket = s3 ? c->media_url + strlen("s3://") : NULL,
		.endpoint = c->s3_endpoint,
		.region = c->s3_region,
		.access_key = c->s3_access_key,
		.secret_key = c->s3_secret_key,
		.public_base = c->media_public_url,
	};
}
