/* A request's identity (identity.c): its id and its client's address. */
#ifndef MC_HTTP_IDENTITY_H
#define MC_HTTP_IDENTITY_H

#include <stddef.h>
#include <sys/socket.h>

#include "http/http.h"

/* req->request_id: a valid traceparent's trace id, else the client's
 * X-Request-Id when it is one we would write, else a fresh one. */
void http_req_identify(struct http_req *req);
/* req->client_ip: the peer's address (as text), or, when the peer is one
 * of the trusted proxies, the client X-Forwarded-For names (see below). */
void http_req_client(struct http_req *req, const char *peer, char proxies[][MC_PROXY_ADDR_LEN], int nproxies);

/* A socket address as text ("unknown" for other families). */
void http_addr_text(const struct sockaddr *sa, char *out, size_t len);
/* 1 when the address text v is one of the n in list. */
int http_addr_listed(const char *v, char list[][MC_PROXY_ADDR_LEN], int n);
/* The client behind trusted proxies: walking X-Forwarded-For from the
 * right, the first hop not in `proxies` (else the leftmost usable hop) is
 * written to `client`; left as it is when the header has no usable hop. */
void http_forwarded_client(const char *xff, char proxies[][MC_PROXY_ADDR_LEN], int nproxies, char *client,
			   size_t len);

#endif
