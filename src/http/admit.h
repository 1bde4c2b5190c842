/* What is decided before a request runs (admit.c), for server.c. */
#ifndef MC_HTTP_ADMIT_H
#define MC_HTTP_ADMIT_H

#include <microhttpd.h>
#include <stdarg.h>
#include <sys/socket.h>

#include "core/result.h"
#include "http/http.h"

struct http_server;

/* Whether the peer is one of MERCATO_TRUSTED_PROXIES. */
int admit_trusted_proxy(struct http_server *srv, const struct sockaddr *sa);
/* The Access-Control-Allow-Origin value for the request, NULL when its
 * origin is not allowed; *credentials when it may send them. */
const char *admit_allowed_origin(struct http_server *srv, struct http_req *req, int *credentials);
/* The bearer token against the route's access level. */
mc_rc admit_authenticate(struct http_server *srv, struct http_req *req, mc_error *err);
/* Takes the request's share of the rate limits at now_us (its start) and
 * reports where the client stands in res's headers. */
mc_rc admit_rate_limit(struct http_server *srv, struct http_req *req, struct http_res *res, int64_t now_us,
		       mc_error *err);

/* libmicrohttpd's callbacks (cls is the server). */
enum MHD_Result admit_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
void admit_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
		      enum MHD_ConnectionNotificationCode code);
void *admit_request_line(void *cls, const char *uri, struct MHD_Connection *conn);
void admit_mhd_log(void *cls, const char *fmt, va_list ap);

#endif
