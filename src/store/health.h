#ifndef MC_STORE_HEALTH_H
#define MC_STORE_HEALTH_H

#include <stdint.h>

#include "core/result.h"
#include "core/states.h"

/* Runs a trivial query on this thread's connection. */
mc_rc store_ping(void);

/* Outbox jobs per state (done jobs are not counted: left 0). */
mc_rc store_job_counts(int64_t counts[JOB_STATE_COUNT]);

#endif
