#include "store/products.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "store/stock.h"
#include "store/store.h"

/* The same rounding as pricing_sale_price(). */
#define ON_SALE "(c.sale_percentage IS NOT NULL AND c.sale_start <= t.now AND t.now < c.sale_end)"
#define EFFECTIVE "(CASE WHEN " ON_SALE " THEN (c.price * (100 - c.sale_percentage) + 50) / 100 ELSE c.price END)"

static const char sql_get[] = "SELECT " PRODUCT_COLS " FROM (" PRODUCT_SOURCE " AND p.id = ?) c";
/* Without PRODUCT_SOURCE's seller join and text columns: a cart write needs
 * none of them, and the foreign key already vouches for the seller. */
static const char sql_brief[] =
	"SELECT price, stock, sale_start, sale_end, sale_percentage FROM products WHERE id = ? AND deleted_at IS NULL";
static const char sql_insert[] =
	"INSERT INTO products (seller_id, name, description, price, currency, image_url, category, stock,"
	" sale_start, sale_end, sale_percentage, rating_sum, rating_count, created_at, updated_at, external_ref)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	" ON CONFLICT (external_ref) DO NOTHING RETURNING id";
static const char sql_update[] =
	"UPDATE products SET name = ?, description = ?, price = ?, currency = ?, image_url = ?, category = ?,"
	" stock = ?, sale_start = ?, sale_end = ?, sale_percentage = ?, updated_at = ?"
	" WHERE id = ? AND deleted_at IS NULL";
static const char sql_delete[] =
	"UPDATE products SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL";
static const char sql_bump[] = "UPDATE catalog_version SET version = version + 1 WHERE id = 1";
static const char sql_version[] = "SELECT version FROM catalog_version WHERE id = 1";
static const char sql_boundary[] =
	"SELECT MIN(b) FROM (SELECT MIN(sale_start) AS b FROM products WHERE sale_start > ? AND deleted_at IS NULL"
	" UNION ALL SELECT MIN(sale_end) FROM products WHERE sale_end > ? AND deleted_at IS NULL) x";

void product_release(struct product *p)
{
	free(p->name);
	free(p->description);
	free(p->image_url);
	free(p->category);
	free(p->seller_name);
	memset(p, 0, sizeof(*p));
}

void product_list_free(struct product *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		product_release(&items[i]);
	free(items);
}

/* Reads sale_start, sale_end and sale_percentage from columns col.. */
static void S_read_sale(db_stmt *s, int col, struct sale *sale)
{
	if (!db_col_is_null(s, col + 2)) {
		sale->start = db_col_int(s, col);
		sale->end = db_col_int(s, col + 1);
		sale->percentage = (int)db_col_int(s, col + 2);
	}
}

int store_product_read(db_stmt *s, struct product *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_col_int(s, 0);
	p->seller_id = db_col_int(s, 1);
	p->price = db_col_int(s, 2);
	p->stock = db_col_int(s, 3);
	S_read_sale(s, 4, &p->sale);
	p->rating_sum = db_col_int(s, 7);
	p->rating_count = db_col_int(s, 8);
	p->created_at = db_col_int(s, 9);
	p->updated_at = db_col_int(s, 10);
	snprintf(p->currency, sizeof(p->currency), "%s", db_col_text(s, 11));
	p->name = strdup(db_col_text(s, 12));
	p->description = strdup(db_col_text(s, 13));
	p->image_url = db_col_is_null(s, 14) ? NULL : strdup(db_col_text(s, 14));
	p->category = strdup(db_col_text(s, 15));
	p->seller_name = strdup(db_col_text(s, 16));
	if (!p->name || !p->description || (!p->image_url && !db_col_is_null(s, 14)) || !p->category ||
	    !p->seller_name) {
		product_release(p);
		return -1;
	}
	return 0;
}

/* --- list queries: one SQL text per (dialect, sort, with/without search) -- */

static char *list_sql[2][SORT_COUNT][2];
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

