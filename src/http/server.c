/* libmicrohttpd glue: reads requests with the documented two-call pattern,
 * runs the middleware chain (request id, rate limit, routing, auth, CORS,
 * security headers, access log), hands the request to its route, holds
 * answers until their batch commits (and is on disk, when durable), and
 * starts and stops the event loops (loop.c).
 * The middleware runs on the first call, from the headers, before any body
 * is read; its decisions (admitted connections, trusted proxies, CORS
 * origin, credentials, rate limits) are admit.c's, over the server struct
 * they share (server_types.h). guard.c bounds connections per address, the
 * time a request may take and the memory bodies hold. Handlers' accessors
 * and builders are in request.c and response.c; a request's id and client
 * address come from identity.c; spares.c keeps finished request contexts
 * for reuse. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/parse.h"
#include "core/ratelimit.h"
#include "core/strbuf.h"
#include "core/ticket_queue.h"
#include "http/admit.h"
#include "http/guard.h"
#include "http/http.h"
#include "http/identity.h"
#include "http/loop.h"
#include "http/router.h"
#include "http/server_types.h"
#include "http/spares.h"

/* One per request, from the first access-handler call to completion. */
struct request_ctx {
	struct http_req req;
	struct router_match match;
	struct guard_conn *conn;  /* its connection's deadline and address */
	struct http_loop *loop;   /* the event loop serving it */
	strbuf body;
	size_t limit;
	size_t reserved;          /* of the body budget */
	int has_body;
	/* A refusal decided from the headers; sent at once when a body
	 * follows (it is never read), else as the answer of the final call,
	 * which keeps the connection alive. Without one (status 0) it holds
	 * the headers the first call added, which the handler's answer keeps. */
	struct http_res early;
	int early_sent;
	int64_t start_us;
	/* An answer suspended until its batch commits and, when durable, is
	 * on disk; then held_rc and held_why say whether it may go out. */
	struct MHD_Response *held;
	int held_status;
	size_t held_len;
	mc_rc held_rc;
	const char *held_why;
	struct request_ctx *next_held;
};

/* The answers of this loop thread's open batch (see S_send). */
static __thread struct {
	struct request_ctx *head;
	int n;
} batch;

/* --- dispatch ------------------------------------------------------------ */

/* Everything decided from the request line and headers, before any body:
 * framing, CORS preflight, rate limit, route, size, credentials, the body
 * budget. Sets the answer in res when the request ends here. */
static void S_admit(struct http_server *srv, struct request_ctx *x, struct http_res *res)
{
	struct http_req *req = &x->req;
	const char *cl = http_req_header(req, "Content-Length");
	const char *te = http_req_header(req, "Transfer-Encoding");
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	char allow[96];
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	x->has_body = declared > 0 || te;
	/* Two framings make the message's end ambiguous: a proxy in front may
	 * read another request into it (RFC 9112 section 6.3). */
	if (cl && te) {
		http_res_header(res, "Connection", "close");
		rc = mc_fail(&err, MC_ERR_INVALID, "ambiguous_framing",
			     "Content-Length and Transfer-Encoding must not both be sent");
		goto fail;
	}
	if (req->method == HTTP_OPTIONS && x->match.allowed) {
		/* CORS preflight; answered for allowed origins only. */
		int credentials;

		router_allow_header(x->match.allowed, allow, sizeof(allow));
		http_res_empty(res, 204);
		if (!admit_allowed_origin(srv, req, &credentials)) {
			http_res_header_text(res, "Allow", allow);
			goto out;
		}
		http_res_header_text(res, "Access-Control-Allow-Methods", allow);
		http_res_header(res, "Access-Control-Allow-Headers",
				"Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-Id, traceparent");
		http_res_header(res, "Access-Control-Max-Age", "600");
		goto out;
	}
	rc = admit_rate_limit(srv, req, res, x->start_us, &err);
	if (rc)
		goto fail;
	if (!req->route) {
		if (x->match.allowed) {
			router_allow_header(x->match.allowed, allow, sizeof(allow));
			http_res_header_text(res, "Allow", allow);
			rc = mc_fail(&err, MC_ERR_METHOD, "method_not_allowed", "%s is not allowed on %s",
				     req->method_name, req->path);
			goto fail;
		}
		rc = mc_fail(&err, MC_ERR_NOT_FOUND, "no_route", "no route for %s %s", req->method_name, req->path);
		goto fail;
	}
	if (declared > x->limit) {
		rc = mc_fail(&err, MC_ERR_TOO_LARGE, "body_too_large", "request body exceeds %zu bytes", x->limit);
		goto fail;
	}
	rc = admit_authenticate(srv, req, &err);
	if (rc)
		goto fail;
	/* A declared body is reserved whole, before a byte of it is read. */
	if (declared && !guard_body_reserve(srv->guard, (size_t)declared)) {
		rc = mc_fail(&err, MC_ERR_BUSY, "server_busy", "too many uploads in progress; retry shortly");
		goto fail;
	}
	x->reserved = (size_t)declared;
	goto out;
fail:
	http_res_error(res, rc, &err);
out:
	mc_error_release(&err);
}

