/* The order state machine (domain/orders.h): every (state, target, actor)
 * triple against an expectation written out here, independently of the
 * table in orders.c. */
#include "unit.h"

#include "domain/orders.h"

#define P ORDER_PENDING_PAYMENT
#define BUY ACTOR_BUYER
#define SEL ACTOR_SELLER
#define ADM ACTOR_ADMIN
#define PRC ACTOR_PROCESSOR
#define SYS ACTOR_SYSTEM

static const unsigned actors[] = { BUY, SEL, ADM, PRC, SYS };

/* The moves that are allowed, and to whom. */
static const struct {
	order_status from, to;
	unsigned who;
} allowed[] = {
	{ P, ORDER_PAID, ADM | PRC },
	{ P, ORDER_CANCELLED, BUY | SEL | ADM | SYS },
	{ ORDER_PAID, ORDER_PROCESSING, SEL | ADM | PRC },
	{ ORDER_PAID, ORDER_SHIPPED, SEL | ADM },
	{ ORDER_PAID, ORDER_CANCELLED, BUY | SEL | ADM },
	{ ORDER_PROCESSING, ORDER_SHIPPED, SEL | ADM },
	{ ORDER_PROCESSING, ORDER_CANCELLED, BUY | SEL | ADM },
	{ ORDER_SHIPPED, ORDER_DELIVERED, SEL | ADM },
	{ ORDER_DELIVERED, ORDER_REFUNDED, ADM },
};

/* The statuses each actor may ever set (indexed like `actors`). */
static const order_status may_set[][7] = {
	{ ORDER_CANCELLED },
	{ ORDER_PROCESSING, ORDER_SHIPPED, ORDER_DELIVERED, ORDER_CANCELLED },
	{ ORDER_PAID, ORDER_PROCESSING, ORDER_SHIPPED, ORDER_DELIVERED, ORDER_CANCELLED, ORDER_REFUNDED },
	{ ORDER_PAID, ORDER_PROCESSING },
	{ ORDER_CANCELLED },
};

static int S_may_set(size_t actor, order_status to)
{
	for (size_t i = 0; i < 7 && may_set[actor][i]; i++)
		if (may_set[actor][i] == to)
			return 1;
	return 0;
}

/* ILLEGAL when no one may go from -> to; FORBIDDEN when someone else may. */
static enum order_verdict S_expected(order_status from, order_status to, size_t actor)
{
	int edge = 0;

	if (!S_may_set(actor, to))
		return ORDER_MOVE_FORBIDDEN;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i].from != from || allowed[i].to != to)
			continue;
		edge = 1;
		if (allowed[i].who & actors[actor])
			return ORDER_MOVE_OK;
	}
	return edge ? ORDER_MOVE_FORBIDDEN : ORDER_MOVE_ILLEGAL;
}

static void test_every_triple(void **state)
{
	size_t ok = 0, forbidden = 0, illegal = 0;
	(void)state;

	for (int from = ORDER_PENDING_PAYMENT; from < ORDER_STATUS_COUNT; from++) {
		for (int to = ORDER_PENDING_PAYMENT; to < ORDER_STATUS_COUNT; to++) {
			for (size_t a = 0; a < sizeof(actors) / sizeof(actors[0]); a++) {
				enum order_verdict want = S_expected(from, to, a);
				enum order_verdict got = order_transition_check(from, to, actors[a]);

				if (got != want)
					fail_msg("%s -> %s by actor %#x: %d, expected %d", order_status_name(from),
						 order_status_name(to), actors[a], got, want);
				assert_int_equal(order_may_set(to, actors[a]), S_may_set(a, to));
				ok += want == ORDER_MOVE_OK;
				forbidden += want == ORDER_MOVE_FORBIDDEN;
				illegal += want == ORDER_MOVE_ILLEGAL;
			}
		}
	}
	/* 7 x 7 x 5 triples; the allowed ones are the 22 (move, actor) pairs above. */
	assert_int_equal(ok + forbidden + illegal, 245);
	assert_int_equal(ok, 22);
}

static void test_authorization_before_state(void **state)
{
	(void)state;

	/* A buyer may never ship or deliver: 403 on its pending order, not 409. */
	assert_int_equal(order_transition_check(P, ORDER_SHIPPED, BUY), ORDER_MOVE_FORBIDDEN);
	assert_int_equal(order_transition_check(P, ORDER_DELIVERED, BUY), ORDER_MOVE_FORBIDDEN);
	/* A seller may ship, but not a pending order. */
	assert_int_equal(order_transition_check(P, ORDER_SHIPPED, SEL), ORDER_MOVE_ILLEGAL);
	/* Marking paid is the admin's, even where the move exists. */
	assert_int_equal(order_transition_check(P, ORDER_PAID, SEL), ORDER_MOVE_FORBIDDEN);
	/* No hat at all (a seller of some lines only): never allowed. */
	assert_int_equal(order_transition_check(ORDER_PAID, ORDER_SHIPPED, 0), ORDER_MOVE_FORBIDDEN);
	/* Several hats: any one that may is enough. */
	assert_int_equal(order_transition_check(ORDER_PAID, ORDER_SHIPPED, BUY | SEL), ORDER_MOVE_OK);
	/* Terminal states go nowhere. */
	assert_int_equal(order_transition_check(ORDER_CANCELLED, ORDER_REFUNDED, ADM), ORDER_MOVE_ILLEGAL);
	assert_int_equal(order_transition_check(ORDER_REFUNDED, ORDER_CANCELLED, ADM), ORDER_MOVE_ILLEGAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_triple),
		cmocka_unit_test(test_authorization_before_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
