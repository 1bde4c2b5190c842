/* Items waiting for a ticket (a counter that only grows, such as a group
 * commit's sequence number) to be reached. One thread takes everything
 * queued, waits once for the highest ticket among it, and hands each item
 * back: what arrives meanwhile goes into the next round, so the rounds grow
 * with the load. The HTTP server queues the answers that wait for a durable
 * commit here (store_durable_wait). */
#ifndef MC_TICKET_QUEUE_H
#define MC_TICKET_QUEUE_H

#include <stdint.h>

#include "core/result.h"

/* wait blocks until the ticket is reached; done gets each item and its
 * result on the queue's thread. */
typedef mc_rc (*ticket_wait_fn)(uint64_t ticket);
typedef void (*ticket_done_fn)(void *item, mc_rc rc);

struct ticket_queue;

mc_rc ticket_queue_start(ticket_wait_fn wait, ticket_done_fn done, struct ticket_queue **out);
/* MC_ERR_INTERNAL when out of memory: the item is not queued. */
mc_rc ticket_queue_add(struct ticket_queue *q, void *item, uint64_t ticket);
/* Hands back everything queued, then joins the thread. */
void ticket_queue_stop(struct ticket_queue *q);

#endif
