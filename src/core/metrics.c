#include "core/metrics.h"

#include <stdatomic.h>

#include "core/strbuf.h"

/* Upper bounds of the latency histogram, in microseconds. */
static const int64_t bounds_us[] = { 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 500000, 2000000 };
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

static _Atomic uint64_t counters[METRIC_COUNT];
static _Atomic uint64_t by_class[6];           /* 1xx..5xx, index = status / 100 */
static _Atomic uint64_t buckets[NBOUNDS + 1];  /* last: +Inf */
static _Atomic uint64_t sum_us;

void metrics_inc(enum metric m)
{
	atomic_fetch_add_explicit(&counters[m], 1, memory_order_relaxed);
}

void metrics_request(int status, int64_t us)
{
	size_t b = 0;

	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&by_class[status / 100], 1, memory_order_relaxed);
	while (b < NBOUNDS && us > bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us, (uint64_t)(us > 0 ? us : 0), memory_order_relaxed);
}

void metrics_render(struct strbuf *sb)
{
	static const char *const names[METRIC_COUNT] = {
		[METRIC_CACHE_HIT] = "mercato_catalog_cache_hits_total",
		[METRIC_CACHE_MISS] = "mercato_catalog_cache_misses_total",
		[METRIC_DB_BUSY] = "mercato_db_busy_total",
	};
	uint64_t cumulative = 0, total = 0;

	strbuf_adds(sb, "# TYPE mercato_http_requests_total counter\n");
	for (int c = 1; c <= 5; c++) {
		uint64_t v = atomic_load_explicit(&by_class[c], memory_order_relaxed);

		strbuf_addf(sb, "mercato_http_requests_total{code=\"%dxx\"} %llu\n", c, (unsigned long long)v);
	}
	strbuf_adds(sb, "# TYPE mercato_http_request_duration_seconds histogram\n");
	for (size_t b = 0; b <= NBOUNDS; b++) {
		cumulative += atomic_load_explicit(&buckets[b], memory_order_relaxed);
		if (b < NBOUNDS)
			strbuf_addf(sb, "mercato_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				    (double)bounds_us[b] / 1e6, (unsigned long long)cumulative);
		else
			strbuf_addf(sb, "mercato_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				    (unsigned long long)cumulative);
	}
	total = cumulative;
	strbuf_addf(sb, "mercato_http_request_duration_seconds_sum %.6f\n",
		    (double)atomic_load_explicit(&sum_us, memory_order_relaxed) / 1e6);
	strbuf_addf(sb, "mercato_http_request_duration_seconds_count %llu\n", (unsigned long long)total);
	for (int m = 0; m < METRIC_COUNT; m++)
		strbuf_addf(sb, "# TYPE %s counter\n%s %llu\n", names[m], names[m],
			    (unsigned long long)atomic_load_explicit(&counters[m], memory_order_relaxed));
}
