#include "core/ticket_queue.h"

#include <pthread.h>
#include <stdlib.h>

struct ticket_item {
	void *item;
	uint64_t ticket;
};

struct ticket_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	ticket_wait_fn wait;
	ticket_done_fn done;
	struct ticket_item *items, *round; /* queued; being handed back */
	size_t n, cap, round_cap;
	int stopping;
};

static void *S_run(void *arg)
{
	struct ticket_queue *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct ticket_item *swap;
		uint64_t max = 0;
		size_t n, cap;
		mc_rc rc;

		while (!q->n && !q->stopping)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->n)
			break;
		/* Take the whole queue; adders fill the other array meanwhile. */
		swap = q->round;
		cap = q->round_cap;
		q->round = q->items;
		q->round_cap = q->cap;
		q->items = swap;
		q->cap = cap;
		n = q->n;
		q->n = 0;
		pthread_mutex_unlock(&q->mu);
		for (size_t i = 0; i < n; i++)
			if (q->round[i].ticket > max)
				max = q->round[i].ticket;
		rc = q->wait(max);
		for (size_t i = 0; i < n; i++)
			q->done(q->round[i].item, rc);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

mc_rc ticket_queue_start(ticket_wait_fn wait, ticket_done_fn done, struct ticket_queue **out)
{
	struct ticket_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return MC_ERR_INTERNAL;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->wait = wait;
	q->done = done;
	if (pthread_create(&q->thread, NULL, S_run, q)) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		free(q);
		return MC_ERR_INTERNAL;
	}
	*out = q;
	return MC_OK;
}

mc_rc ticket_queue_add(struct ticket_queue *q, void *item, uint64_t ticket)
{
	mc_rc rc = MC_OK;

	pthread_mutex_lock(&q->mu);
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct ticket_item *grown = realloc(q->items, cap * sizeof(*grown));

		if (!grown) {
			rc = MC_ERR_INTERNAL;
			goto out;
		}
		q->items = grown;
		q->cap = cap;
	}
	q->items[q->n].item = item;
	q->items[q->n].ticket = ticket;
	q->n++;
	pthread_cond_signal(&q->cv);
out:
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void ticket_queue_stop(struct ticket_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->items);
	free(q->round);
	free(q);
}
