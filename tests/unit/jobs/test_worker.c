/* The worker's and scheduler's pure parts: retry backoff with jitter, which
 * SMTP replies are permanent, and when the daily digest runs. */
#include "unit.h"

#include <stdint.h>

#include "core/limits.h"
#include "jobs/mail.h"
#include "jobs/scheduler.h"
#include "jobs/worker.h"

static void test_backoff_doubles_within_equal_jitter(void **state)
{
	(void)state;
	/* The first retry waits between half the base and the base. */
	assert_int_equal(worker_backoff_ms(1000, 1, 0), 500);
	assert_int_equal(worker_backoff_ms(1000, 1, 500), 1000);
	assert_int_equal(worker_backoff_ms(1000, 1, 501), 500);
	for (uint32_t r = 0; r < 5000; r += 7) {
		for (int64_t attempt = 1; attempt <= 5; attempt++) {
			int64_t full = 1000LL << (attempt - 1), d = worker_backoff_ms(1000, attempt, r);

			assert_in_range(d, full / 2, full);
		}
	}
	assert_int_equal(worker_backoff_ms(50, 3, 0), 100);
	assert_int_equal(worker_backoff_ms(50, 3, 100), 200);
}

static void test_backoff_is_capped(void **state)
{
	(void)state;
	assert_int_equal(worker_backoff_ms(30000, 40, 0), MC_JOB_BACKOFF_MAX_MS / 2);
	assert_int_equal(worker_backoff_ms(30000, INT64_MAX, UINT32_MAX) <= MC_JOB_BACKOFF_MAX_MS, 1);
	assert_int_equal(worker_backoff_ms(3600000, 100, (uint32_t)(MC_JOB_BACKOFF_MAX_MS / 2)),
			 MC_JOB_BACKOFF_MAX_MS);
}

static void test_only_5xx_is_permanent(void **state)
{
	(void)state;
	assert_true(mail_permanent(550));
	assert_true(mail_permanent(554));
	assert_false(mail_permanent(451));
	assert_false(mail_permanent(421));
	assert_false(mail_permanent(0));   /* no reply: refused, timed out */
	assert_false(mail_permanent(250));
}

#define DAY 86400LL
#define MIDNIGHT (20000 * DAY)

static void test_next_daily(void **state)
{
	int nine = 9 * 60;
	(void)state;

	/* Before today's time: today's time, catching up or not. */
	assert_int_equal(scheduler_next_daily(MIDNIGHT + 8 * 3600, nine, 1), MIDNIGHT + 9 * 3600);
	assert_int_equal(scheduler_next_daily(MIDNIGHT + 8 * 3600, nine, 0), MIDNIGHT + 9 * 3600);
	/* Past it: now when catching up at start, else tomorrow's. */
	assert_int_equal(scheduler_next_daily(MIDNIGHT + 15 * 3600, nine, 1), MIDNIGHT + 15 * 3600);
	assert_int_equal(scheduler_next_daily(MIDNIGHT + 15 * 3600, nine, 0), MIDNIGHT + DAY + 9 * 3600);
	assert_int_equal(scheduler_next_daily(MIDNIGHT + 9 * 3600, nine, 0), MIDNIGHT + DAY + 9 * 3600);
	assert_int_equal(scheduler_next_daily(MIDNIGHT + DAY - 1, 0, 0), MIDNIGHT + DAY);
	assert_int_equal(scheduler_next_daily(MIDNIGHT, 23 * 60 + 59, 0), MIDNIGHT + DAY - 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_within_equal_jitter),
		cmocka_unit_test(test_backoff_is_capped),
		cmocka_unit_test(test_only_5xx_is_permanent),
		cmocka_unit_test(test_next_daily),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