static void S_build_list_sql(void)
{
	static const char *const order[SORT_COUNT] = {
		[SORT_NEWEST] = "c.created_at DESC, c.id DESC",
		[SORT_PRICE] = "eff ASC, c.id ASC",
		[SORT_PRICE_DESC] = "eff DESC, c.id ASC",
		[SORT_RATING] = "(CASE WHEN c.rating_count > 0 THEN c.rating_sum * 1.0 / c.rating_count ELSE 0 END)"
				" DESC, c.rating_count DESC, c.id ASC",
		[SORT_NAME] = "lower(c.name) ASC, c.id ASC",
	};
	static const char *const search[2] = {
		[DB_SQLITE] = " AND p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)",
		[DB_PG] = " AND p.search @@ to_tsquery('simple', ?)",
	};

	for (int k = 0; k < 2; k++)
		for (int o = 0; o < SORT_COUNT; o++)
			for (int q = 0; q < 2; q++) {
				strbuf sb;

				strbuf_init(&sb);
				strbuf_adds(&sb, "WITH t AS (SELECT CAST(? AS BIGINT) AS now, CAST(? AS TEXT) AS cat,"
						 " CAST(? AS BIGINT) AS seller, CAST(? AS BIGINT) AS minp,"
						 " CAST(? AS BIGINT) AS maxp, CAST(? AS INTEGER) AS onsale),"
						 " s AS (" PRODUCT_SOURCE);
				if (q)
					strbuf_adds(&sb, search[k]);
				strbuf_adds(&sb, "), r AS (SELECT " PRODUCT_COLS ", " EFFECTIVE " AS eff, "
						 ON_SALE " AS sale_on FROM s c, t)"
						 " SELECT c.*, COUNT(*) OVER () FROM r c, t WHERE"
						 " (t.cat IS NULL OR lower(c.category) = lower(t.cat))"
						 " AND (t.seller = 0 OR c.seller_id = t.seller)"
						 " AND (t.minp < 0 OR c.eff >= t.minp) AND (t.maxp < 0 OR c.eff <= t.maxp)"
						 " AND (t.onsale = 0 OR c.sale_on)"
						 " ORDER BY ");
				strbuf_adds(&sb, order[o]);
				strbuf_adds(&sb, " LIMIT ? OFFSET ?");
				list_sql[k][o][q] = strbuf_detach(&sb, NULL);
			}
}

/* Turns free text into a prefix query of at most MC_SEARCH_TERMS_MAX words:
 * `"lap"* "bag"*` (FTS5) or `lap:* & bag:*` (tsquery). Only letters and
 * digits survive, so the query language itself is never exposed. */
