#include "core/metrics.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/strbuf.h"

#ifndef MC_VERSION
#define MC_VERSION "unknown"
#endif

/* Upper bounds of the latency histogram, in microseconds. */
static const int64_t bounds_us[] = { 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 500000, 2000000 };
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))
#define NROUTES (MC_MAX_ROUTES + 1) /* the last: requests that matched no route */
#define NCLASSES 5                  /* 1xx..5xx */

static _Atomic uint64_t counters[METRIC_COUNT];
/* Per route and status class: the histogram's buckets (not cumulative; the
 * last is +Inf) and its sum. The request count is the buckets' sum. */
static _Atomic uint64_t buckets[NROUTES][NCLASSES][NBOUNDS + 1];
static _Atomic uint64_t sum_us[NROUTES][NCLASSES];
static struct {
	const char *method, *pattern;
} routes[NROUTES];
static double start_time;

static const struct {
	const char *name, *help;
} families[METRIC_COUNT] = {
	[METRIC_CACHE_HIT] = { "mercato_catalog_cache_hits_total", "Catalog reads answered from the cache." },
	[METRIC_CACHE_MISS] = { "mercato_catalog_cache_misses_total", "Catalog reads that went to the database." },
	[METRIC_DB_BUSY] = { "mercato_db_busy_total", "Transactions retried after a lock timeout or serialization failure." },
	[METRIC_WRITE_BATCHES] = { "mercato_write_batches_total",
				   "Write batches committed: one transaction for the writes of one event-loop turn." },
	[METRIC_WRITE_BATCH_REQUESTS] = { "mercato_write_batch_requests_total",
					  "Requests whose answers waited for a committed write batch." },
	[METRIC_ORDERS_CREATED] = { "mercato_orders_created_total", "Orders placed through this process." },
	[METRIC_ORDERS_PAID] = { "mercato_orders_paid_total", "Orders that became paid through this process." },
	[METRIC_ORDERS_CANCELLED] = { "mercato_orders_cancelled_total",
				      "Orders cancelled through this process (by people or on expiry)." },
	[METRIC_PAYMENTS_CAPTURED] = { "mercato_payments_captured_total",
				       "Payments captured (processor or marked received) through this process." },
	[METRIC_PAYMENTS_CAPTURED_AMOUNT] = { "mercato_payments_captured_minor_units_total",
					      "Money captured through this process, in minor currency units." },
	[METRIC_PAYMENTS_REFUNDED] = { "mercato_payments_refunded_total", "Payments refunded through this process." },
	[METRIC_PAYMENTS_REFUNDED_AMOUNT] = { "mercato_payments_refunded_minor_units_total",
					      "Money refunded through this process, in minor currency units." },
};

