/* Request bodies: mc_json_parse_body (depth limit, duplicate keys, object only),
 * then every field getter on every key the input has and on the names the
 * API reads, with bounds that make each check reachable. */
#include <jansson.h>

#include "core/json.h"
#include "fuzz.h"

static const char *const known[] = { "name", "email", "password", "price", "quantity", "stock",
				      "active", "code", "items", NULL };

static void S_read(json_t *obj, const char *key)
{
	mc_error err;
	const char *s;
	int64_t i;
	int b;

	mc_error_init(&err);
	if (mc_json_str(obj, key, 1, 8, true, &s, &err) && (!s || utf8_length(s) < 1 || utf8_length(s) > 8))
		abort();
	(void)mc_json_str(obj, key, 0, 4096, false, &s, &err);
	if (mc_json_int(obj, key, -5, 1000, true, &i, &err) && (i < -5 || i > 1000))
		abort();
	(void)mc_json_int(obj, key, INT64_MIN, INT64_MAX, false, &i, &err);
	if (mc_json_bool(obj, key, true, &b, &err) && b != 0 && b != 1)
		abort();
	mc_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *obj = NULL, *v;
	const char *key;
	mc_error err;
	char *s;

	mc_error_init(&err);
	if (!mc_json_parse_body((const char *)data, size, &obj, &err)) {
		if (!json_is_object(obj))
			abort();
		json_object_foreach(obj, key, v)
			S_read(obj, key);
		for (size_t i = 0; known[i]; i++)
			S_read(obj, known[i]);
		(void)mc_json_allow_only(obj, known, &err);
		json_decref(obj);
	}
	mc_error_release(&err);
	s = fuzz_cstr(data, size);
	(void)utf8_length(s);
	free(s);
	return 0;
}
