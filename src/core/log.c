#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/strbuf.h"

/* One write per line keeps concurrent lines whole. */
static void S_write_line(const char *json, size_t len)
{
	char buf[4096];

	if (len + 1 > sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, json, len);
	buf[len] = '\n';
	if (write(STDERR_FILENO, buf, len + 1) < 0)
		return;
}

void log_line(const char *json, size_t len)
{
	S_write_line(json, len);
}

static void S_log(const char *level, const char *component, const char *fmt, va_list ap)
{
	char msg[1024], ts[32];
	strbuf sb;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_format_rfc3339(clock_now(), ts, sizeof(ts));
	strbuf_init(&sb);
	strbuf_addf(&sb, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":", ts, level);
	strbuf_add_json_string(&sb, component);
	strbuf_adds(&sb, ",\"msg\":");
	strbuf_add_json_string(&sb, msg);
	strbuf_addch(&sb, '}');
	if (!sb.failed)
		S_write_line(sb.buf, sb.len);
	strbuf_release(&sb);
}

void log_info(const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	S_log("info", component, fmt, ap);
	va_end(ap);
}

void log_error(const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	S_log("error", component, fmt, ap);
	va_end(ap);
}
