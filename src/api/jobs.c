/* Admin view of the email outbox: list jobs, requeue a dead one. */
#include "api/api.h"
#include "core/clock.h"
#include "store/jobs.h"

static json_t *S_job_json(const struct job *j)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s?, s:o, s:o, s:o}", "id", (json_int_t)j->id, "kind",
			 email_kind_name(j->kind), "dedupeKey", j->dedupe_key, "status", job_state_name(j->status),
			 "attempts", (json_int_t)j->attempts, "maxAttempts", (json_int_t)j->max_attempts, "lastError", j->last_error, "runAt",
			 api_time_json(j->run_at / 1000), "createdAt", api_time_json(j->created_at), "updatedAt",
			 api_time_json(j->updated_at));
}

/* GET /api/admin/jobs?status=&limit=&offset= */
void api_jobs_list(struct http_req *req, struct http_res *res)
{
	const char *raw = http_req_query(req, "status");
	job_state status = job_state_parse(raw);
	struct job *items = NULL;
	int64_t limit, offset, total = 0;
	size_t n = 0;
	json_t *arr;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	api_query_page(req, &limit, &offset, &err);
	if (raw && !status)
		mc_error_field(&err, "status", "must be one of queued, running, done, dead");
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = store_job_list(status, limit, offset, &items, &n, &total);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, S_job_json(&items[i]));
	api_res_page(res, arr, total, limit, offset);
out:
	job_list_free(items, n);
	mc_error_release(&err);
}

/* POST /api/admin/jobs/:id/retry: a dead job back to queued, attempts reset. */
void api_jobs_retry(struct http_req *req, struct http_res *res)
{
	struct job j;
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc) {
		rc = store_job_requeue(id, clock_now_ms(), &j);
		if (rc == MC_ERR_NOT_FOUND)
			mc_fail(&err, rc, "job_not_found", "no job %lld", (long long)id);
		else if (rc == MC_ERR_CONFLICT)
			mc_fail(&err, rc, "job_not_dead", "only a dead job can be retried");
	}
	if (rc) {
		http_res_error(res, rc, &err);
	} else {
		http_res_json(res, 200, S_job_json(&j));
		job_release(&j);
	}
	mc_error_release(&err);
}
