/* Start-up checks that keep the nodes of a cluster consistent. */
#ifndef MC_DOMAIN_CLUSTER_H
#define MC_DOMAIN_CLUSTER_H

#include "core/result.h"
#include "domain/token.h"

/* Records the fingerprint of the token signing key in the database, or
 * compares it with the one recorded by the first node: MC_ERR_CONFLICT
 * (err says what to do) when this node's key differs, since its tokens
 * and every other node's would be refused by the other side. */
mc_rc cluster_check_key(const struct token_key *key, mc_error *err);

#endif
