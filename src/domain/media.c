#include "domain/media.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/limits.h"
#include "core/log.h"

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

const char *media_sniff(const void *data, size_t len)
{
	int f = S_sniff(data, len);

	return f < 0 ? NULL : formats[f].type;
}

mc_rc media_save_product_image(const char *data_dir, int64_t id, const void *data, size_t len, char *url,
			       mc_error *err)
{
	unsigned char hash[crypto_generichash_BYTES];
	char hex[crypto_generichash_BYTES * 2 + 1], name[48], dir[4096], path[4096];
	int f, n;

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
	if (fs_mkdirs(dir)) {
		log_error("media", "cannot create %s: %s", dir, strerror(errno));
		return MC_ERR_INTERNAL;
	}
	/* Images are public: 0644. */
	if (fs_write_atomic(path, data, len, 0644)) {
		log_error("media", "cannot write %s: %s", path, strerror(errno));
		return MC_ERR_INTERNAL;
	}
	snprintf(url, MEDIA_URL_MAX, "/" MEDIA_DIR "/%s", name);
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
