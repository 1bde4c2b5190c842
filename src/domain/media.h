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

/* The MIME type of an accepted image format by its magic bytes, or NULL. */
const char *media_sniff(const void *data, size_t len);

/* Writes a JPEG, PNG or WebP image of product `id` to
 * <data_dir>/media/products/<id>-<hash>.<ext> and sets `url` (MEDIA_URL_MAX
 * bytes) to its public path. Empty data: MC_ERR_INVALID; another format:
 * MC_ERR_UNSUPPORTED. */
mc_rc media_save_product_image(const char *data_dir, int64_t id, const void *data, size_t len, char *url,
			       mc_error *err);

/* Reads a stored product image by file name; MC_ERR_NOT_FOUND for a name not
 * of the form media_save_product_image() writes, or no such file. *type is
 * its MIME type. */
mc_rc media_read_product_image(const char *data_dir, const char *name, char **data, size_t *len,
			       const char **type, mc_error *err);

#endif
