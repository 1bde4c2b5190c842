#include "domain/media.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "store/products.h"
#include "store/store.h"

#define MEDIA_PREFIX "products/"
#define MEDIA_HASH_HEX 16
#define UPLOAD_PREFIX "uploads/products/"
#define UPLOAD_ID_HEX 32

static const struct {
	const char *ext;
	const char *type;
	const unsigned char *magic;
	size_t magic_len;
} formats[] = {
	{ "jpg", "image/jpeg", (const unsigned char *)"\xFF\xD8\xFF", 3 },
	{ "png", "image/png", (const unsigned char *)"\x89PNG\r\n\x1A\n", 8 },
	/* WebP: "RIFF", a 4-byte size, "WEBP"; the size is checked as a wildcard. */
	{ "webp", "image/webp", (const unsigned char *)"RIFF????WEBP", 12 },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* The format of `data` by its magic bytes, or -1. */
static int S_sniff(const unsigned char *data, size_t len)
{
	for (size_t f = 0; f < NFORMATS; f++) {
		size_t i;

		if (len < formats[f].magic_len)
			continue;
		for (i = 0; i < formats[f].magic_len; i++)
			if (formats[f].magic[i] != '?' && formats[f].magic[i] != data[i])
				break;
		if (i == formats[f].magic_len)
			return (int)f;
	}
	return -1;
}

const char *media_sniff(const void *data, size_t len)
{
	int f = S_sniff(data, len);

	return f < 0 ? NULL : formats[f].type;
}

/* n lower-case hex digits at p. */
static int S_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/* Records the upload against the owner's quota before the blob is written:
 * the cleanup may then delete it only after its grace period. */
static mc_rc S_account(const struct blob_store *b, const char *key, const struct media_owner *owner, size_t len,
		       mc_error *err)
{
	int64_t used = 0;
	int stored = 0;
	strbuf url;
	mc_rc rc;

	strbuf_init(&url);
	blob_public_url(b, key, &url);
	rc = url.failed ? MC_ERR_INTERNAL : store_begin(DB_TXN_WRITE);
	if (rc)
		goto out;
	rc = store_media_usage(owner->seller_id, key, &used, &stored);
	if (!rc && !stored && used + (int64_t)len > owner->quota)
		rc = mc_fail(err, MC_ERR_TOO_LARGE, "media_quota_exceeded",
			     "the seller's stored images would exceed %lld MB", (long long)(owner->quota / (1024 * 1024)));
	if (!rc)
		rc = store_media_put(url.buf, key, owner->seller_id, stored ? 0 : (int64_t)len, clock_now());
	rc = store_finish(rc);
out:
	strbuf_release(&url);
	return rc;
}

mc_rc media_save_product_image(const struct blob_store *b, int64_t id, const struct media_owner *owner,
			       const void *data, size_t len, strbuf *url, mc_error *err)
{
	unsigned char hash[crypto_generichash_BYTES];
	char hex[crypto_generichash_BYTES * 2 + 1], key[MEDIA_KEY_MAX];
	int f;
	mc_rc rc;

	if (!len)
		return mc_fail(err, MC_ERR_INVALID, "empty_body", "the request body must be the image bytes");
	f = S_sniff(data, len);
	if (f < 0)
		return mc_fail(err, MC_ERR_UNSUPPORTED, "unsupported_image",
			       "the image must be a JPEG, PNG or WebP (checked by its first bytes)");
	/* BLAKE2b of the bytes: the same image always gets the same name. */
	crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(key, sizeof(key), MEDIA_PREFIX "%" PRId64 "-%.*s.%s", id, MEDIA_HASH_HEX, hex, formats[f].ext);
	rc = S_account(b, key, owner, len, err);
	if (rc)
		return rc;
	rc = blob_put(b, key, data, len, formats[f].type);
	if (rc == MC_ERR_BUSY)
		return mc_fail(err, rc, "media_store_unavailable", "the image store does not answer; try again");
	if (rc)
		return rc;
	blob_public_url(b, key, url);
	return url->failed ? MC_ERR_INTERNAL : MC_OK;
}

/* digits '-' 16 lower-case hex '.' ext: nothing else can name a file, so no
 * path can leave the media directory. Returns the format or -1. */
static int S_check_name(const char *name)
{
	const char *p = name;
	size_t i;

	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (!i || i > 19 || p[0] == '0' || p[i] != '-')
		return -1;
	p += i + 1;
	if (!S_hex(p, MEDIA_HASH_HEX) || p[MEDIA_HASH_HEX] != '.')
		return -1;
	p += MEDIA_HASH_HEX + 1;
	for (size_t f = 0; f < NFORMATS; f++)
		if (!strcmp(p, formats[f].ext))
			return (int)f;
	return -1;
}

mc_rc media_read_product_image(const char *data_dir, const char *name, char **data, size_t *len,
			       const char **type, mc_error *err)
{
	const struct blob_store disk = { .data_dir = data_dir };
	char key[MEDIA_KEY_MAX];
	int f = S_check_name(name);
	mc_rc rc;

	if (f < 0)
		return mc_fail(err, MC_ERR_NOT_FOUND, "media_not_found", "no such image");
	snprintf(key, sizeof(key), MEDIA_PREFIX "%s", name);
	rc = blob_get(&disk, key, MC_MAX_IMAGE_BODY, data, len);
	if (rc == MC_ERR_NOT_FOUND || rc == MC_ERR_TOO_LARGE)
		return mc_fail(err, MC_ERR_NOT_FOUND, "media_not_found", "no such image");
	if (rc)
		return rc;
	*type = formats[f].type;
	return MC_OK;
}

mc_rc media_upload_start(const struct blob_store *b, int64_t id, const char *type, int64_t now,
			 struct media_upload *out, mc_error *err)
{
	unsigned char rnd[UPLOAD_ID_HEX / 2];
	char hex[UPLOAD_ID_HEX + 1];
	size_t f;

	if (!b->bucket)
		return mc_fail(err, MC_ERR_CONFLICT, "direct_upload_unavailable",
			       "images are stored by this server: POST the image bytes to /api/products/%" PRId64
			       "/image",
			       id);
	for (f = 0; f < NFORMATS; f++)
		if (!strcmp(type, formats[f].type))
			break;
	if (f == NFORMATS)
		return mc_fail(err, MC_ERR_UNSUPPORTED, "unsupported_image",
			       "contentType must be image/jpeg, image/png or image/webp");
	/* A fresh random key per URL: one URL can write one object only. */
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(out->key, sizeof(out->key), UPLOAD_PREFIX "%" PRId64 "/%s", id, hex);
	out->type = formats[f].type;
	out->expires_at = now + MC_UPLOAD_URL_TTL;
	strbuf_init(&out->url);
	if (blob_presign_put(b, out->key, out->type, now, MC_UPLOAD_URL_TTL, &out->url)) {
		strbuf_release(&out->url);
		return MC_ERR_INTERNAL;
	}
	return MC_OK;
}

/* One of product id's upload keys, and nothing else. */
static int S_upload_key_of(const char *key, int64_t id)
{
	char prefix[MEDIA_KEY_MAX];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), UPLOAD_PREFIX "%" PRId64 "/", id);

	return !strncmp(key, prefix, n) && strlen(key + n) == UPLOAD_ID_HEX && S_hex(key + n, UPLOAD_ID_HEX);
}

