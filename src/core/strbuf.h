/* A growable byte buffer (after git's strbuf), at most MC_STRBUF_MAX bytes.
 * Allocation failure, or a write past the cap, sets `failed` and turns
 * later appends into no-ops, so callers check once. */
#ifndef MC_STRBUF_H
#define MC_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	int failed;
} strbuf;

void strbuf_init(strbuf *sb);
void strbuf_release(strbuf *sb);
/* Hands the buffer (NUL-terminated) to the caller and re-inits sb. NULL if failed. */
char *strbuf_detach(strbuf *sb, size_t *len);
void strbuf_grow(strbuf *sb, size_t extra);
void strbuf_add(strbuf *sb, const void *data, size_t len);
void strbuf_adds(strbuf *sb, const char *s);
void strbuf_addch(strbuf *sb, char c);
void strbuf_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends v in decimal, without printf's cost (hot JSON writers). */
void strbuf_add_int(strbuf *sb, int64_t v);
/* Writes v in decimal, NUL-terminated, into out; returns its length. */
#define MC_INT_TEXT 21 /* "-9223372036854775808" and its NUL */
size_t mc_int_text(char out[MC_INT_TEXT], int64_t v);
/* Appends an object member: key is the text before the value, comma and
 * quotes included (",\"id\":"); the value is v in decimal, or s as a JSON
 * string (NULL: null). For answers written by hand. */
void strbuf_add_member_int(strbuf *sb, const char *key, int64_t v);
void strbuf_add_member_text(strbuf *sb, const char *key, const char *s);
/* Appends s as a quoted, escaped JSON string. */
void strbuf_add_json_string(strbuf *sb, const char *s);

#endif
