/* GET /healthz (process up) and /readyz (database answers). */
#include "api/api.h"
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
		http_res_problem(res, MC_ERR_BUSY, "database_unavailable", "the database does not answer");
	else
		http_res_static(res, 200, "application/json", ok, sizeof(ok) - 1);
}
