#include "store/blobs.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/sigv4.h"

/* --- disk ------------------------------------------------------------------ */

static mc_rc S_disk_path(const struct blob_store *b, const char *key, char *path, size_t cap)
{
	int n = snprintf(path, cap, "%s/media/%s", b->data_dir, key);

	return n < 0 || (size_t)n >= cap ? MC_ERR_INTERNAL : MC_OK;
}

static mc_rc S_disk_put(const struct blob_store *b, const char *key, const void *data, size_t len)
{
	char path[4096], *slash;

	if (S_disk_path(b, key, path, sizeof(path)))
		return MC_ERR_INTERNAL;
	slash = strrchr(path, '/');
	*slash = 0;
	if (fs_mkdirs(path)) {
		log_error("media", "cannot create %s: %s", path, strerror(errno));
		return MC_ERR_INTERNAL;
	}
	*slash = '/';
	/* Images are public: 0644. */
	if (fs_write_atomic(path, data, len, 0644)) {
		log_error("media", "cannot write %s: %s", path, strerror(errno));
		return MC_ERR_INTERNAL;
	}
	return MC_OK;
}

static mc_rc S_disk_get(const struct blob_store *b, const char *key, size_t max, char **data, size_t *len)
{
	char path[4096];
	mc_rc rc = S_disk_path(b, key, path, sizeof(path));

	if (!rc)
		rc = fs_read_file(path, max, data, len);
	if (rc && rc != MC_ERR_NOT_FOUND && rc != MC_ERR_TOO_LARGE)
		log_error("media", "cannot read %s: %s", path, strerror(errno));
	return rc;
}

static mc_rc S_disk_delete(const struct blob_store *b, const char *key)
{
	char path[4096];

	if (S_disk_path(b, key, path, sizeof(path)))
		return MC_ERR_INTERNAL;
	if (unlink(path) && errno != ENOENT) {
		log_error("media", "cannot delete %s: %s", path, strerror(errno));
		return MC_ERR_INTERNAL;
	}
	return MC_OK;
}

/* --- S3 -------------------------------------------------------------------- */

/* scheme://host[:port] and the path after it ("" for none). */
struct s3_target {
	char origin[MC_MEDIA_BASE_MAX + 1];
	const char *host;          /* inside origin */
	const char *path;          /* the endpoint's own path prefix */
	strbuf uri;                /* path + "/" + bucket + "/" + key, encoded */
};

static mc_rc S_target(const struct blob_store *b, const char *key, struct s3_target *t)
{
	char aws[128];
	const char *ep = b->endpoint && *b->endpoint ? b->endpoint : aws;
	size_t scheme, hostlen;

	snprintf(aws, sizeof(aws), "https://s3.%s.amazonaws.com", b->region);
	scheme = strstr(ep, "://") ? (size_t)(strstr(ep, "://") - ep) + 3 : 0;
	hostlen = strcspn(ep + scheme, "/");
	if (scheme + hostlen >= sizeof(t->origin))
		return MC_ERR_INTERNAL;
	memcpy(t->origin, ep, scheme + hostlen);
	t->origin[scheme + hostlen] = 0;
	t->host = t->origin + scheme;
	t->path = ep + scheme + hostlen;
	strbuf_init(&t->uri);
	sigv4_add_encoded(&t->uri, t->path, true);
	strbuf_addch(&t->uri, '/');
	sigv4_add_encoded(&t->uri, b->bucket, false);
	strbuf_addch(&t->uri, '/');
	sigv4_add_encoded(&t->uri, key, true);
	if (t->uri.failed) {
		strbuf_release(&t->uri);
		return MC_ERR_INTERNAL;
	}
	return MC_OK;
}

static struct sigv4_creds S_creds(const struct blob_store *b)
{
	return (struct sigv4_creds){ b->access_key, b->secret_key, b->region, "s3" };
}

/* The response body, at most `max` bytes. */
struct sink {
	strbuf body;
	size_t max;
	int overflow;
};

static size_t S_sink(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->body.len + size * n > s->max) {
		s->overflow = 1;
		return 0;
	}
	strbuf_add(&s->body, p, size * n);
	return s->body.failed ? 0 : size * n;
}

