/* Ticket queue (core/ticket_queue.h): one wait per round, for the highest
 * ticket, and every item handed back with that wait's result. */
#include "unit.h"

#include <semaphore.h>

#include "core/ticket_queue.h"

static sem_t entered, release;
static uint64_t waited[8];
static int nwaits;
static mc_rc wait_result;
static void *done_items[8];
static mc_rc done_rcs[8];
static int ndone;

/* Blocks each round until the test releases it. */
static mc_rc S_wait(uint64_t ticket)
{
	waited[nwaits++] = ticket;
	sem_post(&entered);
	sem_wait(&release);
	return wait_result;
}

static void S_done(void *item, mc_rc rc)
{
	done_items[ndone] = item;
	done_rcs[ndone++] = rc;
}

static int setup(void **state)
{
	(void)state;
	nwaits = ndone = 0;
	wait_result = MC_OK;
	sem_init(&entered, 0, 0);
	sem_init(&release, 0, 0);
	return 0;
}

static void test_rounds_group_what_arrives_during_a_wait(void **state)
{
	struct ticket_queue *q = NULL;
	int a, b, c;

	(void)state;
	assert_int_equal(ticket_queue_start(S_wait, S_done, &q), MC_OK);
	assert_int_equal(ticket_queue_add(q, &a, 1), MC_OK);
	sem_wait(&entered);
	/* Both arrive while the first round waits: one round, one wait. */
	assert_int_equal(ticket_queue_add(q, &b, 3), MC_OK);
	assert_int_equal(ticket_queue_add(q, &c, 2), MC_OK);
	wait_result = MC_ERR_INTERNAL;
	sem_post(&release);
	sem_wait(&entered);
	sem_post(&release);
	ticket_queue_stop(q);
	assert_int_equal(nwaits, 2);
	assert_int_equal(waited[0], 1);
	assert_int_equal(waited[1], 3);
	assert_int_equal(ndone, 3);
	assert_ptr_equal(done_items[0], &a);
	assert_ptr_equal(done_items[1], &b);
	assert_ptr_equal(done_items[2], &c);
	assert_int_equal(done_rcs[0], MC_ERR_INTERNAL);
	assert_int_equal(done_rcs[2], MC_ERR_INTERNAL);
}

static void test_stop_hands_back_everything_queued(void **state)
{
	struct ticket_queue *q = NULL;
	int a;

	(void)state;
	assert_int_equal(ticket_queue_start(S_wait, S_done, &q), MC_OK);
	assert_int_equal(ticket_queue_add(q, &a, 7), MC_OK);
	sem_post(&release);
	ticket_queue_stop(q);
	assert_int_equal(ndone, 1);
	assert_ptr_equal(done_items[0], &a);
	assert_int_equal(done_rcs[0], MC_OK);
	assert_int_equal(waited[0], 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rounds_group_what_arrives_during_a_wait, setup),
		cmocka_unit_test_setup(test_stop_hands_back_everything_queued, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