void metrics_init(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void metrics_inc(enum metric m)
{
	atomic_fetch_add_explicit(&counters[m], 1, memory_order_relaxed);
}

void metrics_add(enum metric m, uint64_t n)
{
	atomic_fetch_add_explicit(&counters[m], n, memory_order_relaxed);
}

void metrics_route(size_t i, const char *method, const char *pattern)
{
	if (i < MC_MAX_ROUTES) {
		routes[i].method = method;
		routes[i].pattern = pattern;
	}
}

void metrics_request(size_t route, int status, int64_t us)
{
	size_t b = 0, r = route < MC_MAX_ROUTES ? route : MC_MAX_ROUTES;
	int c = status >= 100 && status < 600 ? status / 100 - 1 : NCLASSES - 1;

	while (b < NBOUNDS && us > bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&buckets[r][c][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[r][c], (uint64_t)(us > 0 ? us : 0), memory_order_relaxed);
}

static void S_family(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	strbuf_addf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void S_labels(struct strbuf *sb, size_t r, int c)
{
	if (r < MC_MAX_ROUTES && routes[r].pattern)
		strbuf_addf(sb, "method=\"%s\",route=\"%s\",code=\"%dxx\"", routes[r].method, routes[r].pattern, c + 1);
	else
		strbuf_addf(sb, "method=\"ANY\",route=\"unmatched\",code=\"%dxx\"", c + 1);
}

/* The count of one series, 0 when no request has been seen. */
static uint64_t S_count(size_t r, int c)
{
	uint64_t n = 0;

	for (size_t b = 0; b <= NBOUNDS; b++)
		n += atomic_load_explicit(&buckets[r][c][b], memory_order_relaxed);
	return n;
}

static void S_http(struct strbuf *sb)
{
	S_family(sb, "mercato_http_requests_total", "counter", "HTTP requests answered, by route pattern and status class.");
	for (size_t r = 0; r < NROUTES; r++)
		for (int c = 0; c < NCLASSES; c++) {
			uint64_t n = S_count(r, c);

			if (!n)
				continue;
			strbuf_adds(sb, "mercato_http_requests_total{");
			S_labels(sb, r, c);
			strbuf_addf(sb, "} %llu\n", (unsigned long long)n);
		}
	S_family(sb, "mercato_http_request_duration_seconds", "histogram",
		 "Time from a request's first byte to its answer, by route pattern and status class.");
	for (size_t r = 0; r < NROUTES; r++)
		for (int c = 0; c < NCLASSES; c++) {
			uint64_t cumulative = 0;

			if (!S_count(r, c))
				continue;
			for (size_t b = 0; b <= NBOUNDS; b++) {
				cumulative += atomic_load_explicit(&buckets[r][c][b], memory_order_relaxed);
				strbuf_adds(sb, "mercato_http_request_duration_seconds_bucket{");
				S_labels(sb, r, c);
				if (b < NBOUNDS)
					strbuf_addf(sb, ",le=\"%g\"} %llu\n", (double)bounds_us[b] / 1e6,
						    (unsigned long long)cumulative);
				else
					strbuf_addf(sb, ",le=\"+Inf\"} %llu\n", (unsigned long long)cumulative);
			}
			strbuf_adds(sb, "mercato_http_request_duration_seconds_sum{");
			S_labels(sb, r, c);
			strbuf_addf(sb, "} %.6f\n",
				    (double)atomic_load_explicit(&sum_us[r][c], memory_order_relaxed) / 1e6);
			strbuf_adds(sb, "mercato_http_request_duration_seconds_count{");
			S_labels(sb, r, c);
			strbuf_addf(sb, "} %llu\n", (unsigned long long)cumulative);
		}
}

static long S_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static void S_process(struct strbuf *sb)
{
	long pages = 0, rss = 0, fds = S_open_fds();
	struct rlimit rl;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) == 2) {
			S_family(sb, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
			strbuf_addf(sb, "process_resident_memory_bytes %lld\n",
				    (long long)rss * sysconf(_SC_PAGESIZE));
		}
		fclose(f);
	}
	if (fds >= 0) {
		S_family(sb, "process_open_fds", "gauge", "Number of open file descriptors.");
		strbuf_addf(sb, "process_open_fds %ld\n", fds);
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		S_family(sb, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
		strbuf_addf(sb, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
	}
	S_family(sb, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
	strbuf_addf(sb, "process_start_time_seconds %.3f\n", start_time);
	S_family(sb, "mercato_build_info", "gauge", "Always 1; the labels name the build.");
	strbuf_addf(sb, "mercato_build_info{version=\"%s\"} 1\n", MC_VERSION);
}

void metrics_render(struct strbuf *sb, const struct metrics_jobs *jobs)
{
	S_http(sb);
	for (int m = 0; m < METRIC_COUNT; m++) {
		S_family(sb, families[m].name, "counter", families[m].help);
		strbuf_addf(sb, "%s %llu\n", families[m].name,
			    (unsigned long long)atomic_load_explicit(&counters[m], memory_order_relaxed));
	}
	if (jobs) {
		S_family(sb, "mercato_outbox_depth", "gauge", "Outbox jobs (emails) waiting or being delivered.");
		strbuf_addf(sb, "mercato_outbox_depth %lld\n", (long long)(jobs->queued + jobs->running));
		S_family(sb, "mercato_outbox_dead_jobs", "gauge", "Outbox jobs that ran out of attempts.");
		strbuf_addf(sb, "mercato_outbox_dead_jobs %lld\n", (long long)jobs->dead);
	}
	S_process(sb);
}