mc_rc media_upload_attach(const struct blob_store *b, int64_t id, const struct media_owner *owner, const char *key,
			  strbuf *url, mc_error *err)
{
	char *data = NULL;
	size_t len = 0;
	mc_rc rc;

	if (!b->bucket)
		return mc_fail(err, MC_ERR_CONFLICT, "direct_upload_unavailable",
			       "images are stored by this server: POST the image bytes instead of a key");
	if (!S_upload_key_of(key, id)) {
		mc_error_field(err, "key", "must be a key that image-upload gave for this product");
		return mc_error_fields_result(err);
	}
	rc = blob_get(b, key, MC_MAX_IMAGE_BODY, &data, &len);
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "upload_not_found", "nothing was uploaded under that key (or it was attached)");
	if (rc == MC_ERR_TOO_LARGE) {
		(void)blob_delete(b, key);
		return mc_fail(err, rc, "image_too_large", "an image is at most %d bytes", MC_MAX_IMAGE_BODY);
	}
	if (rc == MC_ERR_BUSY)
		return mc_fail(err, rc, "media_store_unavailable", "the image store does not answer; try again");
	if (rc)
		return rc;
	rc = media_save_product_image(b, id, owner, data, len, url, err);
	free(data);
	/* Attached or refused, the upload has served: its bytes now live under
	 * their content-addressed name, or were no image. */
	if (!rc || rc == MC_ERR_UNSUPPORTED || rc == MC_ERR_INVALID)
		(void)blob_delete(b, key);
	return rc;
}

/* Forgets one blob and deletes it before the commit: an upload of the same
 * bytes meanwhile waits for the commit, then writes the blob again. */
static mc_rc S_delete(const struct blob_store *b, const char *key, int64_t before, int64_t *count)
{
	int gone = 0;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = store_media_forget(key, before, &gone);
	if (!rc && gone) {
		rc = blob_delete(b, key);
		if (rc)
			log_error("media", "cannot delete %s (%d); kept for the next cleanup", key, (int)rc);
	}
	rc = store_finish(rc);
	if (!rc && gone)
		(*count)++;
	return rc;
}

mc_rc media_cleanup(const struct blob_store *b, int64_t grace, int64_t now, int64_t *count)
{
	char(*keys)[MC_URL_MAX + 1] = calloc(MC_SCHED_BATCH, sizeof(*keys));
	int64_t before = now - grace, done = -1;
	size_t n = MC_SCHED_BATCH;
	mc_rc rc = keys ? store_media_mark(now) : MC_ERR_INTERNAL;

	/* Batches until one is short, or deletes nothing (shown again meanwhile). */
	while (!rc && n == MC_SCHED_BATCH && done != *count) {
		done = *count;
		rc = store_media_expired(before, MC_SCHED_BATCH, keys, &n);
		for (size_t i = 0; !rc && i < n; i++)
			rc = S_delete(b, keys[i], before, count);
	}
	free(keys);
	return rc;
}
