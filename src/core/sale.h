/* A product's sale window: stored by store/, priced by domain/pricing. */
#ifndef MC_SALE_H
#define MC_SALE_H

#include <stdint.h>

/* The sale window [start, end) and its percentage; all zero when no sale. */
struct sale {
	int64_t start;
	int64_t end;
	int percentage;
};

#endif
