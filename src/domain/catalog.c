#include "domain/catalog.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "store/users.h"

static int S_has_control(const char *s, int allow_newlines)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && !(allow_newlines && (*s == '\n' || *s == '\r' || *s == '\t')))
			return 1;
	return 0;
}

static int S_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return !*s;
}

static int S_url_ok(const char *u)
{
	if (!strncmp(u, "https://", 8))
		u += 8;
	else if (!strncmp(u, "http://", 7))
		u += 7;
	else if (!strncmp(u, "/media/", 7))
		return !strstr(u, "..") && !S_has_control(u, 0) && !strchr(u, ' ');
	else
		return 0;
	return *u && *u != '/' && !S_has_control(u, 0) && !strchr(u, ' ');
}

static void S_validate(const struct product_input *in, mc_error *err)
{
	if ((in->set & PI_NAME) && (S_blank(in->name) || S_has_control(in->name, 0)))
		mc_error_field(err, "name", "must be a non-blank single line");
	if ((in->set & PI_DESCRIPTION) && S_has_control(in->description, 1))
		mc_error_field(err, "description", "must not contain control characters");
	if ((in->set & PI_CATEGORY) && S_has_control(in->category, 0))
		mc_error_field(err, "category", "must not contain control characters");
	if ((in->set & PI_CURRENCY) &&
	    (strlen(in->currency) != 3 || strspn(in->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		mc_error_field(err, "currency", "must be an ISO 4217 code such as INR");
	if ((in->set & PI_IMAGE_URL) && in->image_url && !S_url_ok(in->image_url))
		mc_error_field(err, "imageUrl", "must be an http or https URL");
}

mc_rc catalog_check_input(const struct product_input *in, mc_error *err)
{
	S_validate(in, err);
	return mc_error_fields_result(err);
}

static int S_dup(char **dst, const char *src)
{
	char *c = src ? strdup(src) : NULL;

	if (src && !c)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

/* Copies the given fields of `in` onto p. */
static mc_rc S_apply(struct product *p, const struct product_input *in)
{
	int bad = 0;

	if (in->set & PI_NAME)
		bad |= S_dup(&p->name, in->name);
	if (in->set & PI_DESCRIPTION)
		bad |= S_dup(&p->description, in->description);
	if (in->set & PI_IMAGE_URL)
		bad |= S_dup(&p->image_url, in->image_url);
	if (in->set & PI_CATEGORY)
		bad |= S_dup(&p->category, in->category);
	if (in->set & PI_CURRENCY)
		memcpy(p->currency, in->currency, 4);
	if (in->set & PI_PRICE)
		p->price = in->price;
	if (in->set & PI_STOCK)
		p->stock = in->stock;
	return bad ? MC_ERR_INTERNAL : MC_OK;
}

/* Defaults for fields a create (or a PUT) leaves out. */
static mc_rc S_defaults(struct product *p)
{
	if (!p->description && S_dup(&p->description, ""))
		return MC_ERR_INTERNAL;
	if (!p->category && S_dup(&p->category, ""))
		return MC_ERR_INTERNAL;
	if (!p->currency[0])
		memcpy(p->currency, "INR", 4);
	return MC_OK;
}

mc_rc catalog_create(const struct actor *a, const struct product_input *in, struct product *out, mc_error *err)
{
	struct product p;
	struct user owner;
	mc_rc rc;

	memset(&p, 0, sizeof(p));
	if (!(in->set & PI_NAME))
		mc_error_field(err, "name", "is required");
	if (!(in->set & PI_PRICE))
		mc_error_field(err, "price", "is required");
	if ((in->set & PI_SELLER) && a->role != ROLE_ADMIN)
		mc_error_field(err, "sellerId", "only an admin may set the seller");
	S_validate(in, err);
	rc = mc_error_fields_result(err);
	if (rc)
		return rc;
	p.seller_id = (in->set & PI_SELLER) ? in->seller_id : a->user_id;
	if (in->set & PI_SELLER) {
		rc = store_user_by_id(p.seller_id, &owner);
		if (rc || owner.role == ROLE_BUYER) {
			mc_error_field(err, "sellerId", "must be a seller or admin account");
			return rc && rc != MC_ERR_NOT_FOUND ? rc : mc_error_fields_result(err);
		}
	}
	rc = S_apply(&p, in);
	if (!rc)
		rc = S_defaults(&p);
	if (!rc)
		rc = store_product_insert(&p);
	if (!rc)
		rc = store_product_get(p.id, out);
	product_release(&p);
	return rc;
}

mc_rc catalog_get_owned(const struct actor *a, int64_t id, struct product *out, mc_error *err)
{
	mc_rc rc = store_product_get(id, out);

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "product_not_found", "no product %lld", (long long)id);
	if (rc)
		return rc;
	if (a->role != ROLE_ADMIN && out->seller_id != a->user_id) {
		product_release(out);
		return mc_fail(err, MC_ERR_FORBIDDEN, "not_owner", "product %lld belongs to another seller",
			       (long long)id);
	}
	return MC_OK;
}

/* Saves p and reads it back (fresh derived fields); p is released. */
static mc_rc S_save(struct product *p, struct product *out)
{
	mc_rc rc;

	p->updated_at = clock_now();
	rc = store_product_update(p);
	if (!rc)
		rc = store_product_get(p->id, out);
	product_release(p);
	return rc;
}

mc_rc catalog_update(const struct actor *a, int64_t id, const struct product_input *in, int replace,
		     struct product *out, mc_error *err)
{
	struct product p;
	mc_rc rc;

	if (in->set & PI_SELLER)
		mc_error_field(err, "sellerId", "cannot be changed");
	if (replace && !(in->set & PI_NAME))
		mc_error_field(err, "name", "is required");
	if (replace && !(in->set & PI_PRICE))
		mc_error_field(err, "price", "is required");
	S_validate(in, err);
	rc = mc_error_fields_result(err);
	if (rc)
		return rc;
	rc = catalog_get_owned(a, id, &p, err);
	if (rc)
		return rc;
	if (replace) {
		/* PUT: descriptive fields not given return to their defaults. Stock is
		 * inventory, not description: it changes only when given. */
		struct product_input all = *in;

		if (!(all.set & PI_DESCRIPTION))
			all.description = "";
		if (!(all.set & PI_CATEGORY))
			all.category = "";
		if (!(all.set & PI_CURRENCY))
			all.currency = "INR";
		if (!(all.set & PI_IMAGE_URL))
			all.image_url = NULL;
		all.set |= PI_DESCRIPTION | PI_CATEGORY | PI_CURRENCY | PI_IMAGE_URL;
		rc = S_apply(&p, &all);
	} else {
		rc = S_apply(&p, in);
	}
	if (rc) {
		product_release(&p);
		return rc;
	}
	return S_save(&p, out);
}

mc_rc catalog_delete(const struct actor *a, int64_t id, mc_error *err)
{
	struct product p;
	mc_rc rc = catalog_get_owned(a, id, &p, err);

	if (rc)
		return rc;
	product_release(&p);
	return store_product_delete(id, clock_now());
}

mc_rc catalog_schedule_sale(const struct actor *a, int64_t id, const struct sale *sale, struct product *out,
			    mc_error *err)
{
	struct product p;
	mc_rc rc;

	if (sale->percentage < MC_SALE_PCT_MIN || sale->percentage > MC_SALE_PCT_MAX)
		mc_error_field(err, "salePercentage", "must be between %d and %d", MC_SALE_PCT_MIN, MC_SALE_PCT_MAX);
	if (sale->end <= sale->start)
		mc_error_field(err, "saleEnd", "must be after saleStart");
	rc = mc_error_fields_result(err);
	if (rc)
		return rc;
	rc = catalog_get_owned(a, id, &p, err);
	if (rc)
		return rc;
	p.sale = *sale;
	return S_save(&p, out);
}

mc_rc catalog_set_image(const struct actor *a, int64_t id, const char *url, struct product *out, mc_error *err)
{
	struct product p;
	mc_rc rc = catalog_get_owned(a, id, &p, err);

	if (rc)
		return rc;
	if (S_dup(&p.image_url, url)) {
		product_release(&p);
		return MC_ERR_INTERNAL;
	}
	return S_save(&p, out);
}
