/* Matches a method and path against the route table. Patterns are split
 * into segments once; ":name" segments capture path parameters. */
#ifndef MC_ROUTER_H
#define MC_ROUTER_H

#include "http/http.h"

struct router_seg {
	const char *text; /* NULL for a parameter */
	size_t len;
};

struct router_entry {
	const struct route *route;
	int nsegs;
	struct router_seg segs[MC_MAX_PATH_SEGMENTS];
};

struct router {
	struct router_entry *entries;
	size_t n;
};

/* MC_ERR_INVALID, naming the culprit in errbuf, for a table longer than
 * MC_MAX_ROUTES, a malformed pattern, or a route that an earlier one of the
 * same method shadows (matches every path it matches); MC_ERR_INTERNAL
 * when out of memory. */
mc_rc router_init(struct router *r, const struct route *routes, size_t n, char *errbuf, size_t errlen);
void router_release(struct router *r);

struct router_match {
	const struct route *route;   /* NULL: no route for this method */
	unsigned allowed;            /* methods that match the path (for 405 + Allow) */
	int nparams;
	const char *params[MC_MAX_PATH_PARAMS];
	char buf[256];               /* parameter storage */
};

/* Returns 0 when a route matched; otherwise m->allowed tells 404 (0) from 405. */
int router_match(const struct router *r, unsigned method, const char *path, struct router_match *m);
/* "GET, HEAD, POST" for an Allow header. */
void router_allow_header(unsigned methods, char *buf, size_t len);
/* HTTP_GET... for a method name, 0 for one no route uses; and back
 * ("OTHER" for 0). */
unsigned router_method(const char *name);
const char *router_method_name(unsigned m);

#endif
