/* Account roles. Shared by the auth middleware (route permissions) and the
 * domain (ownership rules), so it lives in core. */
#ifndef MC_ROLE_H
#define MC_ROLE_H

#include <stdint.h>

typedef enum mc_role {
	ROLE_NONE = 0,
	ROLE_BUYER = 1,
	ROLE_SELLER = 2,
	ROLE_ADMIN = 3,
} mc_role;

/* Who is acting: the domain's view of an authenticated caller. */
struct actor {
	int64_t user_id;
	mc_role role;
};

const char *role_name(mc_role r);
/* "buyer" (or its alias "user"), "seller", "admin"; ROLE_NONE if unknown. */
mc_role role_parse(const char *s);

#endif
