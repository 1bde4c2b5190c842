#include "jobs/loop.h"

#include <errno.h>
#include <time.h>

mc_rc loop_start(struct loop *l, void *(*fn)(void *), void *arg)
{
	pthread_condattr_t ca;
	int rc;

	l->stop = 0;
	if (pthread_condattr_init(&ca))
		return MC_ERR_INTERNAL;
	/* Sleeps must not stretch or shrink when the wall clock is set. */
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) || pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		return MC_ERR_INTERNAL;
	if (pthread_mutex_init(&l->mu, NULL)) {
		pthread_cond_destroy(&l->cv);
		return MC_ERR_INTERNAL;
	}
	if (pthread_create(&l->thread, NULL, fn, arg)) {
		pthread_mutex_destroy(&l->mu);
		pthread_cond_destroy(&l->cv);
		return MC_ERR_INTERNAL;
	}
	return MC_OK;
}

int loop_sleep(struct loop *l, int64_t ms)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->mu);
	while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT)
		;
	stop = l->stop;
	pthread_mutex_unlock(&l->mu);
	return stop;
}

int loop_stopping(struct loop *l)
{
	int stop;

	pthread_mutex_lock(&l->mu);
	stop = l->stop;
	pthread_mutex_unlock(&l->mu);
	return stop;
}

void loop_stop(struct loop *l)
{
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
}
