/* Uploaded images and image names. The sniffer may accept only bytes that
 * start with a JPEG, PNG or WebP signature; a requested file name (from the
 * URL) that is not exactly "<id>-<16 hex>.<ext>" must be not found, so no
 * name can reach outside the media directory. */
#include <stdio.h>

#include "domain/media.h"
#include "fuzz.h"

static char dir[] = "/tmp/mercato-fuzz-media.XXXXXX";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!mkdtemp(dir))
		abort();
	return 0;
}

static int S_has(const uint8_t *d, size_t n, const char *magic, size_t m)
{
	return n >= m && !memcmp(d, magic, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *type = media_sniff(data, size), *t;
	char *name, *bytes = NULL;
	size_t len;
	mc_error err;

	if (type && !(S_has(data, size, "\xFF\xD8\xFF", 3) || S_has(data, size, "\x89PNG\r\n\x1A\n", 8) ||
		      (size >= 12 && S_has(data, size, "RIFF", 4) && !memcmp(data + 8, "WEBP", 4))))
		abort();
	name = fuzz_cstr(data, size);
	mc_error_init(&err);
	/* The directory is empty: every name is not found, however it is spelt. */
	if (media_read_product_image(dir, name, &bytes, &len, &t, &err) != MC_ERR_NOT_FOUND)
		abort();
	mc_error_release(&err);
	free(bytes);
	free(name);
	return 0;
}
