/* Process-wide counters for GET /metrics (Prometheus text format).
 * Lock-free: relaxed atomics, a fixed set of series. */
#ifndef MC_METRICS_H
#define MC_METRICS_H

#include <stdint.h>

struct strbuf;

enum metric {
	METRIC_CACHE_HIT,
	METRIC_CACHE_MISS,
	METRIC_DB_BUSY,
	METRIC_COUNT
};

void metrics_inc(enum metric m);
/* One finished HTTP request: its status and duration. */
void metrics_request(int status, int64_t us);
void metrics_render(struct strbuf *sb);

#endif
