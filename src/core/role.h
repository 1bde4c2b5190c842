/* Account roles. Shared by the auth middleware (route permissions) and the
 * domain (ownership rules), so it lives in core. */
#ifndef MC_ROLE_H
#define MC_ROLE_H

typedef enum mc_role {
	ROLE_NONE = 0,
	ROLE_BUYER = 1,
	ROLE_SELLER = 2,
	ROLE_ADMIN = 3,
} mc_role;

const char *role_name(mc_role r);
/* "buyer" (or its alias "user"), "seller", "admin"; ROLE_NONE if unknown. */
mc_role role_parse(const char *s);

#endif
