#include "jobs/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/fs.h"

#define HASH_HEX 16
#define B64_LINE 57        /* input bytes per 76-character base64 line */
#define B64_WORD 45        /* input bytes per encoded word: 60 characters, under RFC 2047's 75 */

static const char mail_domain[] = "mercato";

void mail_message_id(const char *kind, int64_t ref, const char *dedupe_key, char out[MAIL_ID_MAX])
{
	unsigned char hash[HASH_HEX / 2];
	char hex[HASH_HEX + 1];

	crypto_generichash(hash, sizeof(hash), (const unsigned char *)dedupe_key, strlen(dedupe_key), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(out, MAIL_ID_MAX, "<%.40s.%lld.%s@%s>", kind, (long long)ref, hex, mail_domain);
}

static void S_base64(strbuf *sb, const unsigned char *data, size_t len)
{
	char buf[sodium_base64_ENCODED_LEN(B64_LINE, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(buf, sizeof(buf), data, len, sodium_base64_VARIANT_ORIGINAL);
	strbuf_adds(sb, buf);
}

/* A header value as it is when it is plain printable ASCII, else as RFC
 * 2047 encoded words (which also makes CR/LF injection impossible). */
static void S_header(strbuf *sb, const char *name, const char *value)
{
	size_t len = strlen(value), i = 0;
	int plain = !strstr(value, "=?");

	for (const char *p = value; plain && *p; p++)
		plain = *p >= ' ' && *p <= '~';
	strbuf_addf(sb, "%s:", name);
	if (plain) {
		strbuf_addf(sb, " %s\r\n", value);
		return;
	}
	while (i < len) {
		size_t n = len - i < B64_WORD ? len - i : B64_WORD;

		/* Never split a UTF-8 sequence between two words. */
		while (i + n < len && n > 1 && ((unsigned char)value[i + n] & 0xC0) == 0x80)
			n--;
		strbuf_adds(sb, i ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
		S_base64(sb, (const unsigned char *)value + i, n);
		strbuf_adds(sb, "?=");
		i += n;
	}
	strbuf_adds(sb, "\r\n");
}

/* One text part: LF line ends become CRLF, then base64 in 76-character lines. */
static void S_part(strbuf *sb, const char *boundary, const char *type, const char *body)
{
	strbuf canon;

	strbuf_init(&canon);
	for (const char *p = body; *p; p++) {
		size_t run = strcspn(p, "\n");

		strbuf_add(&canon, p, run);
		p += run;
		if (!*p)
			break;
		if (p == body || p[-1] != '\r')
			strbuf_addch(&canon, '\r');
		strbuf_addch(&canon, '\n');
	}
	strbuf_addf(sb, "--%s\r\nContent-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		    boundary, type);
	for (size_t i = 0; i < canon.len; i += B64_LINE) {
		S_base64(sb, (const unsigned char *)canon.buf + i, canon.len - i < B64_LINE ? canon.len - i : B64_LINE);
		strbuf_adds(sb, "\r\n");
	}
	sb->failed |= canon.failed;
	strbuf_release(&canon);
}

void mail_compose(const struct email *e, const char *from, const char *message_id, int64_t date, strbuf *out)
{
	char when[64], boundary[64];
	const char *hash = strchr(message_id, '.');
	time_t t = (time_t)date;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	/* Base64 has no '=' followed by '_', so no body line can look like it. */
	snprintf(boundary, sizeof(boundary), "=_mercato_%.40s", hash ? hash + 1 : "part");
	boundary[strcspn(boundary, "@>")] = '\0';
	strbuf_addf(out, "From: %s\r\nTo: %s\r\n", from, e->to);
	S_header(out, "Subject", e->subject);
	strbuf_addf(out,
		    "Date: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
		    "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
		    when, message_id, boundary);
	S_part(out, boundary, "text/plain", e->text);
	S_part(out, boundary, "text/html", e->html);
	strbuf_addf(out, "--%s--\r\n", boundary);
}

int mail_permanent(long smtp_code)
{
	return smtp_code >= 500 && smtp_code < 600;
}

struct S_upload {
	const char *p;
	size_t left;
};

static size_t S_read(char *buf, size_t size, size_t n, void *arg)
{
	struct S_upload *u = arg;
	size_t len = size * n < u->left ? size * n : u->left;

	memcpy(buf, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

/* Keeps the server's last error reply (4xx/5xx) for last_error. */
static size_t S_reply(char *buf, size_t size, size_t n, void *arg)
{
	struct mail_result *r = arg;
	size_t len = size * n;

	size_t keep = 0;

	if (len && (buf[0] == '4' || buf[0] == '5')) {
		/* The line is not NUL-terminated. */
		while (keep < len && buf[keep] != '\r' && buf[keep] != '\n')
			keep++;
		snprintf(r->error, sizeof(r->error), "%.*s", (int)(keep < sizeof(r->error) ? keep : sizeof(r->error) - 1),
			 buf);
	}
	return len;
}

/* "<addr>" for MAIL FROM out of "addr" or "Name <addr>". */
static void S_envelope(const char *mailbox, char *out, size_t len)
{
	const char *lt = strrchr(mailbox, '<');

	if (lt)
		snprintf(out, len, "%.*s", (int)(strcspn(lt, ">") + 1), lt);
	else
		snprintf(out, len, "<%s>", mailbox);
}

mc_rc mail_send_smtp(const char *url, const char *from, const char *to, const char *msg, size_t len,
		     struct mail_result *r)
{
	struct S_upload up = { msg, len };
	char mfrom[MC_EMAIL_MAX + 3], rcpt[MC_EMAIL_MAX + 3], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *list = NULL;
	CURL *h = curl_easy_init();
	CURLcode cc = CURLE_OUT_OF_MEMORY;
	long code = 0;

	memset(r, 0, sizeof(*r));
	S_envelope(from, mfrom, sizeof(mfrom));
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	list = curl_slist_append(NULL, rcpt);
	if (h && list) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_MAIL_FROM, mfrom);
		curl_easy_setopt(h, CURLOPT_MAIL_RCPT, list);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, S_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &up);
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, S_reply);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)MC_SMTP_CONNECT_TIMEOUT);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)MC_SMTP_TIMEOUT);
		cc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	}
	curl_slist_free_all(list);
	if (h)
		curl_easy_cleanup(h);
	if (cc == CURLE_OK)
		return MC_OK;
	r->permanent = mail_permanent(code);
	/* No error reply: say what the transport did. */
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "curl %d: %s", (int)cc, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	return MC_ERR_BUSY;
}

mc_rc mail_spool(const char *dir, const char *message_id, const char *msg, size_t len, struct mail_result *r)
{
	char path[4096];
	int n;

	memset(r, 0, sizeof(*r));
	/* <kind.ref.hash@mercato> -> DIR/kind.ref.hash.eml */
	n = snprintf(path, sizeof(path), "%s/%.*s.eml", dir, (int)strcspn(message_id + 1, "@>"), message_id + 1);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(r->error, sizeof(r->error), "spool: the path is too long");
		r->permanent = 1;
		return MC_ERR_BUSY;
	}
	/* Messages hold personal data: owner only. */
	if (fs_write_atomic(path, msg, len, 0600)) {
		snprintf(r->error, sizeof(r->error), "spool %.200s: %s", path, strerror(errno));
		return MC_ERR_BUSY;
	}
	return MC_OK;
}
