#include "domain/pricing.h"

int pricing_on_sale(const struct sale *s, int64_t now)
{
	return s->percentage > 0 && s->start <= now && now < s->end;
}

int64_t pricing_sale_price(int64_t price, int percentage)
{
	return (price * (100 - percentage) + 50) / 100;
}

int64_t pricing_effective(int64_t price, const struct sale *s, int64_t now)
{
	return pricing_on_sale(s, now) ? pricing_sale_price(price, s->percentage) : price;
}

int64_t pricing_discount(int64_t eligible_total, int percentage)
{
	return (eligible_total * percentage + 50) / 100;
}
