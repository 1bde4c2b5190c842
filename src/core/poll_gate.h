/* A periodic re-read that one thread does for all: the first thread to find
 * it due does it, the others go on with what they have. Due means the
 * interval has passed since it last succeeded (a failed one is due again
 * at once). Used by the catalog cache's version poll and the revocation
 * epoch's. */
#ifndef MC_POLL_GATE_H
#define MC_POLL_GATE_H

#include <stdatomic.h>
#include <stdint.h>

struct poll_gate {
	_Atomic int64_t done_us; /* when it last succeeded (monotonic µs) */
	atomic_flag busy;
};

#define POLL_GATE_INIT { 0, ATOMIC_FLAG_INIT }

/* 1 when the caller is to do it now, then call poll_gate_leave(). */
static inline int poll_gate_enter(struct poll_gate *g, int64_t now_us, int64_t interval_us)
{
	return now_us - atomic_load(&g->done_us) >= interval_us && !atomic_flag_test_and_set(&g->busy);
}

static inline void poll_gate_leave(struct poll_gate *g, int64_t now_us, int ok)
{
	if (ok)
		atomic_store(&g->done_us, now_us);
	atomic_flag_clear(&g->busy);
}

#endif
