/* Email rendering (jobs/render.h): order lines and totals as money, HTML
 * escaping, every kind, and refusal of bad payloads. */
#include "unit.h"

#include <string.h>

#include "jobs/render.h"

static const char order_payload[] =
	"{\"to\":\"asha@example.com\",\"name\":\"Asha\",\"order\":{\"id\":42,\"status\":\"pending_payment\","
	"\"currency\":\"INR\",\"originalTotal\":10998,\"discount\":1100,\"total\":9898,\"couponCode\":\"SAVE10\","
	"\"items\":[{\"name\":\"Mug <b>&\",\"qty\":2,\"unitPrice\":4999,\"lineTotal\":9998},"
	"{\"name\":\"Tea\",\"qty\":1,\"unitPrice\":1000,\"lineTotal\":1000}]}}";

static void test_order_placed(void **state)
{
	struct email e;
	(void)state;

	assert_int_equal(render_email(EMAIL_ORDER_PLACED, order_payload, &e), MC_OK);
	assert_string_equal(e.to, "asha@example.com");
	assert_string_equal(e.subject, "Your order #42: received");
	assert_int_equal(e.ref, 42);
	assert_non_null(strstr(e.text, "Hello Asha,\n\n"));
	assert_non_null(strstr(e.text, "Order #42, now pending payment:"));
	assert_non_null(strstr(e.text, "2 x Mug <b>& at INR 49.99: INR 99.98\n1 x Tea at INR 10.00: INR 10.00\n"));
	assert_non_null(strstr(e.text, "Subtotal: INR 109.98\nDiscount (SAVE10): -INR 11.00\nTotal: INR 98.98\n"));
	assert_non_null(strstr(e.html, "<tr><td>Mug &lt;b&gt;&amp;</td><td>2</td><td>INR 49.99</td><td>INR 99.98</td></tr>"));
	assert_non_null(strstr(e.html, "<div>Total: INR 98.98</div>"));
	assert_null(strstr(e.html, "<b>"));
	email_release(&e);
}

static void test_cancelled_and_refunded(void **state)
{
	static const char p[] =
		"{\"to\":\"a@b.c\",\"name\":\"A\",\"order\":{\"id\":7,\"status\":\"refunded\",\"currency\":\"INR\","
		"\"originalTotal\":500,\"discount\":0,\"total\":500,\"cancelReason\":\"not paid in time\","
		"\"items\":[{\"name\":\"Pen\",\"qty\":1,\"unitPrice\":500,\"lineTotal\":500}]}}";
	struct email e;
	(void)state;

	assert_int_equal(render_email(EMAIL_ORDER_CANCELLED, p, &e), MC_OK);
	assert_string_equal(e.subject, "Your order #7: cancelled");
	assert_non_null(strstr(e.text, "Reason: not paid in time"));
	assert_non_null(strstr(e.text, "Your payment has been refunded in full."));
	assert_null(strstr(e.text, "Discount"));
	assert_non_null(strstr(e.text, "Total: INR 5.00"));
	email_release(&e);
}

static void test_other_kinds(void **state)
{
	static const char welcome[] = "{\"to\":\"a@b.c\",\"name\":\"O'Brien\",\"userId\":3,\"role\":\"seller\"}";
	static const char sale[] =
		"{\"to\":\"a@b.c\",\"name\":\"A\",\"userId\":3,\"product\":{\"id\":9,\"name\":\"Pot & <Pan>\","
		"\"price\":10000,\"salePrice\":8000,\"percentage\":20,\"currency\":\"INR\",\"saleEnd\":1800000000}}";
	static const char digest[] =
		"{\"to\":\"a@b.c\",\"name\":\"A\",\"userId\":3,\"products\":[{\"id\":9,\"name\":\"Lamp\",\"price\":5000,"
		"\"salePrice\":4500,\"percentage\":10,\"currency\":\"INR\",\"saleEnd\":1800000000}]}";
	struct email e;
	(void)state;

	assert_int_equal(render_email(EMAIL_WELCOME, welcome, &e), MC_OK);
	assert_string_equal(e.subject, "Welcome to Mercato, O'Brien");
	assert_int_equal(e.ref, 3);
	assert_non_null(strstr(e.html, "Hello O&#39;Brien,"));
	email_release(&e);

	assert_int_equal(render_email(EMAIL_SALE_START, sale, &e), MC_OK);
	assert_string_equal(e.subject, "On sale now: Pot & <Pan>, 20% off");
	assert_int_equal(e.ref, 9);
	assert_non_null(strstr(e.text, "Pot & <Pan> from your wishlist is on sale: INR 80.00 instead of INR 100.00"
				       " (20% off) until 2027-01-15T08:00:00Z."));
	assert_non_null(strstr(e.html, "Pot &amp; &lt;Pan&gt;"));
	email_release(&e);

	assert_int_equal(render_email(EMAIL_PROMO_DIGEST, digest, &e), MC_OK);
	assert_string_equal(e.subject, "Today's deals at Mercato");
	assert_non_null(strstr(e.text, "Lamp: INR 45.00 instead of INR 50.00 (10% off)"));
	assert_non_null(strstr(e.html, "<td>Lamp</td><td>10%</td><td>INR 50.00</td><td>INR 45.00</td>"));
	email_release(&e);
}

