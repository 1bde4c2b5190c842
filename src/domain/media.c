#include "domain/media.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/clock.h"
#include "store/products.h"
#include "store/store.h"

#define MEDIA_DIR "media/products"
#define MEDIA_HASH_HEX 16

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

/* Records the upload against the seller's quota before the file is
 * written: the cleanup may then delete it only after its grace period. */
static mc_rc S_account(const char *url, int64_t seller_id, int64_t quota, size_t len, mc_error *err)
{
	int64_t used = 0;
	int stored = 0;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = store_media_usage(seller_id, url, &used, &stored);
	if (!rc && !stored && used + (int64_t)len > quota)
		rc = mc_fail(err, MC_ERR_TOO_LARGE, "media_quota_exceeded",
			     "the seller's stored images would exceed %lld MB",
			     (long long)(quota / (1024 * 1024)));
	if (!rc)
		rc = store_media_put(url, seller_id, stored ? 0 : (int64_t)len, clock_now());
	return store_finish(rc);
}

mc_rc media_save_product_image(const char *data_dir, int64_t id, int64_t seller_id, int64_t quota, const void *data,
			       size_t len, char *url, mc_error *err)
{
	unsigned char hash[crypto_generichash_BYTES];
	char hex[crypto_generichash_BYTES * 2 + 1], name[48], dir[4096], path[4096], public[MEDIA_URL_MAX];
	int f, n;
	mc_rc rc;

	if (!len)
		return mc_fail(err, MC_ERR_INVALID, "empty_body", "the request body must be the image bytes");
	f = S_sniff(data, len);
	if (f < 0)
		return mc_fail(err, MC_ERR_UNSUPPORTED, "unsupported_image",
			       "the body must be a JPEG, PNG or WebP image (checked by its first bytes)");
	/* BLAKE2b of the bytes: the same image always gets the same name. */
	crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(name, sizeof(name), "%" PRId64 "-%.*s.%s", id, MEDIA_HASH_HEX, hex, formats[f].ext);
	n = snprintf(dir, sizeof(dir), "%s/" MEDIA_DIR, data_dir);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return MC_ERR_INTERNAL;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return MC_ERR_INTERNAL;
	snprintf(public, sizeof(public), "/" MEDIA_DIR "/%s", name);
	rc = S_account(public, seller_id, quota, len, err);
	if (rc)
		return rc;
	if (fs_mkdirs(dir)) {
		log_error("media", "cannot create %s: %s", dir, strerror(errno));
		return MC_ERR_INTERNAL;
	}
	/* Images are public: 0644. */
	if (fs_write_atomic(path, data, len, 0644)) {
		log_error("media", "cannot write %s: %s", path, strerror(errno));
		return MC_ERR_INTERNAL;
	}
	memcpy(url, public, sizeof(public));
	return MC_OK;
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
	for (i = 0; i < MEDIA_HASH_HEX; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return -1;
	if (p[i] != '.')
		return -1;
	p += i + 1;
	for (size_t f = 0; f < NFORMATS; f++)
		if (!strcmp(p, formats[f].ext))
			return (int)f;
	return -1;
}

mc_rc media_read_product_image(const char *data_dir, const char *name, char **data, size_t *len,
			       const char **type, mc_error *err)
{
	char path[4096];
	mc_rc rc;
	int f = S_check_name(name), n;

	if (f < 0)
		return mc_fail(err, MC_ERR_NOT_FOUND, "media_not_found", "no such image");
	n = snprintf(path, sizeof(path), "%s/" MEDIA_DIR "/%s", data_dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return MC_ERR_INTERNAL;
	rc = fs_read_file(path, MC_MAX_IMAGE_BODY, data, len);
	if (rc == MC_ERR_NOT_FOUND || rc == MC_ERR_TOO_LARGE)
		return mc_fail(err, MC_ERR_NOT_FOUND, "media_not_found", "no such image");
	if (rc) {
		log_error("media", "cannot read %s: %s", path, strerror(errno));
		return rc;
	}
	*type = formats[f].type;
	return MC_OK;
}

/* Forgets one file and deletes it before the commit: an upload of the same
 * bytes meanwhile waits for the commit, then writes the file again. */
static mc_rc S_delete(const char *data_dir, const char *url, int64_t before, int64_t *count)
{
	char path[4096];
	int gone = 0, n;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = store_media_forget(url, before, &gone);
	if (!rc && gone) {
		/* url is "/media/products/<name>", as this file wrote it. */
		n = snprintf(path, sizeof(path), "%s%s", data_dir, url);
		if (n < 0 || (size_t)n >= sizeof(path) || strncmp(url, "/" MEDIA_DIR "/", sizeof(MEDIA_DIR) + 1) ||
		    S_check_name(url + sizeof(MEDIA_DIR) + 1) < 0) {
			log_error("media", "not a stored image: %s", url);
		} else if (unlink(path) && errno != ENOENT) {
			log_error("media", "cannot delete %s: %s", path, strerror(errno));
			rc = MC_ERR_INTERNAL;
		}
	}
	rc = store_finish(rc);
	if (!rc && gone)
		(*count)++;
	return rc;
}

mc_rc media_cleanup(const char *data_dir, int64_t grace, int64_t now, int64_t *count)
{
	char(*urls)[MC_URL_MAX + 1] = calloc(MC_SCHED_BATCH, sizeof(*urls));
	int64_t before = now - grace, done = -1;
	size_t n = MC_SCHED_BATCH;
	mc_rc rc = urls ? store_media_mark(now) : MC_ERR_INTERNAL;

	/* Batches until one is short, or deletes nothing (shown again meanwhile). */
	while (!rc && n == MC_SCHED_BATCH && done != *count) {
		done = *count;
		rc = store_media_expired(before, MC_SCHED_BATCH, urls, &n);
		for (size_t i = 0; !rc && i < n; i++)
			rc = S_delete(data_dir, urls[i], before, count);
	}
	free(urls);
	return rc;
}
