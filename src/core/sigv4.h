/* AWS Signature Version 4 (the signing S3 and every S3-compatible store
 * accept), over libsodium's SHA-256 and HMAC-SHA256. Pure computation: the
 * caller builds the request and sends it. */
#ifndef MC_SIGV4_H
#define MC_SIGV4_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strbuf.h"

struct sigv4_creds {
	const char *access_key;
	const char *secret_key;
	const char *region;
	const char *service;       /* "s3" */
};

/* A header that is signed: lower-case name, value as sent. */
struct sigv4_header {
	const char *name;
	const char *value;
};

#define SIGV4_HEX 65           /* a SHA-256 in hex, with its NUL */
#define SIGV4_DATE 17          /* "20130524T000000Z" with its NUL */

/* "20130524T000000Z" for Unix time t. */
void sigv4_amz_date(int64_t t, char out[SIGV4_DATE]);
/* "AKID/20130524/us-east-1/s3/aws4_request" appended to sb. */
void sigv4_add_credential(strbuf *sb, const struct sigv4_creds *c, int64_t t);
/* Appends s percent-encoded as SigV4 wants (unreserved characters kept,
 * '/' kept when keep_slash: a path). */
void sigv4_add_encoded(strbuf *sb, const char *s, bool keep_slash);
/* Hex SHA-256 of data. */
void sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX]);

/* The signature of a request made at t. uri is the encoded path, query the
 * canonical query string (sorted, encoded; "" for none), headers sorted by
 * name; payload_hash is the hex SHA-256 of the body or UNSIGNED-PAYLOAD.
 * Sets sig (hex) and returns 0, or -1 when out of memory. */
int sigv4_sign(const struct sigv4_creds *c, int64_t t, const char *method, const char *uri, const char *query,
	       const struct sigv4_header *headers, size_t nheaders, const char *payload_hash, char sig[SIGV4_HEX]);

#endif
