#include "core/money.h"

#include <stdio.h>

void money_format(int64_t minor, const char *currency, char *buf, size_t len)
{
	/* The magnitude as unsigned, so INT64_MIN formats too. */
	uint64_t mag = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;

	snprintf(buf, len, "%s %s%llu.%02llu", currency, minor < 0 ? "-" : "", (unsigned long long)(mag / 100),
		 (unsigned long long)(mag % 100));
}
