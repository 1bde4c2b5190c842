#include "core/parse.h"

#include <string.h>

mc_rc mc_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	uint64_t v = 0;
	int64_t n;

	if (!p)
		return MC_ERR_INVALID;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!*p)
		return MC_ERR_INVALID;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return MC_ERR_INVALID;
		/* 2^63 is the largest magnitude any int64_t needs. */
		if (v > (UINT64_C(1) << 63) / 10)
			return MC_ERR_INVALID;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > (UINT64_C(1) << 63))
			return MC_ERR_INVALID;
	}
	if (!neg && v > (uint64_t)INT64_MAX)
		return MC_ERR_INVALID;
	n = neg ? (v == (UINT64_C(1) << 63) ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	if (n < min || n > max)
		return MC_ERR_INVALID;
	*out = n;
	return MC_OK;
}

int mc_parse_list(const char *csv, char *dst, size_t width, int max)
{
	int n = 0;

	while (csv && *csv) {
		size_t len = strcspn(csv, ",");
		const char *s = csv;

		while (len && *s == ' ')
			s++, len--;
		while (len && s[len - 1] == ' ')
			len--;
		if (len) {
			if (n >= max || len >= width)
				return -1;
			if (dst) {
				memcpy(dst + (size_t)n * width, s, len);
				dst[(size_t)n * width + len] = '\0';
			}
			n++;
		}
		csv += strcspn(csv, ",");
		if (*csv)
			csv++;
	}
	return n;
}