static int S_word_char(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int S_search_query(db_kind kind, const char *q, strbuf *out)
{
	const unsigned char *p = (const unsigned char *)q;
	int terms = 0;

	while (*p && terms < MC_SEARCH_TERMS_MAX) {
		const unsigned char *start;

		while (*p && !S_word_char(*p))
			p++;
		start = p;
		while (*p && S_word_char(*p))
			p++;
		if (p == start)
			break;
		if (terms)
			strbuf_adds(out, kind == DB_PG ? " & " : " ");
		if (kind == DB_PG) {
			strbuf_add(out, start, (size_t)(p - start));
			strbuf_adds(out, ":*");
		} else {
			strbuf_addch(out, '"');
			strbuf_add(out, start, (size_t)(p - start));
			strbuf_adds(out, "\"*");
		}
		terms++;
	}
	return terms;
}

mc_rc store_product_list(const struct product_filter *f, int64_t now, struct product **items, size_t *n,
			 int64_t *total)
{
	db *d = store_db();
	struct product *list = NULL;
	size_t count = 0;
	int64_t tot = 0;
	int has_q = 0, idx = 7, rc;
	db_stmt *s;
	strbuf q;
	mc_rc ret = MC_ERR_INTERNAL;

	strbuf_init(&q);
	if (!d) {
		ret = MC_ERR_UNAVAILABLE;
		goto out;
	}
	pthread_once(&list_once, S_build_list_sql);
	if (f->q)
		has_q = S_search_query(db_get_kind(d), f->q, &q) > 0;
	if (q.failed || !list_sql[db_get_kind(d)][f->sort][has_q])
		goto out;
	list = calloc((size_t)f->limit + 1, sizeof(*list));
	if (!list || !(s = store_stmt(list_sql[db_get_kind(d)][f->sort][has_q])))
		goto out;
	db_bind_int(s, 1, now);
	db_bind_text(s, 2, f->category);
	db_bind_int(s, 3, f->seller_id);
	db_bind_int(s, 4, f->min_price);
	db_bind_int(s, 5, f->max_price);
	db_bind_int(s, 6, f->on_sale);
	if (has_q)
		db_bind_text(s, idx++, q.buf);
	db_bind_int(s, idx++, f->limit);
	db_bind_int(s, idx, f->offset);
	while ((rc = db_step(s)) == DB_ROW && count < (size_t)f->limit) {
		if (store_product_read(s, &list[count])) {
			db_reset(s);
			goto out;
		}
		tot = db_col_int(s, 19);
		count++;
	}
	db_reset(s);
	if (rc < 0) {
		ret = store_rc(rc);
		goto out;
	}
	if (!count && f->offset > 0) {
		/* Past the end: the window count saw no rows; count them directly. */
		struct product_filter all = *f;
		struct product *none = NULL;
		size_t zero = 0;

		all.offset = 0;
		all.limit = 1;
		ret = store_product_list(&all, now, &none, &zero, &tot);
		product_list_free(none, zero);
		if (ret)
			goto out;
	}
	*items = list;
	*n = count;
	*total = tot;
	list = NULL;
	ret = MC_OK;
out:
	product_list_free(list, count);
	strbuf_release(&q);
	return ret;
}

mc_rc store_product_get(int64_t id, struct product *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_id(sql_get, id, &s);

	if (!rc) {
		if (store_product_read(s, out))
			rc = MC_ERR_INTERNAL;
		db_reset(s);
	}
	return rc;
}

mc_rc store_product_brief(int64_t id, struct product_brief *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_id(sql_brief, id, &s);

	if (!rc) {
		memset(out, 0, sizeof(*out));
		out->id = id;
		out->price = db_col_int(s, 0);
		out->stock = db_col_int(s, 1);
		S_read_sale(s, 2, &out->sale);
		db_reset(s);
	}
	return rc;
}

mc_rc store_catalog_bump(void)
{
	db_stmt *s = store_stmt(sql_bump);

	return s ? store_exec(s, NULL) : MC_ERR_INTERNAL;
}

/* Ends a product write's transaction with the version bump. */
static mc_rc S_bump_and_commit(mc_rc rc)
{
	if (!rc)
		rc = store_catalog_bump();
	return store_finish(rc);
}

static void S_bind_sale(db_stmt *s, int idx, const struct sale *sale)
{
	if (sale->percentage) {
		db_bind_int(s, idx, sale->start);
		db_bind_int(s, idx + 1, sale->end);
		db_bind_int(s, idx + 2, sale->percentage);
	} else {
		db_bind_null(s, idx);
		db_bind_null(s, idx + 1);
		db_bind_null(s, idx + 2);
	}
}

mc_rc store_product_insert_ref(struct product *p, const char *ref, int *inserted)
{
	int64_t now = clock_now();
	db_stmt *s;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	if (!(s = store_stmt(sql_insert)))
		return S_bump_and_commit(MC_ERR_INTERNAL);
	db_bind_int(s, 1, p->seller_id);
	db_bind_text(s, 2, p->name);
	db_bind_text(s, 3, p->description);
	db_bind_int(s, 4, p->price);
	db_bind_text(s, 5, p->currency);
	db_bind_text(s, 6, p->image_url);
	db_bind_text(s, 7, p->category);
	db_bind_int(s, 8, p->stock);
	S_bind_sale(s, 9, &p->sale);
	db_bind_int(s, 12, p->rating_sum);
	db_bind_int(s, 13, p->rating_count);
	db_bind_int(s, 14, now);
	db_bind_int(s, 15, now);
	db_bind_text(s, 16, ref);
	rc = store_row_int(s, MC_ERR_NOT_FOUND, &p->id);
	*inserted = !rc;
	if (rc == MC_ERR_NOT_FOUND) {
		/* The reference existed: nothing changed, nothing to invalidate. */
		store_rollback();
		return MC_OK;
	}
	if (!rc)
		p->created_at = p->updated_at = now;
	return S_bump_and_commit(rc);
}

mc_rc store_product_insert(struct product *p)
{
	int inserted = 0;

	return store_product_insert_ref(p, NULL, &inserted);
}

mc_rc store_product_update(const struct product *p)
{
	db_stmt *s;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	if (!(s = store_stmt(sql_update)))
		return S_bump_and_commit(MC_ERR_INTERNAL);
	db_bind_text(s, 1, p->name);
	db_bind_text(s, 2, p->description);
	db_bind_int(s, 3, p->price);
	db_bind_text(s, 4, p->currency);
	db_bind_text(s, 5, p->image_url);
	db_bind_text(s, 6, p->category);
	db_bind_int(s, 7, p->stock);
	S_bind_sale(s, 8, &p->sale);
	db_bind_int(s, 11, p->updated_at);
	db_bind_int(s, 12, p->id);
	store_stock_touched(p->id);
	return S_bump_and_commit(store_exec_changed(s, MC_ERR_NOT_FOUND));
}

mc_rc store_product_delete(int64_t id, int64_t now)
{
	db_stmt *s;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	if (!(s = store_stmt(sql_delete)))
		return S_bump_and_commit(MC_ERR_INTERNAL);
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, id);
	return S_bump_and_commit(store_exec_changed(s, MC_ERR_NOT_FOUND));
}

static mc_rc S_single_int(const char *sql, int64_t bind, int nbind, int64_t *out)
{
	db_stmt *s = store_stmt(sql);

	if (!s)
		return MC_ERR_INTERNAL;
	for (int i = 1; i <= nbind; i++)
		db_bind_int(s, i, bind);
	return store_row_int(s, MC_ERR_INTERNAL, out);
}

