/* The email worker: claims due jobs from the outbox under a lease, renders
 * and delivers them (SMTP when MERCATO_SMTP_URL is set, else .eml files in
 * DATA_DIR/mail), and records the outcome: done; retried later with
 * exponential backoff and jitter after a temporary failure; dead after a
 * permanent one (SMTP 5xx) or the last attempt. Runs as `mercato worker`,
 * or as a thread of `serve` on SQLite. */
#ifndef MC_WORKER_H
#define MC_WORKER_H

#include <stdint.h>

#include "config.h"
#include "core/result.h"

struct worker;

/* Starts the worker thread; cfg must outlive it. */
mc_rc worker_start(const struct config *cfg, struct worker **out);
/* Stops at once between two deliveries: claimed jobs not yet started are
 * handed back, the one in flight finishes (bounded by MC_SMTP_TIMEOUT). */
void worker_stop(struct worker *w);

/* The wait before retrying after failed attempt number `attempt` (1-based):
 * base * 2^(attempt-1) capped at MC_JOB_BACKOFF_MAX_MS, then a random point
 * in its upper half ("equal jitter": spread out, never immediate). */
int64_t worker_backoff_ms(int64_t base, int64_t attempt, uint32_t rnd);

#endif
