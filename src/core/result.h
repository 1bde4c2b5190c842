/* One result convention for every fallible function: 0 is success.
 * The HTTP layer maps these to statuses in exactly one place (http/problem.c). */
#ifndef MC_RESULT_H
#define MC_RESULT_H

#include <stddef.h>

typedef enum mc_rc {
	MC_OK = 0,
	MC_ERR_INVALID,       /* malformed or out-of-range input: 400 */
	MC_ERR_UNAUTHORIZED,  /* no or bad credentials: 401 */
	MC_ERR_PAYMENT,       /* payment declined: 402 */
	MC_ERR_FORBIDDEN,     /* authenticated but not allowed: 403 */
	MC_ERR_NOT_FOUND,     /* no such resource (or not visible to caller): 404 */
	MC_ERR_METHOD,        /* the resource exists, the method does not: 405 */
	MC_ERR_CONFLICT,      /* state conflict, duplicate: 409 */
	MC_ERR_TOO_LARGE,     /* body or field over its limit: 413 */
	MC_ERR_UNSUPPORTED,   /* unsupported media type: 415 */
	MC_ERR_UNPROCESSABLE, /* well-formed but breaks a rule: 422 */
	MC_ERR_RATE_LIMITED,  /* too many requests: 429 */
	MC_ERR_BUSY,          /* temporarily overloaded (hash slots, db busy): 503 */
	MC_ERR_UNAVAILABLE,   /* the database is unreachable; the store reconnects: 503 */
	MC_ERR_INTERNAL,      /* a bug or an I/O failure: 500 */
	MC_ERR_STORAGE,       /* the database's disk is full or failing writes: 503 */
	MC_RC_COUNT
} mc_rc;

#define MC_ERR_MAX_FIELDS 8

/* Details a failing function may add for the client. All strings are
 * bounded copies, cut between UTF-8 characters (invalid bytes dropped);
 * `code` points at a static string. */
typedef struct mc_error {
	const char *code;          /* machine-readable, e.g. "email_taken" */
	char detail[256];
	int nfields;
	struct {
		char field[64]; /* a longer name (an unknown JSON key) is cut */
		char message[128];
	} fields[MC_ERR_MAX_FIELDS];
	long retry_after;          /* seconds, for MC_ERR_RATE_LIMITED, _BUSY and _UNAVAILABLE */
	void *extra;               /* optional json_t* object merged into the problem body (owned) */
} mc_error;

void mc_error_init(mc_error *e);
void mc_error_release(mc_error *e);
/* Sets code and a printf-style detail; returns rc so callers can `return mc_fail(...)`. */
mc_rc mc_fail(mc_error *e, mc_rc rc, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Adds a field error (silently dropped past MC_ERR_MAX_FIELDS). */
void mc_error_field(mc_error *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* MC_ERR_INVALID ("validation_failed", naming the first field) when any
 * field error was recorded, else MC_OK. */
mc_rc mc_error_fields_result(mc_error *e);

#endif
