/* Address book endpoints, always the caller's own (the user id comes from
 * the token), and the one JSON shape of an address, which orders use too. */
#include <string.h>

#include "api/api.h"
#include "core/json.h"
#include "core/limits.h"
#include "domain/addresses.h"

static const struct {
	const char *key;
	unsigned bit;
	size_t off;
	size_t max;
	int required;
} address_fields[] = {
	{ "name", AF_NAME, offsetof(struct address_input, name), MC_NAME_MAX, 1 },
	{ "line1", AF_LINE1, offsetof(struct address_input, line1), MC_ADDRESS_LINE_MAX, 1 },
	{ "line2", AF_LINE2, offsetof(struct address_input, line2), MC_ADDRESS_LINE_MAX, 0 },
	{ "city", AF_CITY, offsetof(struct address_input, city), MC_ADDRESS_LINE_MAX, 1 },
	{ "state", AF_STATE, offsetof(struct address_input, state), MC_ADDRESS_LINE_MAX, 0 },
	{ "postalCode", AF_POSTAL_CODE, offsetof(struct address_input, postal_code), MC_POSTAL_CODE_MAX, 0 },
	{ "country", AF_COUNTRY, offsetof(struct address_input, country), 2, 1 },
	{ "phone", AF_PHONE, offsetof(struct address_input, phone), MC_PHONE_MAX, 0 },
};
#define NFIELDS (sizeof(address_fields) / sizeof(address_fields[0]))

static const char *const allowed_keys[] = { "name", "line1", "line2", "city", "state", "postalCode",
					    "country", "phone", "isDefault", NULL };

mc_rc api_address_input(json_t *obj, bool with_default, struct address_input *in, mc_error *err)
{
	static const char *const inline_keys[] = { "name", "line1", "line2", "city", "state", "postalCode",
						   "country", "phone", NULL };
	mc_rc rc = mc_json_allow_only(obj, with_default ? allowed_keys : inline_keys, err);

	memset(in, 0, sizeof(*in));
	if (rc)
		return rc;
	for (size_t i = 0; i < NFIELDS; i++) {
		const char **slot = (const char **)((char *)in + address_fields[i].off);
		json_t *v = json_object_get(obj, address_fields[i].key);

		if (json_is_null(v)) {
			/* null clears an optional field. */
			if (address_fields[i].required)
				mc_error_field(err, address_fields[i].key, "cannot be cleared");
			else
				*slot = "";
			in->set |= address_fields[i].bit;
		} else if (mc_json_str(obj, address_fields[i].key, 0, address_fields[i].max, false, slot, err)) {
			in->set |= address_fields[i].bit;
		}
	}
	if (with_default && mc_json_bool(obj, "isDefault", false, &in->is_default, err))
		in->set |= AF_DEFAULT;
	return mc_error_fields_result(err);
}

static json_t *S_opt(const char *s)
{
	return *s ? json_string(s) : json_null();
}

json_t *api_address_json(const struct address *a)
{
	json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:o}", "name", a->name, "line1", a->line1, "line2",
			      S_opt(a->line2), "city", a->city, "state", S_opt(a->state), "postalCode",
			      S_opt(a->postal_code), "country", a->country, "phone", S_opt(a->phone));

	/* An order's copy is only the address; a saved one has its identity. */
	if (j && a->id) {
		json_object_set_new(j, "id", json_integer(a->id));
		json_object_set_new(j, "isDefault", json_boolean(a->is_default));
		json_object_set_new(j, "createdAt", api_time_json(a->created_at));
		json_object_set_new(j, "updatedAt", api_time_json(a->updated_at));
	}
	return j;
}

static void S_answer(struct http_res *res, int status, mc_rc rc, struct address *a, mc_error *err)
{
	if (rc) {
		http_res_error(res, rc, err);
		return;
	}
	http_res_json(res, status, api_address_json(a));
	address_release(a);
}

/* GET /api/users/me/addresses: the whole book (at most MC_ADDRESSES_MAX). */
void api_addresses_list(struct http_req *req, struct http_res *res)
{
	struct address *items = NULL;
	json_t *arr;
	size_t n = 0;
	mc_rc rc = address_list(req->auth.user_id, &items, &n);

	if (rc) {
		http_res_problem(res, rc, NULL, "cannot read the address book");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_address_json(&items[i]));
	address_list_free(items, n);
	api_res_page(res, arr, (int64_t)n, MC_ADDRESSES_MAX, 0);
}

void api_addresses_get(struct http_req *req, struct http_res *res)
{
	struct address a;
	int64_t id = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc)
		rc = address_get(req->auth.user_id, id, &a, &err);
	S_answer(res, 200, rc, &a, &err);
	mc_error_release(&err);
}

void api_addresses_create(struct http_req *req, struct http_res *res)
{
	struct address_input in;
	struct address a;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, NULL, &err);
	if (!body)
		goto out;
	rc = api_address_input(body, true, &in, &err);
	if (!rc)
		rc = address_create(req->auth.user_id, &in, &a, &err);
	if (!rc)
		http_res_header(res, "Location", "/api/users/me/addresses/%lld", (long long)a.id);
	S_answer(res, 201, rc, &a, &err);
out:
	mc_error_release(&err);
}

void api_addresses_update(struct http_req *req, struct http_res *res)
{
	struct address_input in;
	struct address a;
	int64_t id;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (api_id_and_body(req, res, NULL, false, &id, &body, &err))
		goto out;
	rc = api_address_input(body, true, &in, &err);
	if (!rc)
		rc = address_update(req->auth.user_id, id, &in, &a, &err);
	S_answer(res, 200, rc, &a, &err);
out:
	mc_error_release(&err);
}

void api_addresses_delete(struct http_req *req, struct http_res *res)
{
	int64_t id = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc)
		rc = address_delete(req->auth.user_id, id, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		http_res_empty(res, 204);
	mc_error_release(&err);
}