mc_rc store_catalog_version(int64_t *version)
{
	return S_single_int(sql_version, 0, 0, version);
}

mc_rc store_catalog_next_boundary(int64_t now, int64_t *at)
{
	return S_single_int(sql_boundary, now, 2, at);
}

static const char sql_stock_of[] = "SELECT stock FROM products WHERE id = ? AND deleted_at IS NULL";
static const char sql_stock_scan[] = "SELECT id, stock FROM products WHERE deleted_at IS NULL";

mc_rc store_stock_of(int64_t product_id, int64_t *stock)
{
	db_stmt *s;
	mc_rc rc = store_row_by_id(sql_stock_of, product_id, &s);

	if (!rc) {
		*stock = db_col_int(s, 0);
		db_reset(s);
	}
	return rc;
}

mc_rc store_stock_scan(void (*fn)(void *ctx, int64_t id, int64_t stock), void *ctx)
{
	db_stmt *s = store_stmt(sql_stock_scan);
	int rc;

	if (!s)
		return MC_ERR_INTERNAL;
	while ((rc = db_step(s)) == DB_ROW)
		fn(ctx, db_col_int(s, 0), db_col_int(s, 1));
	db_reset(s);
	return rc < 0 ? store_rc(rc) : MC_OK;
}

/* --- stored images -------------------------------------------------------- */

#define MEDIA_SHOWN "EXISTS (SELECT 1 FROM products p WHERE p.image_url = media_files.url AND p.deleted_at IS NULL)"

static const char sql_media_usage[] =
	"SELECT COALESCE(SUM(bytes), 0), COALESCE(SUM(CASE WHEN blob_key = ? THEN 1 ELSE 0 END), 0)"
	" FROM media_files WHERE seller_id = ?";
static const char sql_media_put[] =
	"INSERT INTO media_files (url, blob_key, seller_id, bytes, created_at, unreferenced_since)"
	" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET unreferenced_since = excluded.unreferenced_since";
static const char sql_media_shown[] =
	"UPDATE media_files SET unreferenced_since = NULL WHERE unreferenced_since IS NOT NULL AND " MEDIA_SHOWN;
static const char sql_media_unshown[] =
	"UPDATE media_files SET unreferenced_since = ? WHERE unreferenced_since IS NULL AND NOT " MEDIA_SHOWN;
static const char sql_media_expired[] =
	"SELECT blob_key FROM media_files WHERE unreferenced_since <= ? ORDER BY unreferenced_since LIMIT ?";
static const char sql_media_forget[] =
	"DELETE FROM media_files WHERE blob_key = ? AND unreferenced_since <= ? AND NOT " MEDIA_SHOWN;

mc_rc store_media_usage(int64_t seller_id, const char *key, int64_t *bytes, int *stored)
{
	db_stmt *s = store_stmt(sql_media_usage);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, seller_id);
	rc = store_row(s, MC_ERR_INTERNAL);
	if (rc)
		return rc;
	*bytes = db_col_int(s, 0);
	*stored = db_col_int(s, 1) > 0;
	db_reset(s);
	return MC_OK;
}

mc_rc store_media_put(const char *url, const char *key, int64_t seller_id, int64_t bytes, int64_t now)
{
	db_stmt *s = store_stmt(sql_media_put);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, url);
	db_bind_text(s, 2, key);
	db_bind_int(s, 3, seller_id);
	db_bind_int(s, 4, bytes);
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, now);
	return store_exec(s, NULL);
}

mc_rc store_media_mark(int64_t now)
{
	db_stmt *s = store_stmt(sql_media_shown);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	rc = store_exec(s, NULL);
	if (!rc)
		rc = store_exec_ints(sql_media_unshown, 1, &now, NULL);
	return rc;
}

mc_rc store_media_expired(int64_t before, size_t max, char (*keys)[MC_URL_MAX + 1], size_t *n)
{
	db_stmt *s = store_stmt(sql_media_expired);
	size_t got = 0;
	int step = DB_DONE;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, before);
	db_bind_int(s, 2, (int64_t)max);
	while (got < max && (step = db_step(s)) == DB_ROW)
		snprintf(keys[got++], MC_URL_MAX + 1, "%s", db_col_text(s, 0));
	db_reset(s);
	if (got < max && step != DB_DONE)
		return store_rc(step);
	*n = got;
	return MC_OK;
}

mc_rc store_media_forget(const char *key, int64_t before, int *gone)
{
	db_stmt *s = store_stmt(sql_media_forget);
	int64_t changed = 0;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, key);
	db_bind_int(s, 2, before);
	rc = store_exec(s, &changed);
	if (!rc)
		*gone = changed > 0;
	return rc;
}
