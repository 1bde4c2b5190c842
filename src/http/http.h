/* The HTTP layer's public face for handlers: request, response, route table.
 * It knows nothing about products or orders; api/ supplies the routes and an
 * authenticator. */
#ifndef MC_HTTP_H
#define MC_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"
#include "core/role.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};

/* Who may call a route. */
enum http_auth {
	AUTH_PUBLIC,   /* anyone; a valid token is still decoded if present */
	AUTH_USER,     /* any signed-in account */
	AUTH_SELLER,   /* seller or admin */
	AUTH_ADMIN,    /* admin only */
};

struct http_principal {
	int64_t user_id;
	mc_role role;
	char jti[MC_JTI_LEN + 1];
	int64_t exp;
	int64_t sid; /* the token's session, 0: none */
};

struct http_req;
struct http_res;

typedef void (*http_handler)(struct http_req *req, struct http_res *res);

struct route {
	unsigned method;          /* one HTTP_* */
	const char *pattern;      /* "/api/orders/:id/status" */
	http_handler handler;
	enum http_auth auth;
	size_t max_body;          /* 0 = MC_MAX_BODY */
	unsigned flags;
};

/* Route flags. */
#define ROUTE_AUTH_RATE  (1u << 0) /* counts against the login/register limiter */
#define ROUTE_PROBE      (1u << 1) /* probes: not logged, not rate limited, no JWT decoding */

struct http_req {
	unsigned method;
	const char *method_name;
	const char *path;
	const struct route *route;
	const char *params[MC_MAX_PATH_PARAMS]; /* path parameters, in pattern order */
	int nparams;
	const char *body;
	size_t body_len;
	int authenticated;
	struct http_principal auth;
	char request_id[MC_REQUEST_ID_MAX + 1];
	char client_ip[64];
	void *conn;               /* the server's connection; use the accessors below */
	json_t *json;             /* parsed body, owned by the request */
};

struct http_res {
	int status;
	char *body;
	size_t len;
	int body_static;          /* body is not freed (cached bytes, literals) */
	const char *content_type;
	int nheaders;
	struct {
		const char *name;
		char value[256];
	} headers[MC_HTTP_RES_HEADERS];
	int cacheable;            /* public data: no Cache-Control: no-store */
	const char *request_id;   /* echoed in problem bodies */
	/* Releases a shared body (e.g. a cache entry) once it has been sent. */
	void (*body_release)(void *cls);
	void *body_release_cls;
};

/* Request accessors (http/request.c). */
const char *http_req_header(struct http_req *req, const char *name);
const char *http_req_query(struct http_req *req, const char *name);
const char *http_req_cookie(struct http_req *req, const char *name);
/* Parses the body as a JSON object once; errors are 400 problems. */
mc_rc http_req_json(struct http_req *req, json_t **out, mc_error *err);
/* Parses path parameter i as a positive id. */
mc_rc http_req_param_id(struct http_req *req, int i, int64_t *out, mc_error *err);

/* Response builders (http/response.c). The json variants take ownership of
 * `body`; http_res_bytes takes a malloc'd body. */
void http_res_json(struct http_res *res, int status, json_t *body);
void http_res_bytes(struct http_res *res, int status, const char *type, char *body, size_t len);
void http_res_static(struct http_res *res, int status, const char *type, const char *body, size_t len);
void http_res_empty(struct http_res *res, int status);
void http_res_header(struct http_res *res, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same without printf, for the hot path: a text (cut at the value's
 * size, as vsnprintf would) and a number. */
void http_res_header_text(struct http_res *res, const char *name, const char *text);
void http_res_header_int(struct http_res *res, const char *name, int64_t v);
/* Frees (or releases) the body and forgets it. */
void http_res_release_body(struct http_res *res);
/* An RFC 9457 problem from a result and its details (http/problem.c). */
void http_res_error(struct http_res *res, mc_rc rc, mc_error *err);
void http_res_problem(struct http_res *res, mc_rc rc, const char *code, const char *detail);

/* Server lifecycle. */
typedef mc_rc (*http_authenticator)(const char *token, struct http_principal *out, mc_error *err);

struct http_server_opts {
	const char *host;
	int port;
	int threads;
	const struct route *routes;
	size_t nroutes;
	http_authenticator authenticate;
	long auth_rate_per_min;
	long rate_per_sec;
	long rate_burst;
	const char *trusted_proxies;
	const char *cors_origins;
	int access_log;
	long max_conn_per_ip;     /* connections per client address (trusted proxies exempt) */
	long request_timeout;     /* seconds to read a whole request, headers and body */
	/* Write batches (store_batch_*): enable runs once on each loop
	 * thread; joined after each request says whether its answer waits for
	 * the batch (and whether the batch was lost); commit after each turn
	 * of the loop, and wait on the server's own thread for a durable
	 * batch's ticket, while the loop serves others. All NULL: answers go
	 * out at once. */
	void (*batch_enable)(int on);
	int (*batch_joined)(int *lost);
	mc_rc (*batch_commit)(uint64_t *ticket);
	mc_rc (*durable_wait)(uint64_t ticket);
};

struct http_server;
mc_rc http_server_start(const struct http_server_opts *opts, struct http_server **out, char *errbuf,
			size_t errlen);
/* Stops accepting, finishes requests in flight, joins the threads. */
void http_server_stop(struct http_server *srv);

#endif
