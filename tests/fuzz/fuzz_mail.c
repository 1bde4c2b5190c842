/* Email rendering and composition: a job payload (any bytes) rendered for
 * the kind the first byte picks, then composed as the worker sends it. The
 * header block must be exactly the headers mail_compose writes, each once,
 * with CRLF only at line ends and continuation lines folded: no byte of the
 * payload can start a header of its own (no Bcc: injection). */
#include "core/states.h"
#include "core/strbuf.h"
#include "fuzz.h"
#include "jobs/mail.h"
#include "jobs/render.h"

/* Every kind but EMAIL_NONE. */
#define NKINDS (EMAIL_KIND_COUNT - 1)

static const char *const headers[] = { "From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
					"Auto-Submitted", "Content-Type" };
#define NHEADERS (sizeof(headers) / sizeof(headers[0]))

static void S_check_headers(const char *msg, size_t len)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
	int seen[NHEADERS] = { 0 };

	if (!end)
		abort();
	while (p < end + 2) {
		const char *eol = strstr(p, "\r\n");
		size_t n = (size_t)(eol - p), k;

		if (memchr(p, '\r', n) || memchr(p, '\n', n))
			abort();
		if (*p != ' ' && *p != '\t') {
			for (k = 0; k < NHEADERS; k++)
				if (!strncmp(p, headers[k], strlen(headers[k])) && p[strlen(headers[k])] == ':')
					break;
			if (k == NHEADERS || seen[k]++)
				abort();
		} else if (p == msg) {
			abort();
		}
		p = eol + 2;
	}
	for (size_t k = 0; k < NHEADERS; k++)
		if (seen[k] != 1)
			abort();
	if (strlen(msg) != len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	email_kind kind;
	char *payload, id[MAIL_ID_MAX];
	struct email e;
	strbuf sb;

	if (!size)
		return 0;
	kind = (email_kind)(1 + data[0] % NKINDS);
	payload = fuzz_cstr(data + 1, size - 1);
	if (!render_email(kind, payload, &e)) {
		mail_message_id(email_kind_name(kind), e.ref, payload, id);
		strbuf_init(&sb);
		mail_compose(&e, "Mercato <shop@mercato.local>", id, 1700000000, &sb);
		if (!sb.failed)
			S_check_headers(sb.buf, sb.len);
		strbuf_release(&sb);
		email_release(&e);
	}
	free(payload);
	return 0;
}
