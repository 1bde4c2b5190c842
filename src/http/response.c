/* Response builders for handlers: bodies (owned, static or shared) and
 * extra headers. The server turns the result into a libmicrohttpd answer. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "http/http.h"

void http_res_release_body(struct http_res *res)
{
	if (res->body_release)
		res->body_release(res->body_release_cls);
	else if (!res->body_static)
		free(res->body);
	res->body = NULL;
	res->len = 0;
	res->body_static = 0;
	res->body_release = NULL;
	res->body_release_cls = NULL;
}

void http_res_bytes(struct http_res *res, int status, const char *type, char *body, size_t len)
{
	http_res_release_body(res);
	res->status = status;
	res->content_type = type;
	res->body = body;
	res->len = len;
}

void http_res_static(struct http_res *res, int status, const char *type, const char *body, size_t len)
{
	/* Never written nor freed (body_static); libmicrohttpd's buffer API
	 * just is not const-correct. */
	http_res_bytes(res, status, type, (char *)(uintptr_t)body, len);
	res->body_static = 1;
}

void http_res_empty(struct http_res *res, int status)
{
	http_res_static(res, status, NULL, "", 0);
}

void http_res_json(struct http_res *res, int status, json_t *body)
{
	char *s = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

	json_decref(body);
	if (!s) {
		http_res_static(res, 500, "application/problem+json",
				"{\"status\":500,\"title\":\"Internal Server Error\"}", 46);
		return;
	}
	http_res_bytes(res, status, "application/json", s, strlen(s));
}

/* The next header's value buffer, NULL when all are taken. */
static char *S_header(struct http_res *res, const char *name)
{
	if (res->nheaders >= MC_HTTP_RES_HEADERS) {
		log_error("http", "too many response headers; dropped %s", name);
		return NULL;
	}
	res->headers[res->nheaders].name = name;
	return res->headers[res->nheaders++].value;
}

void http_res_header(struct http_res *res, const char *name, const char *fmt, ...)
{
	char *value = S_header(res, name);
	va_list ap;

	if (!value)
		return;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(res->headers[0].value), fmt, ap);
	va_end(ap);
}

void http_res_header_text(struct http_res *res, const char *name, const char *text)
{
	char *value = S_header(res, name);
	size_t n;

	if (!value)
		return;
	n = strnlen(text, sizeof(res->headers[0].value) - 1);
	memcpy(value, text, n);
	value[n] = '\0';
}

_Static_assert(sizeof(((struct http_res *)0)->headers[0].value) >= MC_INT_TEXT, "a header value holds any number");

void http_res_header_int(struct http_res *res, const char *name, int64_t v)
{
	char *value = S_header(res, name);

	if (value)
		mc_int_text(value, v);
}
