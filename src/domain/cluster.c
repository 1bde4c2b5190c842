#include "domain/cluster.h"

#include <sodium.h>
#include <string.h>

#include "store/cluster.h"

#define FP_BYTES 16

mc_rc cluster_check_key(const struct token_key *key, mc_error *err)
{
	static const unsigned char label[] = "mercato jwt key fingerprint";
	crypto_generichash_state st;
	unsigned char h[FP_BYTES];
	char fp[FP_BYTES * 2 + 1], stored[FP_BYTES * 2 + 1];
	mc_rc rc;

	/* A labelled BLAKE2b: the database learns nothing usable about the key. */
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, label, sizeof(label) - 1);
	crypto_generichash_update(&st, key->bytes, key->len);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(fp, sizeof(fp), h, sizeof(h));
	rc = store_cluster_setting("jwt_key_fingerprint", fp, stored, sizeof(stored));
	if (rc)
		return mc_fail(err, rc, "key_check_failed", "cannot read the key fingerprint from the database");
	if (strcmp(fp, stored))
		return mc_fail(err, MC_ERR_CONFLICT, "jwt_key_mismatch",
			       "this node's JWT signing key (MERCATO_JWT_SECRET, or the development key in its data "
			       "directory) differs from the one the other nodes on this database use (fingerprint "
			       "%s, this node %s); give every node the same MERCATO_JWT_SECRET",
			       stored, fp);
	return MC_OK;
}
