/* The blob store: where product images live. Two backends behind one
 * interface: files under <data_dir>/media (one node, the default), or an
 * S3-compatible bucket reached over HTTP with requests signed by AWS
 * Signature V4 (core/sigv4.c), which every node of a cluster shares.
 * Keys are the caller's, of safe characters only ("products/12-ab.png"). */
#ifndef MC_STORE_BLOBS_H
#define MC_STORE_BLOBS_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/strbuf.h"

struct blob_store {
	const char *data_dir;      /* disk: <data_dir>/media/<key> */
	const char *bucket;        /* NULL: the disk */
	const char *endpoint;      /* S3: "http://127.0.0.1:4569"; NULL or "": AWS S3 of the region */
	const char *region;
	const char *access_key;
	const char *secret_key;
	const char *public_base;   /* S3: URL prefix of the objects; NULL or "": endpoint/bucket */
};

/* Stores data under key (replacing it). Disk: atomically, 0644. */
mc_rc blob_put(const struct blob_store *b, const char *key, const void *data, size_t len, const char *type);
/* The object's bytes (malloc'd, NUL-terminated); MC_ERR_NOT_FOUND when
 * absent, MC_ERR_TOO_LARGE when longer than max. */
mc_rc blob_get(const struct blob_store *b, const char *key, size_t max, char **data, size_t *len);
/* Deletes the object; absent is fine. */
mc_rc blob_delete(const struct blob_store *b, const char *key);
/* The URL clients read key at: "/media/<key>" from the disk, the public
 * base + "/" + key from a bucket. */
void blob_public_url(const struct blob_store *b, const char *key, strbuf *out);
/* S3 only: a URL that lets its holder PUT one object of `type` at key
 * until now + ttl (query-string SigV4; the Content-Type is signed). */
mc_rc blob_presign_put(const struct blob_store *b, const char *key, const char *type, int64_t now, int64_t ttl,
		       strbuf *url);

#endif