/* Buffers a piece of the body within the route's limit and the budget;
 * past either, the body is dropped and the answer is the refusal. */
static void S_take_body(struct http_server *srv, struct request_ctx *x, const char *data, size_t n)
{
	size_t want = x->body.len + n;

	if (x->early.status)
		return;
	if (want > x->limit)
		http_res_problem(&x->early, MC_ERR_TOO_LARGE, "body_too_large", "request body exceeds the limit");
	else if (want > x->reserved && !guard_body_reserve(srv->guard, want - x->reserved))
		http_res_problem(&x->early, MC_ERR_BUSY, "server_busy", "too many uploads in progress; retry shortly");
	else if (want > x->reserved)
		x->reserved = want;
	if (!x->early.status)
		strbuf_add(&x->body, data, n);
	else
		strbuf_release(&x->body);
}

static void S_dispatch(struct request_ctx *x, struct http_res *res)
{
	struct http_req *req = &x->req;

	req->body = x->body.buf;
	req->body_len = x->body.len;
	req->route->handler(req, res);
	if (!res->status) {
		log_error("http", "handler for %s %s set no response", req->method_name, req->route->pattern);
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "no response");
	}
}

static void S_access_log(struct http_server *srv, struct request_ctx *x, int status, size_t len)
{
	struct http_req *req = &x->req;
	char ts[32];
	strbuf sb;

	if (!srv->opts.access_log && status < 500)
		return;
	if (req->route && (req->route->flags & ROUTE_PROBE) && status < 500)
		return;
	clock_format_rfc3339(clock_now(), ts, sizeof(ts));
	strbuf_init(&sb);
	strbuf_addf(&sb, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"access\",\"method\":\"%s\",\"path\":",
		    ts, status >= 500 ? "error" : "info", req->method_name);
	strbuf_add_json_string(&sb, req->path);
	strbuf_addf(&sb, ",\"status\":%d,\"bytes\":%zu,\"us\":%" PRId64 ",\"requestId\":\"%s\",\"ip\":\"%s\"",
		    status, len, clock_mono_us() - x->start_us, req->request_id, req->client_ip);
	if (req->authenticated)
		strbuf_addf(&sb, ",\"user\":%" PRId64, req->auth.user_id);
	strbuf_addch(&sb, '}');
	if (!sb.failed)
		log_line(sb.buf, sb.len);
	strbuf_release(&sb);
}

static struct MHD_Response *S_response(struct http_server *srv, struct request_ctx *x, struct http_res *res)
{
	struct http_req *req = &x->req;
	struct MHD_Response *r;
	const char *origin;
	int credentials;

