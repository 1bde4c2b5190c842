/* Process-wide counters for GET /metrics (Prometheus text format 0.0.4).
 * Lock-free: relaxed atomics in fixed arrays; recording a request is two
 * atomic adds indexed by route number and status class, no allocation. */
#ifndef MC_METRICS_H
#define MC_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

enum metric {
	METRIC_CACHE_HIT,
	METRIC_CACHE_MISS,
	METRIC_DB_BUSY,
	METRIC_WRITE_BATCHES,
	METRIC_WRITE_BATCH_REQUESTS,
	METRIC_ORDERS_CREATED,
	METRIC_ORDERS_PAID,
	METRIC_ORDERS_CANCELLED,
	METRIC_PAYMENTS_CAPTURED,
	METRIC_PAYMENTS_CAPTURED_AMOUNT,  /* minor units */
	METRIC_PAYMENTS_REFUNDED,
	METRIC_PAYMENTS_REFUNDED_AMOUNT,  /* minor units */
	METRIC_COUNT
};

/* Outbox jobs by state, read from the database at scrape time. */
struct metrics_jobs {
	int64_t queued, running, dead;
};

/* Records the process start time; call once at start-up. */
void metrics_init(void);
void metrics_inc(enum metric m);
void metrics_add(enum metric m, uint64_t n);
/* Names route i (< MC_MAX_ROUTES) for the per-route series; the strings
 * must outlive the process's metrics (the static route table). */
void metrics_route(size_t i, const char *method, const char *pattern);
/* One finished HTTP request: its route (MC_MAX_ROUTES or more: no route),
 * status and duration. */
void metrics_request(size_t route, int status, int64_t us);
/* jobs: NULL when the database did not answer (the series are left out). */
void metrics_render(struct strbuf *sb, const struct metrics_jobs *jobs);

#endif