/* The reset email carries the link, escaped in HTML, and its lifetime. */
static void test_password_reset(void **state)
{
	static const char reset[] = "{\"to\":\"ann@example.test\",\"name\":\"Ann\",\"userId\":5,"
				    "\"link\":\"https://shop.example/#/reset?token=ab&x=<1>\",\"validMinutes\":30}";
	struct email e;
	(void)state;

	assert_int_equal(render_email(EMAIL_PASSWORD_RESET, reset, &e), MC_OK);
	assert_string_equal(e.subject, "Reset your Mercato password");
	assert_int_equal(e.ref, 5);
	assert_non_null(strstr(e.text, "account ann@example.test"));
	assert_non_null(strstr(e.text, "within 30 minutes"));
	assert_non_null(strstr(e.text, "\nhttps://shop.example/#/reset?token=ab&x=<1>\n"));
	assert_non_null(strstr(e.html, "<a href=\"https://shop.example/#/reset?token=ab&amp;x=&lt;1&gt;\">"));
	email_release(&e);
}

static void test_bad_payloads(void **state)
{
	static const struct {
		email_kind kind;
		const char *payload;
	} bad[] = {
		{ EMAIL_ORDER_PLACED, "not json" },
		{ EMAIL_ORDER_PLACED, "{\"to\":\"a@b.c\",\"name\":\"A\"}" },
		{ EMAIL_ORDER_PLACED, "{\"to\":\"a@b.c\",\"name\":\"A\",\"order\":{\"id\":1}}" },
		{ EMAIL_ORDER_PLACED, "{\"to\":\"a@b.c\",\"name\":\"A\",\"order\":{\"id\":1,\"status\":\"paid\","
				      "\"currency\":\"INR\",\"originalTotal\":1,\"discount\":0,\"total\":1,\"items\":[{}]}}" },
		{ EMAIL_WELCOME, "{\"to\":\"a@b.c\"}" },
		/* A job whose kind this build does not know (read back as none). */
		{ EMAIL_NONE, "{\"to\":\"a@b.c\",\"name\":\"A\"}" },
		{ EMAIL_KIND_COUNT, "{\"to\":\"a@b.c\",\"name\":\"A\"}" },
		{ EMAIL_SALE_START, "{\"to\":\"a@b.c\",\"name\":\"A\",\"product\":{\"id\":1}}" },
		{ EMAIL_PROMO_DIGEST, "{\"to\":\"a@b.c\",\"name\":\"A\",\"userId\":1,\"products\":{}}" },
		{ EMAIL_PASSWORD_RESET, "{\"to\":\"a@b.c\",\"name\":\"A\",\"userId\":1,\"validMinutes\":30}" },
		/* A To no account could have: it would add headers of its own. */
		{ EMAIL_WELCOME, "{\"to\":\"a@b.c\\r\\nBcc: x@y.z\",\"name\":\"A\",\"userId\":1,\"role\":\"buyer\"}" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct email e;

		if (render_email(bad[i].kind, bad[i].payload, &e) != MC_ERR_INVALID)
			fail_msg("%s %s was rendered", email_kind_name(bad[i].kind), bad[i].payload);
		assert_null(e.subject);
		assert_null(e.text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_placed),
		cmocka_unit_test(test_cancelled_and_refunded),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_password_reset),
		cmocka_unit_test(test_bad_payloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
