/* Metrics (core/metrics.h): per-route series, status classes, HELP and
 * TYPE for every family. The counters are process-wide, so each test reads
 * differences or series no other test touches. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/metrics.h"
#include "core/strbuf.h"

static char *S_render(void)
{
	struct metrics_jobs jobs = { .queued = 3, .running = 1, .dead = 2 };
	strbuf sb;
	char *s;

	strbuf_init(&sb);
	metrics_render(&sb, &jobs);
	assert_false(sb.failed);
	s = strdup(sb.buf);
	strbuf_release(&sb);
	return s;
}

/* The value of the series line that starts with `series `, -1 if absent. */
static double S_value(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, series, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static void test_route_and_class_series(void **state)
{
	char *text;
	(void)state;

	metrics_route(7, "POST", "/api/things/:id");
	metrics_request(7, 201, 300);     /* the 500 us bucket */
	metrics_request(7, 204, 3000000); /* beyond every bound */
	metrics_request(7, 409, 100);
	metrics_request(MC_MAX_ROUTES + 5, 404, 10);
	text = S_render();
	assert_true(S_value(text, "mercato_http_requests_total{method=\"POST\",route=\"/api/things/:id\",code=\"2xx\"}") == 2);
	assert_true(S_value(text, "mercato_http_requests_total{method=\"POST\",route=\"/api/things/:id\",code=\"4xx\"}") == 1);
	assert_true(S_value(text, "mercato_http_requests_total{method=\"POST\",route=\"/api/things/:id\",code=\"5xx\"}") == -1);
	assert_true(S_value(text, "mercato_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/things/:id\","
				  "code=\"2xx\",le=\"0.00025\"}") == 0);
	assert_true(S_value(text, "mercato_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/things/:id\","
				  "code=\"2xx\",le=\"0.0005\"}") == 1);
	assert_true(S_value(text, "mercato_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/things/:id\","
				  "code=\"2xx\",le=\"2\"}") == 1);
	assert_true(S_value(text, "mercato_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/things/:id\","
				  "code=\"2xx\",le=\"+Inf\"}") == 2);
	assert_true(S_value(text, "mercato_http_request_duration_seconds_sum{method=\"POST\",route=\"/api/things/:id\","
				  "code=\"2xx\"}") == 3.0003);
	assert_true(S_value(text, "mercato_http_requests_total{method=\"ANY\",route=\"unmatched\",code=\"4xx\"}") >= 1);
	free(text);
}

static void test_counters_and_gauges(void **state)
{
	double before, after;
	char *text;
	(void)state;

	text = S_render();
	before = S_value(text, "mercato_payments_captured_minor_units_total");
	free(text);
	metrics_add(METRIC_PAYMENTS_CAPTURED_AMOUNT, 2500);
	metrics_inc(METRIC_PAYMENTS_CAPTURED_AMOUNT);
	text = S_render();
	after = S_value(text, "mercato_payments_captured_minor_units_total");
	assert_true(after - before == 2501);
	assert_true(S_value(text, "mercato_outbox_depth") == 4);
	assert_true(S_value(text, "mercato_outbox_dead_jobs") == 2);
	assert_true(S_value(text, "process_resident_memory_bytes") > 0);
	assert_true(S_value(text, "process_open_fds") >= 3);
	free(text);
}

/* Every sample's family has one HELP and one TYPE line before it. */
static void test_help_and_type_everywhere(void **state)
{
	char *text, *line, *save = NULL;
	char family[128] = "";
	int help = 0, type = 0;
	(void)state;

	metrics_init();
	text = S_render();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(line, "# HELP %127s", name) == 1) {
			snprintf(family, sizeof(family), "%s", name);
			help++;
			continue;
		}
		if (sscanf(line, "# TYPE %127s", name) == 1) {
			assert_string_equal(name, family);
			type++;
			continue;
		}
		assert_true(line[0] != '#');
		if (strncmp(line, family, strlen(family)))
			fail_msg("sample '%s' outside its family %s", line, family);
	}
	assert_int_equal(help, type);
	assert_true(help >= METRIC_COUNT + 7);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_and_class_series),
		cmocka_unit_test(test_counters_and_gauges),
		cmocka_unit_test(test_help_and_type_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
