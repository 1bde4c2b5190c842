/* What is decided before a request runs: connections admitted or refused
 * (the guard's bounds, told by libmicrohttpd's callbacks), trusted proxies,
 * the CORS origin, credentials and rate limits. server.c calls these. */
#include "http/admit.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/identity.h"
#include "http/server_types.h"

int admit_trusted_proxy(struct http_server *srv, const struct sockaddr *sa)
{
	char ip[64];

	if (!srv->nproxies)
		return 0;
	http_addr_text(sa, ip, sizeof(ip));
	return http_addr_listed(ip, srv->proxies, srv->nproxies);
}

/* The Access-Control-Allow-Origin value, NULL when the origin is not
 * allowed. A listed origin is echoed and may send credentials (the guest
 * cart cookie, Authorization); "*" admits every origin without them, as the
 * Fetch standard demands. */
const char *admit_allowed_origin(struct http_server *srv, struct http_req *req, int *credentials)
{
	const char *origin = http_req_header(req, "Origin");
	int any = 0;

	*credentials = 0;
	if (!origin)
		return NULL;
	for (int i = 0; i < srv->norigins; i++) {
		if (!strcmp(srv->origins[i], origin)) {
			*credentials = 1;
			return origin;
		}
		any |= !strcmp(srv->origins[i], "*");
	}
	return any ? "*" : NULL;
}

mc_rc admit_authenticate(struct http_server *srv, struct http_req *req, mc_error *err)
{
	const char *h = http_req_header(req, "Authorization");
	const struct route *r = req->route;
	mc_rc rc;

	/* Probes read their own credentials (the metrics token). */
	if (h && !(r->flags & ROUTE_PROBE)) {
		if (strncasecmp(h, "Bearer ", 7) || strlen(h + 7) > MC_JWT_MAX)
			rc = mc_fail(err, MC_ERR_UNAUTHORIZED, "invalid_token",
				     "expected 'Authorization: Bearer <token>'");
		else
			rc = srv->opts.authenticate(h + 7, &req->auth, err);
		/* A stale or broken token on a public route reads as anonymous:
		 * an app holding an expired token can still show the catalog. */
		if (rc == MC_ERR_UNAUTHORIZED && r->auth == AUTH_PUBLIC) {
			mc_error_release(err);
			mc_error_init(err);
			memset(&req->auth, 0, sizeof(req->auth));
			return MC_OK;
		}
		if (rc)
			return rc;
		req->authenticated = 1;
	}
	if (r->auth == AUTH_PUBLIC)
		return MC_OK;
	if (!req->authenticated)
		return mc_fail(err, MC_ERR_UNAUTHORIZED, "unauthenticated", "a bearer token is required");
	if ((r->auth == AUTH_SELLER && req->auth.role != ROLE_SELLER && req->auth.role != ROLE_ADMIN) ||
	    (r->auth == AUTH_ADMIN && req->auth.role != ROLE_ADMIN))
		return mc_fail(err, MC_ERR_FORBIDDEN, "forbidden", "your role may not do this");
	return MC_OK;
}

/* Every limited answer says where the client stands (RateLimit-* headers,
 * draft-ietf-httpapi-ratelimit-headers), not only the 429: login and
 * register report the stricter login limiter unless the other one refused. */
mc_rc admit_rate_limit(struct http_server *srv, struct http_req *req, struct http_res *res, int64_t now_us,
		       mc_error *err)
{
	struct ratelimit_state st, auth_st;
	int auth_route = req->route && (req->route->flags & ROUTE_AUTH_RATE);
	int limited;

	if (req->route && (req->route->flags & ROUTE_PROBE))
		return MC_OK;
	limited = auth_route && ratelimit_take(srv->auth_rate, req->client_ip, now_us, &auth_st);
	if (!limited) {
		limited = ratelimit_take(srv->rate, req->client_ip, now_us, &st);
		if (!limited && auth_route)
			st = auth_st;
	} else {
		st = auth_st;
	}
	http_res_header_int(res, "RateLimit-Limit", st.limit);
	http_res_header_int(res, "RateLimit-Remaining", st.remaining);
	http_res_header_int(res, "RateLimit-Reset", st.reset);
	if (!limited)
		return MC_OK;
	err->retry_after = st.retry_after;
	return mc_fail(err, MC_ERR_RATE_LIMITED, "rate_limited", "too many requests; retry in %ld s",
		       st.retry_after);
}

/* Connections past the per-address cap are refused at accept. */
enum MHD_Result admit_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *srv = cls;

	return guard_admit(srv->guard, addr, admit_trusted_proxy(srv, addr)) ? MHD_YES : MHD_NO;
}

void admit_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *fd, *peer;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		guard_close(srv->guard, *socket_context);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	peer = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!fd || !peer)
		return;
	*socket_context = guard_open(srv->guard, fd->connect_fd, peer->client_addr,
				     admit_trusted_proxy(srv, peer->client_addr), clock_mono_us());
	/* Untracked, it would escape every deadline: drop it. */
	if (!*socket_context)
		shutdown(fd->connect_fd, SHUT_RDWR);
}

/* The request line has arrived: its deadline starts (a keep-alive
 * connection's next request). NULL keeps the first access call first. */
void *admit_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	guard_request_started(srv->guard, ci ? ci->socket_context : NULL, clock_mono_us());
	return NULL;
}

void admit_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_info("mhd", "%s", msg);
}
