/* Finished request contexts kept per thread for the next requests: a
 * context is about 4 KiB, and a calloc of that size per request made glibc
 * consolidate its fastbins every time (docs/PERFORMANCE.md, seventh round).
 * Every block is of the one size the first caller asks for. */
#ifndef MC_HTTP_SPARES_H
#define MC_HTTP_SPARES_H

#include <stddef.h>

/* A zeroed block of size bytes, reused when this thread has one; NULL when
 * out of memory. */
void *spares_take(size_t size);
/* Keeps the block for this thread (up to MC_REQUEST_SPARES), else frees it. */
void spares_give(void *block);
/* Frees this thread's blocks. Loop threads do it as they end; call it on a
 * thread that finished requests and does not end (the server's stop). */
void spares_drop(void);

#endif
