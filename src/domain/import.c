#include "domain/import.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/json.h"
#include "core/limits.h"
#include "domain/account.h"
#include "domain/catalog.h"
#include "domain/seed.h"
#include "store/products.h"

/* The shortest "%g" text that reads back as x: 1.005, not 1.00499999999999989. */
static void S_number(double x, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

mc_rc import_price_minor(double major, int64_t *out, mc_error *err)
{
	char num[32];
	int64_t minor;

	S_number(major, num, sizeof(num));
	if (!(major >= 0)) {
		mc_error_field(err, "price", "%s must not be negative", num);
		return MC_ERR_INVALID;
	}
	if (major * 100 > (double)MC_PRICE_MAX) {
		mc_error_field(err, "price", "%s is above the largest price, %lld.%02lld", num, MC_PRICE_MAX / 100,
			       MC_PRICE_MAX % 100);
		return MC_ERR_INVALID;
	}
	minor = llround(major * 100);
	/* Exact: a price with at most 2 decimals is the double nearest to
	 * minor / 100, which is what that division gives. Anything else (1.005,
	 * 0.001) is refused rather than rounded. */
	if ((double)minor / 100 != major) {
		mc_error_field(err, "price", "%s has more than 2 decimal places", num);
		return MC_ERR_INVALID;
	}
	*out = minor;
	return MC_OK;
}

/* rating {rate 0..5, count}: rating_sum = round(rate * count). */
static void S_rating(json_t *item, struct import_item *it, mc_error *fe)
{
	json_t *r = json_object_get(item, "rating"), *rate, *count;

	if (!r || json_is_null(r))
		return;
	rate = json_object_get(r, "rate");
	count = json_object_get(r, "count");
	if (!json_is_object(r) || !json_is_number(rate) || json_number_value(rate) < 0 ||
	    json_number_value(rate) > 5) {
		mc_error_field(fe, "rating", "must be {\"rate\": 0 to 5, \"count\": N}");
		return;
	}
	if (!json_is_integer(count) || json_integer_value(count) < 0 ||
	    json_integer_value(count) > MC_RATING_COUNT_MAX) {
		mc_error_field(fe, "rating.count", "must be an integer from 0 to %lld", MC_RATING_COUNT_MAX);
		return;
	}
	it->rating_count = json_integer_value(count);
	it->rating_sum = llround(json_number_value(rate) * (double)it->rating_count);
}

/* At most `max` bytes of s, not cutting a UTF-8 sequence. */
static int S_clip(const char *s, int max)
{
	int n = (int)strnlen(s, (size_t)max + 1);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static mc_rc S_item(json_t *item, size_t pos, struct import_item *it, mc_error *err)
{
	struct product_input in = { 0 };
	json_t *price = json_object_get(item, "price");
	char where[128];
	mc_error fe;

	if (!json_is_object(item))
		return mc_fail(err, MC_ERR_INVALID, "invalid_item", "item %zu in the file: must be an object", pos + 1);
	mc_error_init(&fe);
	mc_json_int(item, "id", 1, INT64_MAX, true, &it->id, &fe);
	mc_json_str(item, "title", 1, MC_PRODUCT_NAME_MAX, true, &it->title, &fe);
	if (!json_is_number(price))
		mc_error_field(&fe, "price", "is required and must be a number such as 109.95");
	else
		import_price_minor(json_number_value(price), &it->price, &fe);
	mc_json_str(item, "description", 0, MC_PRODUCT_DESC_MAX, false, &it->description, &fe);
	mc_json_str(item, "category", 0, MC_CATEGORY_MAX, false, &it->category, &fe);
	mc_json_str(item, "image", 1, MC_URL_MAX, false, &it->image, &fe);
	S_rating(item, it, &fe);
	if (!it->description)
		it->description = "";
	if (!it->category)
		it->category = "";
	/* The same text and URL rules as a product made through the API. */
	if (!fe.nfields) {
		in.set = PI_NAME | PI_DESCRIPTION | PI_CATEGORY | (it->image ? PI_IMAGE_URL : 0);
		in.name = it->title;
		in.description = it->description;
		in.category = it->category;
		in.image_url = it->image;
		catalog_check_input(&in, &fe);
	}
	if (!fe.nfields)
		return MC_OK;
	if (it->title && it->id > 0)
		snprintf(where, sizeof(where), "item %zu (id %lld, \"%.*s\")", pos + 1, (long long)it->id,
			 S_clip(it->title, 60), it->title);
	else
		snprintf(where, sizeof(where), "item %zu in the file", pos + 1);
	return mc_fail(err, MC_ERR_INVALID, "invalid_item", "%s: %s %s", where, fe.fields[0].field,
		       fe.fields[0].message);
}

mc_rc import_fakestore_parse(const char *text, size_t len, struct import_list *out, mc_error *err)
{
	struct import_list l = { 0 };
	json_error_t jerr;
	json_t *item;
	size_t i;
	mc_rc rc = MC_OK;

	l.doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!l.doc)
		return mc_fail(err, MC_ERR_INVALID, "invalid_json", "malformed JSON at line %d column %d: %s",
			       jerr.line, jerr.column, jerr.text);
	if (!json_is_array(l.doc)) {
		rc = mc_fail(err, MC_ERR_INVALID, "invalid_json", "the file must be a JSON array of products");
		goto out;
	}
	l.n = json_array_size(l.doc);
	l.items = calloc(l.n ? l.n : 1, sizeof(*l.items));
	if (!l.items) {
		rc = MC_ERR_INTERNAL;
		goto out;
	}
	json_array_foreach(l.doc, i, item) {
		rc = S_item(item, i, &l.items[i], err);
		if (rc)
			goto out;
	}
	*out = l;
	return MC_OK;
out:
	import_list_release(&l);
	return rc;
}

void import_list_release(struct import_list *l)
{
	json_decref(l->doc);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* The named seller or admin, or the demo seller. */
static mc_rc S_seller(const char *email, struct user *out, int *created, mc_error *err)
{
	char norm[MC_EMAIL_MAX + 1];
	mc_rc rc;

	*created = 0;
	if (!email)
		return seed_demo_seller(out, created, err);
	if (account_normalize_email(email, norm, err))
		return mc_fail(err, MC_ERR_INVALID, "invalid_seller", "--seller %s is not an email address", email);
	rc = store_user_by_email(norm, out);
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, MC_ERR_INVALID, "unknown_seller", "no account %s", norm);
	if (!rc && out->role != ROLE_SELLER && out->role != ROLE_ADMIN)
		return mc_fail(err, MC_ERR_INVALID, "not_a_seller", "%s is a %s account, not a seller or admin", norm,
			       role_name(out->role));
	return rc;
}

static mc_rc S_insert(const struct import_item *it, int64_t seller_id, int64_t stock, int *inserted)
{
	struct product p;
	char ref[48];

	memset(&p, 0, sizeof(p));
	snprintf(ref, sizeof(ref), "fakestore:%lld", (long long)it->id);
	/* The store only reads these strings (struct product owns its strings
	 * elsewhere, so its fields are not const). */
	p.name = (char *)(uintptr_t)it->title;
	p.description = (char *)(uintptr_t)it->description;
	p.category = (char *)(uintptr_t)it->category;
	p.image_url = (char *)(uintptr_t)it->image;
	memcpy(p.currency, "INR", 4);
	p.seller_id = seller_id;
	p.price = it->price;
	p.stock = stock;
	p.rating_sum = it->rating_sum;
	p.rating_count = it->rating_count;
	return store_product_insert_ref(&p, ref, inserted);
}

mc_rc import_fakestore_file(const char *path, const char *seller_email, int64_t stock, struct import_counts *out,
			    mc_error *err)
{
	struct import_counts n = { 0, 0, 0 };
	struct import_list list = { 0 };
	struct user seller;
	char *text = NULL;
	size_t len = 0;
	mc_rc rc = fs_read_file(path, MC_IMPORT_FILE_MAX, &text, &len);

	if (rc == MC_ERR_TOO_LARGE) {
		rc = mc_fail(err, MC_ERR_INVALID, "file_too_large", "%s is larger than %d MiB", path,
			     MC_IMPORT_FILE_MAX / (1024 * 1024));
		goto out;
	}
	if (rc) {
		rc = mc_fail(err, rc == MC_ERR_NOT_FOUND ? MC_ERR_INVALID : rc, "unreadable_file", "cannot read %s: %s",
			     path, rc == MC_ERR_NOT_FOUND ? "no such file" : strerror(errno));
		goto out;
	}
	/* Every item is checked before the seller or any product is written. */
	rc = import_fakestore_parse(text, len, &list, err);
	if (!rc)
		rc = S_seller(seller_email, &seller, &n.seller_created, err);
	for (size_t i = 0; !rc && i < list.n; i++) {
		int inserted = 0;

		rc = S_insert(&list.items[i], seller.id, stock, &inserted);
		n.created += inserted;
		n.existing += !rc && !inserted;
	}
	if (!rc)
		*out = n;
out:
	import_list_release(&list);
	free(text);
	return rc;
}
