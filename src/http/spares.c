#include "http/spares.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

static __thread struct {
	void *free[MC_REQUEST_SPARES];
	int n;
} spares;
static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;

static void S_drop(void *unused)
{
	(void)unused;
	spares_drop();
}

static void S_key(void)
{
	pthread_key_create(&spares_key, S_drop);
}

void *spares_take(size_t size)
{
	void *block;

	if (spares.n) {
		block = spares.free[--spares.n];
		memset(block, 0, size);
		return block;
	}
	/* A non-NULL value makes the destructor run at this thread's end. */
	pthread_once(&spares_once, S_key);
	pthread_setspecific(spares_key, &spares);
	return calloc(1, size);
}

void spares_give(void *block)
{
	if (spares.n < MC_REQUEST_SPARES)
		spares.free[spares.n++] = block;
	else
		free(block);
}

void spares_drop(void)
{
	while (spares.n)
		free(spares.free[--spares.n]);
}
