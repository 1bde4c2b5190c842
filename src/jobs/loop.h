/* A background thread that sleeps between rounds and stops at once when
 * asked: its sleeps wait on a condition variable (monotonic clock) that
 * loop_stop() signals. */
#ifndef MC_LOOP_H
#define MC_LOOP_H

#include <pthread.h>
#include <stdint.h>

#include "core/result.h"

struct loop {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

/* Starts fn(arg) on a new thread. */
mc_rc loop_start(struct loop *l, void *(*fn)(void *), void *arg);
/* Sleeps up to ms (less when stopped); returns 1 once the loop must stop. */
int loop_sleep(struct loop *l, int64_t ms);
int loop_stopping(struct loop *l);
/* Asks the thread to stop, wakes it and joins it. */
void loop_stop(struct loop *l);

#endif
