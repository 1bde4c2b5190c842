/* The connection guard (http/guard.h): per-address counts, deadlines
 * enforced on real sockets, the body budget. Time is passed in. */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/guard.h"

#define T0 1000000000LL
#define SEC 1000000LL

static struct sockaddr_in S_v4(unsigned a, unsigned b)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl((10u << 24) | (a << 8) | b);
	return sa;
}

static struct guard *S_guard(long per_address)
{
	struct guard_opts o = { .max_per_address = per_address, .request_us = 3 * SEC, .idle_us = 30 * SEC,
				.body_budget = 1000 };
	struct guard *g = NULL;

	assert_int_equal(guard_start(&o, &g), MC_OK);
	return g;
}

static void test_per_address_cap(void **state)
{
	struct guard *g = S_guard(2);
	struct sockaddr_in a = S_v4(0, 1), b = S_v4(0, 2);
	struct guard_conn *c1, *c2, *c3;
	(void)state;

	assert_true(guard_admit(g, (struct sockaddr *)&a, 0));
	c1 = guard_open(g, -1, (struct sockaddr *)&a, 0, T0);
	c2 = guard_open(g, -1, (struct sockaddr *)&a, 0, T0);
	/* Its address as text, written once for the requests to come. */
	assert_string_equal(guard_conn_peer(c1), "10.0.0.1");
	assert_string_equal(guard_conn_peer(NULL), "unknown");
	assert_false(guard_admit(g, (struct sockaddr *)&a, 0));
	assert_true(guard_admit(g, (struct sockaddr *)&b, 0));
	/* A trusted proxy is never counted, nor refused. */
	assert_true(guard_admit(g, (struct sockaddr *)&a, 1));
	c3 = guard_open(g, -1, (struct sockaddr *)&a, 1, T0);
	guard_close(g, c3);
	assert_false(guard_admit(g, (struct sockaddr *)&a, 0));
	guard_close(g, c1);
	assert_true(guard_admit(g, (struct sockaddr *)&a, 0));
	guard_close(g, c2);
	guard_stop(g);
}

/* Many addresses come and go: every count stays right (the table's
 * deletions keep each address reachable). */
static void test_counts_survive_churn(void **state)
{
	static struct guard_conn *conns[3000];
	struct guard *g = S_guard(1);
	struct sockaddr_in sa;
	(void)state;

	for (unsigned i = 0; i < 3000; i++) {
		sa = S_v4(i / 256, i % 256);
		conns[i] = guard_open(g, -1, (struct sockaddr *)&sa, 0, T0);
		assert_non_null(conns[i]);
	}
	for (unsigned i = 0; i < 3000; i += 2)
		guard_close(g, conns[i]);
	for (unsigned i = 0; i < 3000; i++) {
		sa = S_v4(i / 256, i % 256);
		assert_int_equal(guard_admit(g, (struct sockaddr *)&sa, 0), i % 2 == 0);
	}
	for (unsigned i = 1; i < 3000; i += 2)
		guard_close(g, conns[i]);
	for (unsigned i = 0; i < 3000; i++) {
		sa = S_v4(i / 256, i % 256);
		assert_true(guard_admit(g, (struct sockaddr *)&sa, 0));
	}
	guard_stop(g);
}

static int S_peer_closed(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static void test_deadlines(void **state)
{
	struct guard *g = S_guard(10);
	struct sockaddr_in a = S_v4(1, 1);
	struct guard_conn *c;
	int sv[2];
	(void)state;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c = guard_open(g, sv[0], (struct sockaddr *)&a, 0, T0);
	/* The first request has 3 s from the connection's start. */
	assert_int_equal(guard_sweep(g, T0 + 2 * SEC), 0);
	guard_request_started(g, c, T0 + 2 * SEC); /* never later than the first deadline */
	assert_int_equal(guard_sweep(g, T0 + 3 * SEC - 1), 0);
	/* Read in full: no deadline while it is answered. */
	guard_request_read(g, c);
	assert_int_equal(guard_sweep(g, T0 + 100 * SEC), 0);
	/* Answered: 30 s to start the next request, then 3 s to send it. */
	guard_request_done(g, c, T0 + 10 * SEC);
	assert_int_equal(guard_sweep(g, T0 + 42 * SEC), 0);
	guard_request_started(g, c, T0 + 20 * SEC);
	assert_false(S_peer_closed(sv[1]));
	assert_int_equal(guard_sweep(g, T0 + 23 * SEC + 1), 1);
	assert_true(S_peer_closed(sv[1]));
	/* Once. */
	assert_int_equal(guard_sweep(g, T0 + 100 * SEC), 0);
	guard_close(g, c);
	close(sv[0]);
	close(sv[1]);
	guard_stop(g);
}

static void test_body_budget(void **state)
{
	struct guard *g = S_guard(10);
	(void)state;

	assert_true(guard_body_reserve(g, 600));
	assert_false(guard_body_reserve(g, 401));
	assert_true(guard_body_reserve(g, 400));
	assert_false(guard_body_reserve(g, 1));
	guard_body_release(g, 600);
	assert_true(guard_body_reserve(g, 600));
	assert_false(guard_body_reserve(g, (size_t)-1));
	guard_body_release(g, 1000);
	assert_true(guard_body_reserve(g, 1000));
	guard_body_release(g, 1000);
	guard_stop(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_address_cap),
		cmocka_unit_test(test_counts_survive_churn),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_body_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
