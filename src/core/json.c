#include "core/json.h"

#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"

/* jansson's depth limit is a compile-time 2048; ours is a pre-scan. */
static bool S_depth_ok(const char *p, size_t len)
{
	bool in_str = false;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if ((c == '{' || c == '[') && ++depth > MC_JSON_MAX_DEPTH)
			return false;
		else if (c == '}' || c == ']')
			depth--;
	}
	return true;
}

mc_rc mc_json_parse_body(const char *buf, size_t len, json_t **out, mc_error *err)
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

mc_rc mc_json_allow_only(json_t *obj, const char *const *allowed, mc_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		bool ok = false;

		for (const char *const *a = allowed; *a; a++)
			if (!strcmp(*a, key)) {
				ok = true;
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

bool mc_json_has(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v);
}

/* The value of a present key, or NULL after recording "is required". */
static json_t *S_value(json_t *obj, const char *key, bool required, mc_error *err)
{
	if (mc_json_has(obj, key))
		return json_object_get(obj, key);
	if (required)
		mc_error_field(err, key, "is required");
	return NULL;
}

bool mc_json_str(json_t *obj, const char *key, size_t minlen, size_t maxlen, bool required, const char **out,
		 mc_error *err)
{
	json_t *v = S_value(obj, key, required, err);
	long n;

	if (!v)
		return false;
	if (!json_is_string(v)) {
		mc_error_field(err, key, "must be a string");
		return false;
	}
	n = utf8_length(json_string_value(v));
	/* jansson rejects embedded NULs unless asked; length in bytes bounds storage. */
	if (n < 0 || json_string_length(v) != strlen(json_string_value(v))) {
		mc_error_field(err, key, "must be valid UTF-8 text");
		return false;
	}
	if ((size_t)n < minlen || (size_t)n > maxlen) {
		mc_error_field(err, key, "must be %zu to %zu characters", minlen, maxlen);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

bool mc_json_int(json_t *obj, const char *key, int64_t min, int64_t max, bool required, int64_t *out,
		 mc_error *err)
{
	json_t *v = S_value(obj, key, required, err);
	json_int_t n;

	if (!v)
		return false;
	if (!json_is_integer(v)) {
		mc_error_field(err, key, "must be an integer");
		return false;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		mc_error_field(err, key, "must be between %lld and %lld", (long long)min, (long long)max);
		return false;
	}
	*out = n;
	return true;
}

bool mc_json_bool(json_t *obj, const char *key, bool required, int *out, mc_error *err)
{
	json_t *v = S_value(obj, key, required, err);

	if (!v)
		return false;
	if (!json_is_boolean(v)) {
		mc_error_field(err, key, "must be true or false");
		return false;
	}
	*out = json_is_true(v);
	return true;
}