	if (res->body_release)
		r = MHD_create_response_from_buffer_with_free_callback_cls(res->len, res->body,
									    res->body_release,
									    res->body_release_cls);
	else if (res->body_static)
		r = MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer_with_free_callback(res->len, res->body, free);
	if (!r) {
		http_res_release_body(res);
		return NULL;
	}
	/* The response owns the body now. */
	res->body_release = NULL;
	res->body_static = 1;
	if (res->content_type && res->len)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	MHD_add_response_header(r, "X-Request-Id", req->request_id);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (!res->cacheable)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	/* Every answer depends on Origin, allowed or not: a shared cache must
	 * not hand one origin's answer to another. */
	MHD_add_response_header(r, "Vary", "Origin");
	origin = admit_allowed_origin(srv, req, &credentials);
	if (origin) {
		MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
		if (credentials)
			MHD_add_response_header(r, "Access-Control-Allow-Credentials", "true");
		MHD_add_response_header(r, "Access-Control-Expose-Headers",
					"ETag, Location, Retry-After, WWW-Authenticate, X-Request-Id, RateLimit-Limit, "
					"RateLimit-Remaining, RateLimit-Reset");
	}
	for (int i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	/* The storefront's pages bring their own policy; everything else is data. */
	if (!MHD_get_response_header(r, "Content-Security-Policy"))
		MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
	return r;
}

static enum MHD_Result S_queue(struct http_server *srv, struct request_ctx *x, struct MHD_Response *r, int status,
			       size_t len)
{
	enum MHD_Result ret = MHD_queue_response(x->req.conn, (unsigned)status, r);

	MHD_destroy_response(r);
	metrics_request(x->req.route ? (size_t)(x->req.route - srv->opts.routes) : MC_MAX_ROUTES, status,
			clock_mono_us() - x->start_us);
	S_access_log(srv, x, status, len);
	return ret;
}

/* Sends a held answer: the access handler runs again once resumed. */
static void S_release_held(struct request_ctx *x, mc_rc rc, const char *why)
{
	x->held_rc = rc;
	x->held_why = why;
	MHD_resume_connection(x->req.conn);
	http_loop_wake(x->loop);
}

/* On the ticket queue's thread: the commit is on disk (or failed). */
static void S_durable_done(void *item, mc_rc rc)
{
	S_release_held(item, rc, "the commit could not be flushed to disk");
}

/* The batch committed (rc MC_OK, and on disk once ticket is reached) or
 * failed: every answer waiting for it goes out, or becomes rc. */
static void S_batch_end(struct http_server *srv, mc_rc rc, uint64_t ticket)
{
	struct request_ctx *x = batch.head, *next;

	if (!rc && batch.n) {
		metrics_inc(METRIC_WRITE_BATCHES);
		metrics_add(METRIC_WRITE_BATCH_REQUESTS, (uint64_t)batch.n);
	}
	batch.head = NULL;
	batch.n = 0;
	for (; x; x = next) {
		next = x->next_held;
		x->next_held = NULL;
		if (rc)
			S_release_held(x, rc, "the transaction could not be committed; retry");
		else if (ticket && ticket_queue_add(srv->durable, x, ticket))
			S_durable_done(x, srv->opts.durable_wait(ticket));
		else if (!ticket)
			S_release_held(x, MC_OK, NULL);
	}
}

static void S_batch_commit(struct http_server *srv)
{
	uint64_t ticket = 0;
	mc_rc rc = srv->opts.batch_commit(&ticket);

	S_batch_end(srv, rc, ticket);
}

static enum MHD_Result S_send(struct http_server *srv, struct request_ctx *x, struct http_res *res)
{
	struct MHD_Response *r = S_response(srv, x, res);
	int lost = 0, joined = srv->opts.batch_joined ? srv->opts.batch_joined(&lost) : 0;

	/* The batch this request's failure rolled back took earlier answers with it. */
	if (lost)
		S_batch_end(srv, MC_ERR_UNAVAILABLE, 0);
	if (!r)
		return MHD_NO;
	if (!joined)
		return S_queue(srv, x, r, res->status, res->len);
	/* Anything read or written in the batch is told once it commits:
	 * serve other connections meanwhile, and S_access sends the held
	 * answer when the batch resumes this one. */
	x->held = r;
	x->held_status = res->status;
	x->held_len = res->len;
	MHD_suspend_connection(x->req.conn);
	x->next_held = batch.head;
	batch.head = x;
	if (++batch.n >= MC_BATCH_MAX)
		S_batch_commit(srv);
	return MHD_YES;
}

/* The resumed call for a held answer. A failed flush after the commit
 * means it may not survive a power loss, so say 500. */
static enum MHD_Result S_send_held(struct http_server *srv, struct request_ctx *x)
{
	struct MHD_Response *r = x->held;
	struct http_res res;

