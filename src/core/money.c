#include "core/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int money_mul(int64_t amount, int64_t n, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(amount, n, &r))
		return -1;
	*out = r;
	return 0;
}

int money_percent(int64_t amount, int64_t pct, int64_t *out)
{
	if (amount < 0 || pct < 0 || pct > 100)
		return -1;
	*out = amount / 100 * pct + (amount % 100 * pct + 50) / 100;
	return 0;
}

mc_rc money_overflow(mc_error *err)
{
	return mc_fail(err, MC_ERR_UNPROCESSABLE, "amount_overflow", "the amount is too large to compute");
}

/* ISO 4217 (list one, 2024) active codes whose minor unit is 2, sorted.
 * Left out: codes with 0, 3 or 4 decimals (JPY, KWD, CLF...), precious
 * metals, testing and "no currency" codes (XAU, XTS, XXX). */
static const char iso4217_2dp[][4] = {
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD",
	"BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY",
	"COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
	"GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR",
	"JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA",
	"MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
	"NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD",
	"SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
	"TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD",
	"XCG", "YER", "ZAR", "ZMW", "ZWG",
};

static int S_cmp_code(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

int money_currency_known(const char *code)
{
	if (strlen(code) != 3)
		return 0;
	return bsearch(code, iso4217_2dp, sizeof(iso4217_2dp) / sizeof(iso4217_2dp[0]), sizeof(iso4217_2dp[0]),
		       S_cmp_code) != NULL;
}

void money_format(int64_t minor, const char *currency, char *buf, size_t len)
{
	/* The magnitude as unsigned, so INT64_MIN formats too. */
	uint64_t mag = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;

	snprintf(buf, len, "%s %s%llu.%02llu", currency, minor < 0 ? "-" : "", (unsigned long long)(mag / 100),
		 (unsigned long long)(mag % 100));
}
