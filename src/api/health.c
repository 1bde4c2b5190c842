/* GET /healthz (process up) and /readyz (database answers). */
#include <sodium.h>
#include <string.h>

#include "api/api.h"
#include "core/metrics.h"
#include "core/strbuf.h"
#include "store/health.h"

void api_health_live(struct http_req *req, struct http_res *res)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	http_res_static(res, 200, "application/json", ok, sizeof(ok) - 1);
}

void api_health_ready(struct http_req *req, struct http_res *res)
{
	static const char ok[] = "{\"status\":\"ready\"}";

	if (store_ping())
		http_res_problem(res, MC_ERR_UNAVAILABLE, "database_unavailable", "the database does not answer");
	else
		http_res_static(res, 200, "application/json", ok, sizeof(ok) - 1);
}

static bool S_loopback(const char *ip)
{
	return !strncmp(ip, "127.", 4) || !strcmp(ip, "::1");
}

/* GET /metrics: open to loopback; others need MERCATO_METRICS_TOKEN. */
void api_metrics(struct http_req *req, struct http_res *res)
{
	const char *token = api_config()->metrics_token;
	const char *auth = http_req_header(req, "Authorization");
	int64_t counts[JOB_STATE_COUNT];
	strbuf sb;

	if (!S_loopback(req->client_ip)) {
		size_t tl = strlen(token);

		if (!tl || !auth || strncmp(auth, "Bearer ", 7) || strlen(auth + 7) != tl ||
		    sodium_memcmp(auth + 7, token, tl)) {
			http_res_problem(res, MC_ERR_FORBIDDEN, "metrics_forbidden",
					 "metrics are served to loopback or with MERCATO_METRICS_TOKEN");
			return;
		}
	}
	strbuf_init(&sb);
	metrics_render(&sb, store_job_counts(counts) ? NULL
						       : &(struct metrics_jobs){ .queued = counts[JOB_QUEUED],
										 .running = counts[JOB_RUNNING],
										 .dead = counts[JOB_DEAD] });
	api_res_strbuf(res, 200, &sb);
	if (res->status == 200)
		res->content_type = "text/plain; version=0.0.4";
}
