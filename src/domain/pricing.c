#include "domain/pricing.h"

#include "core/limits.h"
#include "core/money.h"

int pricing_on_sale(const struct sale *s, int64_t now)
{
	return s->percentage > 0 && s->start <= now && now < s->end;
}

int64_t pricing_sale_price(int64_t price, int percentage)
{
	int64_t out = price;

	/* Only a negative price or a percentage outside 0..100 fails; the
	 * database refuses both, and the price then stays as it is. */
	money_percent(price, 100 - (int64_t)percentage, &out);
	return out;
}

int64_t pricing_effective(int64_t price, const struct sale *s, int64_t now)
{
	return pricing_on_sale(s, now) ? pricing_sale_price(price, s->percentage) : price;
}

mc_rc pricing_discount(int64_t eligible_total, int percentage, int64_t *out, mc_error *err)
{
	return money_percent(eligible_total, percentage, out) ? money_overflow(err) : MC_OK;
}

mc_rc pricing_add_line(int64_t unit_price, int64_t qty, int64_t *line_total, int64_t *total, mc_error *err)
{
	int64_t line, sum;

	if (money_mul(unit_price, qty, &line) || money_add(*total, line, &sum))
		return money_overflow(err);
	*line_total = line;
	*total = sum;
	return MC_OK;
}

mc_rc pricing_check_total(int64_t total, mc_error *err)
{
	if (total <= MC_ORDER_TOTAL_MAX)
		return MC_OK;
	return mc_fail(err, MC_ERR_UNPROCESSABLE, "order_total_limit",
		       "an order may total at most %lld minor units; this one would be %lld",
		       (long long)MC_ORDER_TOTAL_MAX, (long long)total);
}
