#ifndef MC_STORE_HEALTH_H
#define MC_STORE_HEALTH_H

#include "core/result.h"

/* Runs a trivial query on this thread's connection. */
mc_rc store_ping(void);

#endif
