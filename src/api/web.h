/* The storefront's files, embedded at build time (scripts/embed_web.sh ->
 * build/gen/web.c) and served by api/web.c. */
#ifndef MC_API_WEB_H
#define MC_API_WEB_H

#include <stddef.h>

struct web_file {
	const char *name;  /* base name, e.g. "app.js" */
	const char *data;
	size_t len;
};

extern const struct web_file mc_web_files[];
extern const size_t mc_web_nfiles;

#endif
