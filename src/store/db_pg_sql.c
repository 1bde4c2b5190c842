/* The PostgreSQL driver's SQL text: statements are written once, with
 * SQLite's `?` placeholders, and PostgreSQL wants $1..$n. */
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "store/db_driver.h"

_Static_assert(MC_DB_MAX_PARAMS < 100, "a placeholder is at most three characters");

static int S_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Letters, digits, _ and non-ASCII bytes continue an identifier. */
static int S_ident_char(char c)
{
	return c == '_' || (unsigned char)c >= 0x80 || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || S_digit(c);
}

int db_pg_rewrite(const char *sql, char *out)
{
	const char *p = sql;
	int n = 0;

	while (*p) {
		if (*p == '?') {
			if (++n > MC_DB_MAX_PARAMS)
				return -1;
			/* At most "$32": MC_DB_MAX_PARAMS has two digits. */
			out += snprintf(out, 4, "$%d", n);
			p++;
		} else if (*p == '\'' || *p == '"') {
			/* E'...' strings also end only at an unescaped quote. */
			int bs = *p == '\'' && p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
				 (p - 1 == sql || !S_ident_char(p[-2]));
			char q = *p;

			*out++ = *p++;
			while (*p && *p != q) {
				if (bs && *p == '\\' && p[1])
					*out++ = *p++;
				*out++ = *p++;
			}
			if (*p)
				*out++ = *p++; /* a doubled quote reopens on the next turn */
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				*out++ = *p++;
		} else if (p[0] == '/' && p[1] == '*') {
			int depth = 0; /* PostgreSQL block comments nest */

			do {
				if (p[0] == '/' && p[1] == '*')
					depth++;
				else if (p[0] == '*' && p[1] == '/')
					depth--;
				else {
					*out++ = *p++;
					continue;
				}
				*out++ = *p++;
				*out++ = *p++;
			} while (*p && depth > 0);
		} else if (*p == '$' && (p == sql || !S_ident_char(p[-1]))) {
			/* Dollar quoting: $tag$ ... $tag$ (tag may be empty). */
			const char *t = p + 1;
			size_t tl;
			const char *end;

			while (S_ident_char(*t) && !(t == p + 1 && S_digit(*t)))
				t++;
			if (*t != '$') {
				*out++ = *p++;
				continue;
			}
			tl = (size_t)(t - p + 1);
			end = strchr(t + 1, '$');
			while (end && strncmp(end, p, tl))
				end = strchr(end + 1, '$');
			end = end ? end + tl : p + strlen(p);
			memcpy(out, p, (size_t)(end - p));
			out += end - p;
			p = end;
		} else {
			*out++ = *p++;
		}
	}
	*out = '\0';
	return n;
}
