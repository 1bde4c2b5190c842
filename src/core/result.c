#include "core/result.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

void mc_error_init(mc_error *e)
{
	memset(e, 0, sizeof(*e));
}

void mc_error_release(mc_error *e)
{
	if (e->extra)
		json_decref((json_t *)e->extra);
	e->extra = NULL;
}

/* Drops what is not whole UTF-8 characters: the bounded copies (and a
 * "%.40s") can cut a character, and one invalid byte would make the whole
 * problem body unencodable. */
static void S_utf8_clean(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r) {
		size_t n = utf8_char_len(r);

		if (!n) {
			r++;
			continue;
		}
		memmove(w, r, n);
		w += n;
		r += n;
	}
	*w = '\0';
}

mc_rc mc_fail(mc_error *e, mc_rc rc, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return rc;
	e->code = code;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
		S_utf8_clean(e->detail);
	}
	return rc;
}

void mc_error_field(mc_error *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->nfields >= MC_ERR_MAX_FIELDS)
		return;
	snprintf(e->fields[e->nfields].field, sizeof(e->fields[0].field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->fields[e->nfields].message, sizeof(e->fields[0].message), fmt, ap);
	va_end(ap);
	S_utf8_clean(e->fields[e->nfields].field);
	S_utf8_clean(e->fields[e->nfields].message);
	e->nfields++;
}

mc_rc mc_error_fields_result(mc_error *e)
{
	if (!e->nfields)
		return MC_OK;
	return mc_fail(e, MC_ERR_INVALID, "validation_failed", "%s: %s", e->fields[0].field,
		       e->fields[0].message);
}