	x->held = NULL;
	if (!x->held_rc)
		return S_queue(srv, x, r, x->held_status, x->held_len);
	MHD_destroy_response(r);
	memset(&res, 0, sizeof(res));
	res.request_id = x->req.request_id;
	http_res_problem(&res, x->held_rc, NULL, x->held_why);
	r = S_response(srv, x, &res);
	return r ? S_queue(srv, x, r, res.status, res.len) : MHD_NO;
}

/* The first call of a request: route, authenticate and reserve from the
 * headers alone. A refusal of a request with a body goes out now, so no
 * 100 Continue is sent and no byte of the body is read (libmicrohttpd then
 * closes the connection). */
static enum MHD_Result S_begin(struct http_server *srv, struct MHD_Connection *conn, const char *url,
			       const char *method, void **con_cls)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct request_ctx *x = spares_take(sizeof(*x));

	if (!x)
		return MHD_NO;
	x->start_us = clock_mono_us();
	x->loop = http_loop_current();
	x->conn = ci ? ci->socket_context : NULL;
	x->req.conn = conn;
	x->req.path = url;
	x->req.method = router_method(method);
	x->req.method_name = x->req.method ? method : "OTHER";
	strbuf_init(&x->body);
	if (!router_match(&srv->router, x->req.method, url, &x->match)) {
		x->req.route = x->match.route;
		x->req.nparams = x->match.nparams;
		memcpy(x->req.params, x->match.params, sizeof(x->req.params));
	}
	x->limit = x->req.route && x->req.route->max_body ? x->req.route->max_body : MC_MAX_BODY;
	http_req_identify(&x->req);
	http_req_client(&x->req, guard_conn_peer(x->conn), srv->proxies, srv->nproxies);
	x->early.request_id = x->req.request_id;
	*con_cls = x;
	S_admit(srv, x, &x->early);
	if (x->early.status && x->has_body) {
		http_res_header(&x->early, "Connection", "close");
		x->early_sent = 1;
		return S_send(srv, x, &x->early);
	}
	return MHD_YES;
}

static enum MHD_Result S_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				const char *version, const char *upload_data, size_t *upload_size,
				void **con_cls)
{
	struct http_server *srv = cls;
	struct request_ctx *x = *con_cls;
	struct http_res res;

	if (x && x->held)
		return S_send_held(srv, x);
	if (x && x->early_sent) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!x)
		return S_begin(srv, conn, url, method, con_cls);
	if (*upload_size) {
		S_take_body(srv, x, upload_data, *upload_size);
		*upload_size = 0;
		return x->body.failed ? MHD_NO : MHD_YES;
	}
	guard_request_read(srv->guard, x->conn);
	if (x->early.status)
		return S_send(srv, x, &x->early);
	/* The headers the first call set (RateLimit-*), with no body yet. */
	res = x->early;
	S_dispatch(x, &res);
	return S_send(srv, x, &res);
}

static void S_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct request_ctx *x = *con_cls;

	if (!x)
		return;
	/* A client gone while its answer waited for the disk. */
	if (x->held)
		MHD_destroy_response(x->held);
	http_res_release_body(&x->early);
	guard_body_release(srv->guard, x->reserved);
	guard_request_done(srv->guard, x->conn, clock_mono_us());
	json_decref(x->req.json);
	strbuf_release(&x->body);
	spares_give(x);
	*con_cls = NULL;
}

/* --- event loops ------------------------------------------------------ */

static struct MHD_Daemon *S_daemon(void *cls, int listen_fd, unsigned max_connections)
{
	struct http_server *srv = cls;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;

	return MHD_start_daemon(
		flags, 0, admit_accept, srv, S_access, srv,
		MHD_OPTION_EXTERNAL_LOGGER, admit_mhd_log, srv,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)MC_CONN_IDLE_TIMEOUT,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MC_MAX_HEADER_BYTES,
		MHD_OPTION_NOTIFY_COMPLETED, S_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, admit_connection, srv,
		MHD_OPTION_URI_LOG_CALLBACK, admit_request_line, srv,
		MHD_OPTION_END);
}

static void S_thread_init(void *cls)
{
	struct http_server *srv = cls;

	if (srv->opts.batch_enable)
		srv->opts.batch_enable(1);
}

