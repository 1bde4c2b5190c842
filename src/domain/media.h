/* Product images: accepted by their magic bytes (never by a client's
 * Content-Type), stored in the blob store (store/blobs.h: the data
 * directory, or an S3-compatible bucket) under content-addressed names, so
 * a URL never changes meaning and can be cached forever. With a bucket a
 * client may also upload straight to it through a presigned URL and then
 * ask for that upload to be attached. */
#ifndef MC_MEDIA_H
#define MC_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/strbuf.h"
#include "store/blobs.h"

/* "uploads/products/" + id + "/" + 32 hex */
#define MEDIA_KEY_MAX 80

/* The MIME type of an accepted image format by its magic bytes, or NULL. */
const char *media_sniff(const void *data, size_t len);

/* Whose storage an image counts against: the product's seller, who may
 * store `quota` bytes in all. */
struct media_owner {
	int64_t seller_id;
	int64_t quota;
};

/* Stores a JPEG, PNG or WebP image of product `id` as
 * products/<id>-<hash>.<ext> and appends its public URL to url. Empty
 * data: MC_ERR_INVALID; another format: MC_ERR_UNSUPPORTED; past the
 * owner's quota: MC_ERR_TOO_LARGE (media_quota_exceeded). */
mc_rc media_save_product_image(const struct blob_store *b, int64_t id, const struct media_owner *owner,
			       const void *data, size_t len, strbuf *url, mc_error *err);

/* The cleanup job: deletes stored images that no live product has shown
 * for `grace` seconds (replaced, or their product deleted); adds the
 * number to *count. */
mc_rc media_cleanup(const struct blob_store *b, int64_t grace, int64_t now, int64_t *count);

/* Reads an image from the data directory by file name (the /media route;
 * images stored before a switch to a bucket stay there); MC_ERR_NOT_FOUND
 * for a name not of the form media_save_product_image() writes, or no such
 * file. *type is its MIME type. */
mc_rc media_read_product_image(const char *data_dir, const char *name, char **data, size_t *len,
			       const char **type, mc_error *err);

struct media_upload {
	char key[MEDIA_KEY_MAX];
	const char *type;          /* the Content-Type the PUT must carry (static) */
	int64_t expires_at;
	strbuf url;                /* the presigned PUT URL; the caller releases it */
};

/* A presigned PUT URL for one new key of product `id`, valid
 * MC_UPLOAD_URL_TTL seconds, for `type` (image/jpeg, image/png or
 * image/webp: else MC_ERR_UNSUPPORTED). MC_ERR_CONFLICT
 * (direct_upload_unavailable) when images live on the server's disk. */
mc_rc media_upload_start(const struct blob_store *b, int64_t id, const char *type, int64_t now,
			 struct media_upload *out, mc_error *err);
/* Checks the object uploaded at key (one of product id's upload keys; at
 * most MC_MAX_IMAGE_BODY bytes; an image by its magic bytes), stores it as
 * media_save_product_image() does, deletes the upload and appends the
 * image's public URL to url. */
mc_rc media_upload_attach(const struct blob_store *b, int64_t id, const struct media_owner *owner, const char *key,
			  strbuf *url, mc_error *err);

#endif
