#include "core/strbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

void strbuf_init(strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void strbuf_release(strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb);
}

char *strbuf_detach(strbuf *sb, size_t *len)
{
	char *b;

	if (sb->failed) {
		strbuf_release(sb);
		return NULL;
	}
	strbuf_grow(sb, 0);
	if (sb->failed) {
		strbuf_release(sb);
		return NULL;
	}
	b = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb);
	return b;
}

void strbuf_grow(strbuf *sb, size_t extra)
{
	size_t need, n;
	char *nb;

	if (sb->failed)
		return;
	/* Past the cap (or a size_t wrap) the buffer fails like an allocation. */
	if (extra >= MC_STRBUF_MAX - sb->len) {
		sb->failed = 1;
		return;
	}
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	if (n > MC_STRBUF_MAX)
		n = MC_STRBUF_MAX;
	nb = realloc(sb->buf, n);
	if (!nb) {
		sb->failed = 1;
		return;
	}
	sb->buf = nb;
	sb->alloc = n;
	sb->buf[sb->len] = '\0';
}

void strbuf_add(strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	if (sb->failed)
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_addf(strbuf *sb, const char *fmt, ...)
{
	size_t room;
	va_list ap;
	int n;

	/* Formats once into the spare room; again only when it did not fit. */
	strbuf_grow(sb, 64);
	if (sb->failed)
		return;
	room = sb->alloc - sb->len;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		sb->failed = 1;
		return;
	}
	if ((size_t)n >= room) {
		strbuf_grow(sb, (size_t)n);
		if (sb->failed)
			return;
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

size_t mc_int_text(char out[MC_INT_TEXT], int64_t v)
{
	char tmp[MC_INT_TEXT], *p = tmp + sizeof(tmp);
	/* Negated as unsigned: INT64_MIN has no positive twin. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(out, p, n);
	return n - 1;
}

void strbuf_add_int(strbuf *sb, int64_t v)
{
	char text[MC_INT_TEXT];

	strbuf_add(sb, text, mc_int_text(text, v));
}

void strbuf_add_member_int(strbuf *sb, const char *key, int64_t v)
{
	strbuf_adds(sb, key);
	strbuf_add_int(sb, v);
}

void strbuf_add_member_text(strbuf *sb, const char *key, const char *s)
{
	strbuf_adds(sb, key);
	if (s)
		strbuf_add_json_string(sb, s);
	else
		strbuf_adds(sb, "null");
}

void strbuf_add_json_string(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;

	strbuf_addch(sb, '"');
	for (; *p; p++) {
		char esc[6];
		size_t elen = 2;

		if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != '<' && *p != '>' && *p != '&')
			continue;
		strbuf_add(sb, run, (size_t)(p - run));
		run = p + 1;
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			/* Control characters, and <>& so JSON is safe inside HTML. */
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			elen = 6;
		}
		strbuf_add(sb, esc, elen);
	}
	strbuf_add(sb, run, (size_t)(p - run));
	strbuf_addch(sb, '"');
}
