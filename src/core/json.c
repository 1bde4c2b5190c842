#include "core/json.h"

#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"

/* jansson's depth limit is a compile-time 2048; ours is a pre-scan. */
static int S_depth_ok(const char *p, size_t len)
{
	int depth = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if ((c == '{' || c == '[') && ++depth > MC_JSON_MAX_DEPTH)
			return 0;
		else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

mc_rc json_parse_body(const char *buf, size_t len, json_t **out, mc_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (!buf || !len)
		return mc_fail(err, MC_ERR_INVALID, "invalid_json", "a JSON object body is required");
	if (!S_depth_ok(buf, len))
		return mc_fail(err, MC_ERR_INVALID, "invalid_json", "JSON nested deeper than %d levels",
			       MC_JSON_MAX_DEPTH);
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return mc_fail(err, MC_ERR_INVALID, "invalid_json", "malformed JSON at line %d column %d: %s",
			       jerr.line, jerr.column, jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return mc_fail(err, MC_ERR_INVALID, "invalid_json", "the body must be a JSON object");
	}
	*out = j;
	return MC_OK;
}

mc_rc json_allow_only(json_t *obj, const char *const *allowed, mc_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		int ok = 0;

		for (const char *const *a = allowed; *a; a++)
			if (!strcmp(*a, key)) {
				ok = 1;
				break;
			}
		if (!ok) {
			mc_error_field(err, key, "is not accepted on this endpoint");
			return mc_fail(err, MC_ERR_INVALID, "field_not_allowed",
				       "field '%.40s' cannot be set by the client", key);
		}
	}
	return MC_OK;
}

long utf8_length(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	for (size_t len; *p; p += len, n++) {
		len = utf8_char_len(p);
		if (!len)
			return -1;
	}
	return n;
}

int json_get_str(json_t *obj, const char *key, size_t minlen, size_t maxlen, int required,
		 const char **out, mc_error *err)
{
	json_t *v = json_object_get(obj, key);
	long n;

	if (!v || json_is_null(v)) {
		if (required)
			mc_error_field(err, key, "is required");
		return 0;
	}
	if (!json_is_string(v)) {
		mc_error_field(err, key, "must be a string");
		return -1;
	}
	n = utf8_length(json_string_value(v));
	/* jansson rejects embedded NULs unless asked; length in bytes bounds storage. */
	if (n < 0 || json_string_length(v) != strlen(json_string_value(v))) {
		mc_error_field(err, key, "must be valid UTF-8 text");
		return -1;
	}
	if ((size_t)n < minlen || (size_t)n > maxlen) {
		mc_error_field(err, key, "must be %zu to %zu characters", minlen, maxlen);
		return -1;
	}
	*out = json_string_value(v);
	return 1;
}

int json_get_int(json_t *obj, const char *key, int64_t min, int64_t max, int required,
		 int64_t *out, mc_error *err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (!v || json_is_null(v)) {
		if (required)
			mc_error_field(err, key, "is required");
		return 0;
	}
	if (!json_is_integer(v)) {
		mc_error_field(err, key, "must be an integer");
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		mc_error_field(err, key, "must be between %lld and %lld", (long long)min, (long long)max);
		return -1;
	}
	*out = n;
	return 1;
}

int json_get_bool(json_t *obj, const char *key, int required, int *out, mc_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v)) {
		if (required)
			mc_error_field(err, key, "is required");
		return 0;
	}
	if (!json_is_boolean(v)) {
		mc_error_field(err, key, "must be true or false");
		return -1;
	}
	*out = json_is_true(v);
	return 1;
}
