#include "core/sigv4.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

void sigv4_amz_date(int64_t t, char out[SIGV4_DATE])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, SIGV4_DATE, "%Y%m%dT%H%M%SZ", &tm);
}

/* "20130524/us-east-1/s3/aws4_request" */
static void S_add_scope(strbuf *sb, const struct sigv4_creds *c, int64_t t)
{
	char date[SIGV4_DATE];

	sigv4_amz_date(t, date);
	strbuf_addf(sb, "%.8s/%s/%s/aws4_request", date, c->region, c->service);
}

void sigv4_add_credential(strbuf *sb, const struct sigv4_creds *c, int64_t t)
{
	strbuf_addf(sb, "%s/", c->access_key);
	S_add_scope(sb, c, t);
}

void sigv4_add_encoded(strbuf *sb, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
			strbuf_addch(sb, (char)*p);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
	}
}

void sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, SIGV4_HEX, h, sizeof(h));
}

static void S_hmac(unsigned char out[crypto_auth_hmacsha256_BYTES], const unsigned char *key, size_t keylen,
		   const char *msg)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, out);
}

int sigv4_sign(const struct sigv4_creds *c, int64_t t, const char *method, const char *uri, const char *query,
	       const struct sigv4_header *headers, size_t nheaders, const char *payload_hash, char sig[SIGV4_HEX])
{
	unsigned char k[crypto_auth_hmacsha256_BYTES], mac[crypto_auth_hmacsha256_BYTES];
	char date[SIGV4_DATE], day[9], hash[SIGV4_HEX];
	strbuf creq, sts, key;
	int rc = -1;

	strbuf_init(&creq);
	strbuf_init(&sts);
	strbuf_init(&key);
	sigv4_amz_date(t, date);
	/* The canonical request. */
	strbuf_addf(&creq, "%s\n%s\n%s\n", method, uri, query);
	for (size_t i = 0; i < nheaders; i++)
		strbuf_addf(&creq, "%s:%s\n", headers[i].name, headers[i].value);
	strbuf_addch(&creq, '\n');
	for (size_t i = 0; i < nheaders; i++)
		strbuf_addf(&creq, "%s%s", i ? ";" : "", headers[i].name);
	strbuf_addf(&creq, "\n%s", payload_hash);
	if (creq.failed)
		goto out;
	sigv4_sha256_hex(creq.buf, creq.len, hash);
	/* The string to sign. */
	strbuf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n", date);
	S_add_scope(&sts, c, t);
	strbuf_addf(&sts, "\n%s", hash);
	/* The signing key: the secret through the scope's parts. */
	strbuf_addf(&key, "AWS4%s", c->secret_key);
	if (sts.failed || key.failed)
		goto out;
	memcpy(day, date, 8);
	day[8] = 0;
	S_hmac(k, (const unsigned char *)key.buf, key.len, day);
	S_hmac(k, k, sizeof(k), c->region);
	S_hmac(k, k, sizeof(k), c->service);
	S_hmac(k, k, sizeof(k), "aws4_request");
	S_hmac(mac, k, sizeof(k), sts.buf);
	sodium_bin2hex(sig, SIGV4_HEX, mac, sizeof(mac));
	rc = 0;
out:
	sodium_memzero(k, sizeof(k));
	if (key.buf)
		sodium_memzero(key.buf, key.len);
	strbuf_release(&creq);
	strbuf_release(&sts);
	strbuf_release(&key);
	return rc;
}
