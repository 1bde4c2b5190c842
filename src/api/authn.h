/* Bearer-token authentication for the HTTP layer (http_authenticator). */
#ifndef MC_AUTHN_H
#define MC_AUTHN_H

#include "core/result.h"
#include "http/http.h"

/* Signature, expiry, revocation; fills the principal on success. */
mc_rc api_authenticate(const char *token, struct http_principal *out, mc_error *err);

#endif
