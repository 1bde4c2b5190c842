#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits "/a/b/c" into segments; returns the count or -1 if too deep.
 * Empty segments (double or trailing slashes) are not allowed except for "/". */
static int S_split(const char *path, struct router_seg *segs, int max)
{
	int n = 0;
	const char *p = path;

	if (*p != '/')
		return -1;
	while (*p == '/') {
		const char *start = ++p;

		while (*p && *p != '/')
			p++;
		if (p == start) {
			if (*p)
				return -1;   /* "//" */
			break;           /* trailing "/" */
		}
		if (n >= max)
			return -1;
		segs[n].text = start;
		segs[n].len = (size_t)(p - start);
		n++;
	}
	return n;
}

/* Every path `later` matches, `earlier` matches too. */
static int S_covers(const struct router_entry *earlier, const struct router_entry *later)
{
	if (earlier->nsegs != later->nsegs)
		return 0;
	for (int k = 0; k < earlier->nsegs; k++) {
		const struct router_seg *a = &earlier->segs[k], *b = &later->segs[k];

		if (!a->text)
			continue;
		if (!b->text || a->len != b->len || memcmp(a->text, b->text, a->len))
			return 0;
	}
	return 1;
}

mc_rc router_init(struct router *r, const struct route *routes, size_t n, char *errbuf, size_t errlen)
{
	r->entries = NULL;
	r->n = 0;
	if (n > MC_MAX_ROUTES) {
		snprintf(errbuf, errlen, "%zu routes, more than MC_MAX_ROUTES (%d)", n, MC_MAX_ROUTES);
		return MC_ERR_INVALID;
	}
	r->entries = calloc(n ? n : 1, sizeof(*r->entries));
	r->n = n;
	if (!r->entries) {
		snprintf(errbuf, errlen, "out of memory");
		r->n = 0;
		return MC_ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		struct router_entry *e = &r->entries[i];
		int nparams = 0;

		e->route = &routes[i];
		e->nsegs = S_split(routes[i].pattern, e->segs, MC_MAX_PATH_SEGMENTS);
		if (e->nsegs < 0) {
			snprintf(errbuf, errlen, "bad route pattern %s", routes[i].pattern);
			goto fail;
		}
		for (int k = 0; k < e->nsegs; k++) {
			if (e->segs[k].text[0] == ':') {
				e->segs[k].text = NULL;
				if (++nparams > MC_MAX_PATH_PARAMS) {
					snprintf(errbuf, errlen, "too many parameters in %s", routes[i].pattern);
					goto fail;
				}
			}
		}
		/* First match wins: a route an earlier one covers could never run. */
		for (size_t j = 0; j < i; j++) {
			if (r->entries[j].route->method == e->route->method && S_covers(&r->entries[j], e)) {
				snprintf(errbuf, errlen, "route %s is shadowed by %s listed before it", routes[i].pattern,
					 routes[j].pattern);
				goto fail;
			}
		}
	}
	return MC_OK;
fail:
	router_release(r);
	return MC_ERR_INVALID;
}

void router_release(struct router *r)
{
	free(r->entries);
	r->entries = NULL;
	r->n = 0;
}

static int S_entry_matches(const struct router_entry *e, const struct router_seg *segs, int nsegs)
{
	if (e->nsegs != nsegs)
		return 0;
	for (int k = 0; k < nsegs; k++) {
		if (!e->segs[k].text)
			continue;
		if (e->segs[k].len != segs[k].len || memcmp(e->segs[k].text, segs[k].text, segs[k].len))
			return 0;
	}
	return 1;
}

int router_match(const struct router *r, unsigned method, const char *path, struct router_match *m)
{
	struct router_seg segs[MC_MAX_PATH_SEGMENTS];
	unsigned want = method == HTTP_HEAD ? HTTP_GET : method;
	int nsegs = S_split(path, segs, MC_MAX_PATH_SEGMENTS);

	m->route = NULL;
	m->allowed = 0;
	m->nparams = 0;
	if (nsegs < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct router_entry *e = &r->entries[i];
		size_t used = 0;

		if (!S_entry_matches(e, segs, nsegs))
			continue;
		m->allowed |= e->route->method;
		if (e->route->method != want || m->route)
			continue;
		/* Literal segments win over parameters because the table lists them first. */
		for (int k = 0; k < nsegs; k++) {
			if (e->segs[k].text)
				continue;
			if (used + segs[k].len + 1 > sizeof(m->buf)) {
				/* Parameters too long for any real id: no such resource. */
				m->allowed = 0;
				m->nparams = 0;
				return -1;
			}
			memcpy(m->buf + used, segs[k].text, segs[k].len);
			m->buf[used + segs[k].len] = '\0';
			m->params[m->nparams++] = m->buf + used;
			used += segs[k].len + 1;
		}
		m->route = e->route;
	}
	if (m->allowed & HTTP_GET)
		m->allowed |= HTTP_HEAD;
	return m->route ? 0 : -1;
}

/* The methods routes use, in the order an Allow header lists them. */
static const struct {
	const char *name;
	unsigned m;
} names[] = {
	{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST }, { "PUT", HTTP_PUT },
	{ "PATCH", HTTP_PATCH }, { "DELETE", HTTP_DELETE }, { "OPTIONS", HTTP_OPTIONS },
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

void router_allow_header(unsigned methods, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NNAMES; i++) {
		int n;

		if (!(methods & names[i].m))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}


unsigned router_method(const char *name)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (!strcmp(names[i].name, name))
			return names[i].m;
	return 0;
}

const char *router_method_name(unsigned m)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].m == m)
			return names[i].name;
	return "OTHER";
}
