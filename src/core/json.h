/* JSON input helpers over jansson: bounded parsing and field extraction that
 * records a field error for every violation (so a client sees all of them). */
#ifndef MC_JSON_H
#define MC_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "core/result.h"

/* Parses a request body: depth-limited (MC_JSON_MAX_DEPTH), duplicate keys
 * rejected, must be an object. */
mc_rc json_parse_body(const char *buf, size_t len, json_t **out, mc_error *err);

/* Fails with a 400 naming the first key of `obj` that is not in `allowed`
 * (a NULL-terminated list). */
mc_rc json_allow_only(json_t *obj, const char *const *allowed, mc_error *err);

/* Field getters. They return 1 when the key is present and valid, 0 when it
 * is absent (and record "is required" when `required`), and -1 when it is
 * present but invalid (a field error is recorded). */
int json_get_str(json_t *obj, const char *key, size_t minlen, size_t maxlen, int required,
		 const char **out, mc_error *err);
int json_get_int(json_t *obj, const char *key, int64_t min, int64_t max, int required,
		 int64_t *out, mc_error *err);
int json_get_bool(json_t *obj, const char *key, int required, int *out, mc_error *err);

/* Counts UTF-8 code points; -1 if the string is not valid UTF-8. */
long utf8_length(const char *s);

#endif
