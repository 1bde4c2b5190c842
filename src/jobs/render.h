/* Email rendering: a job's kind and JSON payload (written by domain/notify.c
 * and domain/campaigns.c) become the plain-text and HTML bodies of one
 * email. Pure: no database, no network. The worker is its only caller. */
#ifndef MC_RENDER_H
#define MC_RENDER_H

#include <stdint.h>

#include "core/result.h"
#include "core/states.h"

/* An email ready for MIME: UTF-8 text, subject not yet encoded. */
struct email {
	char *to;
	char *subject;
	char *text;
	char *html;
	int64_t ref;                /* the order, product or user it is about (for the Message-ID) */
};

void email_release(struct email *e);

/* MC_ERR_INVALID when the payload does not fit the kind, or the kind is
 * EMAIL_NONE (a job this build does not know). */
mc_rc render_email(email_kind kind, const char *payload, struct email *out);

#endif
