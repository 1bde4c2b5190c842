/* The storefront: the files of web/, embedded at build time (api/web.h),
 * served at GET / (the page) and GET /static/VERSION/FILE (its scripts).
 *
 * Caching: VERSION is a digest of every embedded file, and the page names
 * its assets under it, so an asset URL always means the same bytes and is
 * cached for a year; the page itself is revalidated by ETag. The page's CSS
 * sits inline in one <style> element (one request fewer for the first
 * render) and the Content-Security-Policy allows exactly that element by
 * its hash; scripts come only from this origin. */
#include "api/web.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

#define WEB_VERSION_LEN 16
/* The page refers to its assets under this prefix; the server replaces it
 * by /static/VERSION/ once, at first use. */
#define WEB_DEV_PREFIX "/static/dev/"
#define WEB_IMMUTABLE "public, max-age=31536000, immutable"

static struct {
	int ok;
	char version[WEB_VERSION_LEN + 1];
	char etag[WEB_VERSION_LEN + 3];
	char *page;        /* index.html with the versioned asset prefix */
	size_t page_len;
	char csp[256];
} web;

static pthread_once_t web_once = PTHREAD_ONCE_INIT;

static const struct web_file *S_find(const char *name)
{
	for (size_t i = 0; i < mc_web_nfiles; i++)
		if (!strcmp(mc_web_files[i].name, name))
			return &mc_web_files[i];
	return NULL;
}

static const char *S_type(const char *name)
{
	static const struct { const char *ext; const char *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* A copy of `src` with every WEB_DEV_PREFIX replaced by /static/VERSION/. */
static char *S_versioned(const char *src, size_t len, const char *version, size_t *out_len)
{
	char prefix[sizeof("/static/") + WEB_VERSION_LEN + 1];
	size_t plen = (size_t)snprintf(prefix, sizeof(prefix), "/static/%s/", version);
	size_t dlen = strlen(WEB_DEV_PREFIX);
	size_t n = 0, cap = len + 1;
	const char *p = src, *end = src + len, *hit;
	char *buf;

	/* Each replacement grows the text by plen - dlen bytes. */
	for (hit = memmem(p, len, WEB_DEV_PREFIX, dlen); hit; hit = memmem(hit + dlen, (size_t)(end - hit - dlen),
									    WEB_DEV_PREFIX, dlen))
		cap += plen - dlen;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	while ((hit = memmem(p, (size_t)(end - p), WEB_DEV_PREFIX, dlen))) {
		memcpy(buf + n, p, (size_t)(hit - p));
		n += (size_t)(hit - p);
		memcpy(buf + n, prefix, plen);
		n += plen;
		p = hit + dlen;
	}
	memcpy(buf + n, p, (size_t)(end - p));
	n += (size_t)(end - p);
	buf[n] = '\0';
	*out_len = n;
	return buf;
}

/* The page's policy: its one inline <style> by hash, everything else from
 * this origin (product images may live on other https hosts). */
static int S_csp(const char *page, size_t len, char *out, size_t outlen)
{
	const char *open = memmem(page, len, "<style>", 7);
	const char *close = open ? memmem(open, (size_t)(page + len - open), "</style>", 8) : NULL;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	int n;

	if (!open || !close)
		return -1;
	crypto_hash_sha256(digest, (const unsigned char *)open + 7, (unsigned long long)(close - open - 7));
	sodium_bin2base64(b64, sizeof(b64), digest, sizeof(digest), sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(out, outlen,
		     "default-src 'none'; script-src 'self'; style-src 'sha256-%s'; img-src 'self' data: https:; "
		     "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		     b64);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

static void S_init(void)
{
	const struct web_file *index = S_find("index.html");
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];

	if (!index)
		return;
	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < mc_web_nfiles; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)mc_web_files[i].name,
					  strlen(mc_web_files[i].name) + 1);
		crypto_hash_sha256_update(&st, (const unsigned char *)mc_web_files[i].data, mc_web_files[i].len);
	}
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(web.version, sizeof(web.version), digest, WEB_VERSION_LEN / 2);
	snprintf(web.etag, sizeof(web.etag), "\"%s\"", web.version);
	web.page = S_versioned(index->data, index->len, web.version, &web.page_len);
	if (!web.page)
		return;
	if (S_csp(web.page, web.page_len, web.csp, sizeof(web.csp))) {
		free(web.page);
		web.page = NULL;
		return;
	}
	web.ok = 1;
}

/* Common headers of a page or asset; 1 when the client's copy is current
 * (then the answer is a 304). */
static int S_cached(struct http_req *req, struct http_res *res, const char *cache_control)
{
	const char *inm = http_req_header(req, "If-None-Match");

	http_res_header_text(res, "ETag", web.etag);
	http_res_header_text(res, "Cache-Control", cache_control);
	http_res_header_text(res, "Content-Security-Policy", web.csp);
	res->cacheable = 1;
	if (inm && strstr(inm, web.etag)) {
		http_res_empty(res, 304);
		return 1;
	}
	return 0;
}

static int S_ready(struct http_res *res)
{
	pthread_once(&web_once, S_init);
	if (!web.ok)
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "the storefront is not available");
	return web.ok;
}

void api_web_page(struct http_req *req, struct http_res *res)
{
	if (!S_ready(res) || S_cached(req, res, "no-cache"))
		return;
	http_res_static(res, 200, "text/html; charset=utf-8", web.page, web.page_len);
}

/* /static/:version/:file. Any version serves today's bytes (a page loaded
 * before an upgrade still works), but only the current one is immutable. */
void api_web_static(struct http_req *req, struct http_res *res)
{
	const struct web_file *f = S_find(req->params[1]);

	if (!S_ready(res))
		return;
	if (!f || !strcmp(f->name, "index.html")) {
		http_res_problem(res, MC_ERR_NOT_FOUND, "not_found", "no such file");
		return;
	}
	if (S_cached(req, res, strcmp(req->params[0], web.version) ? "no-cache" : WEB_IMMUTABLE))
		return;
	http_res_static(res, 200, S_type(f->name), f->data, f->len);
}