/* Every request that was ready has run: its batch commits. */
static void S_turn_end(void *cls)
{
	struct http_server *srv = cls;

	if (srv->opts.batch_commit)
		S_batch_commit(srv);
}

mc_rc http_server_start(const struct http_server_opts *opts, struct http_server **out, char *errbuf,
			size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	struct sockaddr_storage ss;
	socklen_t sslen;
	long threads = opts->threads > 0 ? opts->threads : sysconf(_SC_NPROCESSORS_ONLN);
	char why[128];

	if (!srv) {
		snprintf(errbuf, errlen, "out of memory");
		return MC_ERR_INTERNAL;
	}
	srv->opts = *opts;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, opts->host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)opts->port);
		sslen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, opts->host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)opts->port);
		sslen = sizeof(struct sockaddr_in6);
	} else {
		snprintf(errbuf, errlen, "MERCATO_HOST %s is not an IPv4 or IPv6 address", opts->host);
		goto fail;
	}
	srv->nproxies = mc_parse_list(opts->trusted_proxies, &srv->proxies[0][0], sizeof(srv->proxies[0]),
				      MC_LIST_ITEMS_MAX);
	srv->norigins = mc_parse_list(opts->cors_origins, &srv->origins[0][0], sizeof(srv->origins[0]),
				      MC_LIST_ITEMS_MAX);
	if (srv->nproxies < 0 || srv->norigins < 0) {
		snprintf(errbuf, errlen, "more than %d trusted proxies or CORS origins, or one too long",
			 MC_LIST_ITEMS_MAX);
		goto fail;
	}
	if (router_init(&srv->router, opts->routes, opts->nroutes, errbuf, errlen))
		goto fail;
	for (size_t i = 0; i < opts->nroutes; i++)
		metrics_route(i, router_method_name(opts->routes[i].method), opts->routes[i].pattern);
	srv->rate = ratelimit_new((double)opts->rate_per_sec, opts->rate_burst);
	srv->auth_rate = ratelimit_new((double)opts->auth_rate_per_min / 60.0, opts->auth_rate_per_min);
	if (!srv->rate || !srv->auth_rate) {
		snprintf(errbuf, errlen, "out of memory");
		goto fail;
	}
	if (guard_start(&(struct guard_opts){ .max_per_address = opts->max_conn_per_ip,
					      .request_us = (int64_t)opts->request_timeout * 1000000,
					      .idle_us = (int64_t)MC_CONN_IDLE_TIMEOUT * 1000000,
					      .body_budget = MC_BODY_BUDGET },
			&srv->guard)) {
		snprintf(errbuf, errlen, "cannot start the connection guard");
		goto fail;
	}
	if (opts->durable_wait && ticket_queue_start(opts->durable_wait, S_durable_done, &srv->durable)) {
		snprintf(errbuf, errlen, "cannot start the durable-answer thread");
		goto fail;
	}
	if (threads < 1)
		threads = 1;
	if (http_loops_start((struct sockaddr *)&ss, sslen, (int)threads, MC_MAX_CONNECTIONS,
			     &(struct http_loop_hooks){ .cls = srv, .daemon = S_daemon, .thread_init = S_thread_init,
							.turn_end = S_turn_end },
			     &srv->loops, why, sizeof(why))) {
		snprintf(errbuf, errlen, "cannot listen on %s:%d: %s", opts->host, opts->port, why);
		goto fail;
	}
	*out = srv;
	return MC_OK;
fail:
	ticket_queue_stop(srv->durable);
	guard_stop(srv->guard);
	router_release(&srv->router);
	ratelimit_free(srv->rate);
	ratelimit_free(srv->auth_rate);
	free(srv);
	return MC_ERR_INTERNAL;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* Stop accepting; let requests in flight finish (bounded wait). */
	http_loops_quiesce(srv->loops);
	/* Resumes every held answer: libmicrohttpd must not stop with
	 * suspended connections. */
	ticket_queue_stop(srv->durable);
	http_loops_free(srv->loops);
	/* Closing the connections finished their requests on this thread. */
	spares_drop();
	guard_stop(srv->guard);
	router_release(&srv->router);
	ratelimit_free(srv->rate);
	ratelimit_free(srv->auth_rate);
	free(srv);
}
