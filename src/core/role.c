#include "core/role.h"

#include <string.h>

const char *role_name(mc_role r)
{
	switch (r) {
	case ROLE_BUYER: return "buyer";
	case ROLE_SELLER: return "seller";
	case ROLE_ADMIN: return "admin";
	default: return "none";
	}
}

mc_role role_parse(const char *s)
{
	if (!strcmp(s, "buyer") || !strcmp(s, "user"))
		return ROLE_BUYER;
	if (!strcmp(s, "seller"))
		return ROLE_SELLER;
	if (!strcmp(s, "admin"))
		return ROLE_ADMIN;
	return ROLE_NONE;
}
