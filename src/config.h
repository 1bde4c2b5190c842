/* Settings: one table (config.c) of name, environment variable, default and
 * validator. Environment first, then `--flag value` overrides. */
#ifndef MC_CONFIG_H
#define MC_CONFIG_H

#include <stddef.h>

#include "store/blobs.h"

struct config {
	char *db;              /* MERCATO_DB */
	char *host;            /* MERCATO_HOST */
	long port;             /* MERCATO_PORT */
	char *env;             /* MERCATO_ENV: development | production */
	int production;        /* derived: env == production */
	char *jwt_secret;      /* MERCATO_JWT_SECRET (may be generated) */
	long jwt_ttl;          /* MERCATO_JWT_TTL seconds */
	long refresh_ttl;      /* MERCATO_REFRESH_TTL seconds, from each use */
	char *storefront_url;  /* MERCATO_STOREFRONT_URL: reset links point there */
	long threads;          /* MERCATO_THREADS; 0 = number of cores */
	char *smtp_url;        /* MERCATO_SMTP_URL */
	char *cors_origins;    /* MERCATO_CORS_ORIGINS */
	char *trusted_proxies; /* MERCATO_TRUSTED_PROXIES */
	char *data_dir;        /* MERCATO_DATA_DIR */
	long auth_rate;        /* MERCATO_AUTH_RATE per minute per IP */
	long rate;             /* MERCATO_RATE per second per IP */
	long rate_burst;       /* MERCATO_RATE_BURST */
	char *metrics_token;   /* MERCATO_METRICS_TOKEN */
	long access_log;       /* MERCATO_ACCESS_LOG 0/1 */
	char *smtp_from;       /* MERCATO_SMTP_FROM: From header of every email */
	long mail_max_attempts;/* MERCATO_MAIL_MAX_ATTEMPTS per email */
	long mail_backoff_ms;  /* MERCATO_MAIL_BACKOFF_MS: wait before the first retry (doubles) */
	long job_lease_ms;     /* MERCATO_JOB_LEASE_MS: a claimed batch returns after this */
	long worker_poll_ms;   /* MERCATO_WORKER_POLL_MS */
	long test_delay_after_commit_ms; /* MERCATO_TEST_DELAY_AFTER_COMMIT_MS, tests only */
	long unpaid_ttl;       /* MERCATO_UNPAID_TTL seconds before an unpaid order expires */
	long max_open_orders;  /* MERCATO_MAX_OPEN_ORDERS unpaid orders per buyer */
	long cod_confirm_ttl;  /* MERCATO_COD_CONFIRM_TTL seconds to confirm a cash-on-delivery order */
	long cod_max;          /* MERCATO_COD_MAX largest total (minor units) paid cash on delivery */
	char *digest_time;     /* MERCATO_DIGEST_TIME "HH:MM" UTC */
	char *media_url;       /* MERCATO_MEDIA_URL: "" (the data directory) or s3://BUCKET */
	char *s3_endpoint;     /* MERCATO_S3_ENDPOINT: http(s)://host[:port]; "" = AWS for the region */
	char *s3_region;       /* MERCATO_S3_REGION */
	char *s3_access_key;   /* MERCATO_S3_ACCESS_KEY */
	char *s3_secret_key;   /* MERCATO_S3_SECRET_KEY */
	char *media_public_url;/* MERCATO_MEDIA_PUBLIC_URL: base of imageUrl in S3 mode (a CDN); "" = endpoint/bucket */
	long max_conn_per_ip;  /* MERCATO_MAX_CONN_PER_IP */
	long request_timeout;  /* MERCATO_REQUEST_TIMEOUT seconds for a whole request */
	long media_quota_mb;   /* MERCATO_MEDIA_QUOTA_MB per seller */
	long media_grace;      /* MERCATO_MEDIA_GRACE seconds before an unshown image is deleted */
};

/* Loads defaults, the environment, then flags from argv (consumed flags are
 * removed; other arguments are left in order). On a bad value prints a clear
 * message to stderr and returns -1 (the caller exits with 2). */
int config_load(struct config *c, int *argc, char **argv);
void config_release(struct config *c);
/* Prints every setting with its variable, flag and default. */
void config_print_help(void);

/* The blob store the media settings describe (the data directory, or the
 * s3:// bucket); its strings are the config's. */
struct blob_store config_blob_store(const struct config *c);

#endif
