/* Product images on disk: accepted by their magic bytes (never by a client's
 * Content-Type), stored under content-addressed names, so a URL never changes
 * meaning and can be cached forever. The data directory comes from the caller. */
#ifndef MC_MEDIA_H
#define MC_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* "/media/products/" + id + "-" + 16 hex + ".webp" */
#define MEDIA_URL_MAX 64

/* Writes a JPEG, PNG or WebP image of product `id` to
 * <data_dir>/media/products/<id>-<hash>.<ext> and sets `url` (MEDIA_URL_MAX
 * bytes) to its public path. The bytes count against the product's seller,
 * who may store `quota` bytes. Empty data: MC_ERR_INVALID; another format:
 * MC_ERR_UNSUPPORTED; past the quota: MC_ERR_TOO_LARGE. */
mc_rc media_save_product_image(const char *data_dir, int64_t id, int64_t seller_id, int64_t quota, const void *data,
			       size_t len, char *url, mc_error *err);

/* The cleanup job: deletes stored images that no live product has shown
 * for `grace` seconds (replaced, or their product deleted); adds the
 * number to *count. */
mc_rc media_cleanup(const char *data_dir, int64_t grace, int64_t now, int64_t *count);

/* Reads a stored product image by file name; MC_ERR_NOT_FOUND for a name not
 * of the form media_save_product_image() writes, or no such file. *type is
 * its MIME type. */
mc_rc media_read_product_image(const char *data_dir, const char *name, char **data, size_t *len,
			       const char **type, mc_error *err);

#endif
