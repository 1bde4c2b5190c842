/* Email on the wire: an RFC 5322 message with plain-text and HTML
 * alternatives, delivered over SMTP (libcurl) or into a spool directory as
 * an .eml file. */
#ifndef MC_MAIL_H
#define MC_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"
#include "core/strbuf.h"
#include "jobs/render.h"

#define MAIL_ID_MAX 96

/* "<kind.ref.hash@mercato>", hash = 16 hex of BLAKE2b(dedupe_key): the same
 * for every attempt of a job, so a receiver can drop the duplicates that
 * at-least-once delivery may produce. */
void mail_message_id(const char *kind, int64_t ref, const char *dedupe_key, char out[MAIL_ID_MAX]);

/* The whole message with CRLF line ends. Non-ASCII subjects are RFC 2047
 * encoded, bodies base64; `date` (Unix seconds) is the Date header. The
 * same input always gives the same bytes. */
void mail_compose(const struct email *e, const char *from, const char *message_id, int64_t date, strbuf *out);

struct mail_result {
	int permanent;                      /* retrying cannot help */
	char error[MC_JOB_ERROR_MAX + 1];   /* the SMTP reply, or what failed */
};

/* SMTP 5xx replies are permanent; 4xx and transport failures (no reply,
 * refused connections, timeouts) are worth retrying. */
int mail_permanent(long smtp_code);

/* Sends msg to `to` through the SMTP URL (credentials in the URL;
 * STARTTLS when offered). MC_OK once the server accepted it; otherwise
 * MC_ERR_BUSY with *r saying why. Blocks at most MC_SMTP_TIMEOUT. */
mc_rc mail_send_smtp(const char *url, const char *from, const char *to, const char *msg, size_t len,
		     struct mail_result *r);

/* Writes DIR/<kind.ref.hash>.eml through a temporary file and a rename, so
 * a redelivery replaces the same file. MC_ERR_BUSY with *r on failure. The
 * directory must exist, and the file's name is durable only once the
 * caller flushes the directory (fs_sync_dir), once per batch. */
mc_rc mail_spool(const char *dir, const char *message_id, const char *msg, size_t len, struct mail_result *r);

#endif
