/* Structured logging: one JSON object per line on stderr, written with a
 * single write(2) so lines from concurrent threads never interleave. */
#ifndef MC_LOG_H
#define MC_LOG_H

#include <stddef.h>

void log_info(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_error(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes an already-formatted JSON line (newline added). */
void log_line(const char *json, size_t len);

#endif
