/* JSON input helpers over jansson: bounded parsing and field extraction that
 * records a field error for every violation (so a client sees all of them). */
#ifndef MC_JSON_H
#define MC_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/result.h"

/* Parses a request body: depth-limited (MC_JSON_MAX_DEPTH), duplicate keys
 * rejected, must be an object. */
mc_rc mc_json_parse_body(const char *buf, size_t len, json_t **out, mc_error *err);

/* Fails with a 400 naming the first key of `obj` that is not in `allowed`
 * (a NULL-terminated list). */
mc_rc mc_json_allow_only(json_t *obj, const char *const *allowed, mc_error *err);

/* Field getters: true when the key is present and valid (*out is set).
 * A present but invalid value records a field error; an absent (or null)
 * one records "is required" when `required`. *out is untouched on false. */
bool mc_json_str(json_t *obj, const char *key, size_t minlen, size_t maxlen, bool required, const char **out,
		 mc_error *err);
bool mc_json_int(json_t *obj, const char *key, int64_t min, int64_t max, bool required, int64_t *out,
		 mc_error *err);
bool mc_json_bool(json_t *obj, const char *key, bool required, int *out, mc_error *err);
/* Whether the key is present and not null: picks between a field's
 * aliases, so an invalid value is reported, not replaced by the alias. */
bool mc_json_has(json_t *obj, const char *key);

/* Counts UTF-8 code points; -1 if the string is not valid UTF-8. */
long utf8_length(const char *s);

#endif