/* One signed request: method on key with an optional body. *status is the
 * HTTP status (0: no answer); the answer's body goes to sink. */
static mc_rc S_request(const struct blob_store *b, const char *method, const char *key, const void *data,
		       size_t len, const char *type, struct sink *sink, long *status)
{
	struct sigv4_creds cr = S_creds(b);
	struct curl_slist *hl = NULL;
	struct sigv4_header h[4];
	struct s3_target t;
	char date[SIGV4_DATE], hash[SIGV4_HEX], sig[SIGV4_HEX];
	int64_t now = (int64_t)time(NULL);
	strbuf url, auth, line;
	size_t nh = 0;
	CURL *c = NULL;
	CURLcode cc;
	mc_rc rc = S_target(b, key, &t);

	if (rc)
		return rc;
	strbuf_init(&url);
	strbuf_init(&auth);
	strbuf_init(&line);
	rc = MC_ERR_INTERNAL;
	sigv4_amz_date(now, date);
	sigv4_sha256_hex(data ? data : "", len, hash);
	/* Sorted by name, as signing wants them. */
	if (type)
		h[nh++] = (struct sigv4_header){ "content-type", type };
	h[nh++] = (struct sigv4_header){ "host", t.host };
	h[nh++] = (struct sigv4_header){ "x-amz-content-sha256", hash };
	h[nh++] = (struct sigv4_header){ "x-amz-date", date };
	if (sigv4_sign(&cr, now, method, t.uri.buf, "", h, nh, hash, sig))
		goto out;
	strbuf_adds(&auth, "Authorization: AWS4-HMAC-SHA256 Credential=");
	sigv4_add_credential(&auth, &cr, now);
	strbuf_adds(&auth, ", SignedHeaders=");
	for (size_t i = 0; i < nh; i++)
		strbuf_addf(&auth, "%s%s", i ? ";" : "", h[i].name);
	strbuf_addf(&auth, ", Signature=%s", sig);
	strbuf_addf(&url, "%s%s", t.origin, t.uri.buf);
	if (url.failed || auth.failed || !(c = curl_easy_init()))
		goto out;
	hl = curl_slist_append(hl, auth.buf);
	strbuf_addf(&line, "x-amz-content-sha256: %s", hash);
	hl = curl_slist_append(hl, line.buf);
	strbuf_release(&line);
	strbuf_addf(&line, "x-amz-date: %s", date);
	hl = curl_slist_append(hl, line.buf);
	strbuf_release(&line);
	if (type) {
		strbuf_addf(&line, "Content-Type: %s", type);
		hl = curl_slist_append(hl, line.buf);
	}
	/* No 100-continue round trip for a body we hold in memory. */
	hl = curl_slist_append(hl, "Expect:");
	if (!hl || line.failed)
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, url.buf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)MC_S3_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)MC_S3_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, S_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	if (!strcmp(method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	cc = curl_easy_perform(c);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (cc == CURLE_WRITE_ERROR && sink->overflow) {
		rc = MC_ERR_TOO_LARGE;
	} else if (cc != CURLE_OK) {
		log_error("media", "%s %s: %s", method, url.buf, curl_easy_strerror(cc));
		rc = MC_ERR_BUSY;
	} else if (*status >= 500) {
		log_error("media", "%s %s: HTTP %ld", method, url.buf, *status);
		rc = MC_ERR_BUSY;
	} else {
		rc = MC_OK;
	}
out:
	curl_slist_free_all(hl);
	if (c)
		curl_easy_cleanup(c);
	strbuf_release(&t.uri);
	strbuf_release(&url);
	strbuf_release(&auth);
	strbuf_release(&line);
	return rc;
}

/* A 4xx other than a missing object means the store refuses us (keys,
 * bucket, clock): a server problem, logged with the store's reason. */
static mc_rc S_refused(const char *method, const char *key, long status, const struct sink *s)
{
	log_error("media", "%s %s: HTTP %ld: %.*s", method, key, status, (int)(s->body.len > 300 ? 300 : s->body.len),
		  s->body.buf ? s->body.buf : "");
	return MC_ERR_INTERNAL;
}

static mc_rc S_s3(const struct blob_store *b, const char *method, const char *key, const void *data, size_t len,
		  const char *type, size_t max, char **out, size_t *outlen)
{
	struct sink s = { .max = max };
	long status = 0;
	mc_rc rc;

	strbuf_init(&s.body);
	rc = S_request(b, method, key, data, len, type, &s, &status);
	if (!rc && status == 404)
		rc = MC_ERR_NOT_FOUND;
	else if (!rc && (status < 200 || status > 299))
		rc = S_refused(method, key, status, &s);
	if (!rc && out) {
		/* An empty object is still a buffer. */
		strbuf_addch(&s.body, 0);
		if (s.body.failed) {
			rc = MC_ERR_INTERNAL;
		} else {
			*outlen = s.body.len - 1;
			*out = strbuf_detach(&s.body, NULL);
		}
	}
	strbuf_release(&s.body);
	return rc;
}

/* --- the interface ---------------------------------------------------------- */

mc_rc blob_put(const struct blob_store *b, const char *key, const void *data, size_t len, const char *type)
{
	if (!b->bucket)
		return S_disk_put(b, key, data, len);
	return S_s3(b, "PUT", key, data, len, type, MC_S3_ERROR_BODY_MAX, NULL, NULL);
}

mc_rc blob_get(const struct blob_store *b, const char *key, size_t max, char **data, size_t *len)
{
	if (!b->bucket)
		return S_disk_get(b, key, max, data, len);
	return S_s3(b, "GET", key, NULL, 0, NULL, max, data, len);
}

mc_rc blob_delete(const struct blob_store *b, const char *key)
{
	mc_rc rc;

	if (!b->bucket)
		return S_disk_delete(b, key);
	rc = S_s3(b, "DELETE", key, NULL, 0, NULL, MC_S3_ERROR_BODY_MAX, NULL, NULL);
	return rc == MC_ERR_NOT_FOUND ? MC_OK : rc;
}

void blob_public_url(const struct blob_store *b, const char *key, strbuf *out)
{
	struct s3_target t;

	if (!b->bucket) {
		strbuf_addf(out, "/media/%s", key);
	} else if (b->public_base && *b->public_base) {
		strbuf_addf(out, "%s/", b->public_base);
		sigv4_add_encoded(out, key, true);
	} else if (S_target(b, key, &t)) {
		out->failed = 1;
	} else {
		strbuf_addf(out, "%s%s", t.origin, t.uri.buf);
		strbuf_release(&t.uri);
	}
}

mc_rc blob_presign_put(const struct blob_store *b, const char *key, const char *type, int64_t now, int64_t ttl,
		       strbuf *url)
{
	struct sigv4_creds cr = S_creds(b);
	struct sigv4_header h[2];
	struct s3_target t;
	char date[SIGV4_DATE], sig[SIGV4_HEX];
	strbuf q, cred;
	mc_rc rc;

	if (!b->bucket)
		return MC_ERR_INTERNAL;
	rc = S_target(b, key, &t);
	if (rc)
		return rc;
	strbuf_init(&q);
	strbuf_init(&cred);
	sigv4_amz_date(now, date);
	sigv4_add_credential(&cred, &cr, now);
	/* The canonical query: its parameters in name order. */
	strbuf_adds(&q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
	sigv4_add_encoded(&q, cred.buf ? cred.buf : "", false);
	strbuf_addf(&q, "&X-Amz-Date=%s&X-Amz-Expires=%" PRId64 "&X-Amz-SignedHeaders=content-type%%3Bhost", date, ttl);
	h[0] = (struct sigv4_header){ "content-type", type };
	h[1] = (struct sigv4_header){ "host", t.host };
	rc = MC_ERR_INTERNAL;
	if (!q.failed && !cred.failed && !sigv4_sign(&cr, now, "PUT", t.uri.buf, q.buf, h, 2, "UNSIGNED-PAYLOAD", sig)) {
		strbuf_addf(url, "%s%s?%s&X-Amz-Signature=%s", t.origin, t.uri.buf, q.buf, sig);
		rc = url->failed ? MC_ERR_INTERNAL : MC_OK;
	}
	strbuf_release(&t.uri);
	strbuf_release(&q);
	strbuf_release(&cred);
	return rc;
}
