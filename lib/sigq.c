// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The SIGBUS queue.  Producers are signal handlers on any thread, so the
 * push side takes no lock and calls nothing but atomics: each cell carries
 * a sequence number that says whether it is free for the lap a producer is
 * on, or filled for the lap the consumer is on.  A producer interrupted
 * between claiming a cell and publishing it only delays the consumer,
 * which stops at that cell and picks it up on its next drain.  When the
 * ring is full the record is counted, never silently dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the SIGBUS queue needs lock-free 64-bit atomics");

int sw_sigq_init(struct sw_sigq *q, uint32_t capacity)
{
	uint32_t cap = 2;

	memset(q, 0, sizeof(*q));
	while (cap < capacity)
		cap <<= 1;
	q->rec = calloc(cap, sizeof(*q->rec));
	if (!q->rec)
		return -ENOMEM;
	for (uint32_t i = 0; i < cap; i++)
		atomic_init(&q->rec[i].seq, i);
	q->mask = cap - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->overflow, 0);
	atomic_init(&q->taken, 0);
	atomic_init(&q->overflow_seen, 0);
	return 0;
}

void sw_sigq_fini(struct sw_sigq *q)
{
	free(q->rec);
	q->rec = NULL;
}

int sw_sigq_push(struct sw_sigq *q, uint64_t addr, int code, int lsb, int tid)
{
	uint64_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);

	for (;;) {
		struct sw_sigrec *r = &q->rec[pos & q->mask];
		uint64_t seq = atomic_load_explicit(&r->seq, memory_order_acquire);
		int64_t dif = (int64_t)(seq - pos);

		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed)) {
				r->addr = addr;
				r->code = code;
				r->lsb = (int16_t)lsb;
				r->tid = tid;
				atomic_store_explicit(&r->seq, pos + 1, memory_order_release);
				return 0;
			}
		} else if (dif < 0) {
			atomic_fetch_add_explicit(&q->overflow, 1, memory_order_relaxed);
			return -ENOSPC;
		} else {
			pos = atomic_load_explicit(&q->head, memory_order_relaxed);
		}
	}
}

/* Single consumer (the context lock is held). 1: got one, 0: empty. */
int sw_sigq_pop(struct sw_sigq *q, uint64_t *addr, int *code, int *lsb, int *tid)
{
	struct sw_sigrec *r = &q->rec[q->tail & q->mask];
	uint64_t seq = atomic_load_explicit(&r->seq, memory_order_acquire);

	if (seq != q->tail + 1)
		return 0;
	*addr = r->addr;
	*code = r->code;
	*lsb = r->lsb;
	*tid = r->tid;
	atomic_store_explicit(&r->seq, q->tail + q->mask + 1, memory_order_release);
	q->tail++;
	atomic_store_explicit(&q->taken, q->tail, memory_order_release);
	return 1;
}

/*
 * Any thread, no lock: nothing was pushed that the consumer has not taken,
 * and nothing was lost that it has not accounted.  A VMM asks after every
 * KVM_RUN, so the answer for an idle queue costs two pairs of loads.  A
 * producer still between claiming a cell and publishing it makes the
 * queue look busy; the consumer then finds nothing to pop, as before.
 */
bool sw_sigq_idle(struct sw_sigq *q)
{
	return atomic_load_explicit(&q->head, memory_order_acquire) ==
	       atomic_load_explicit(&q->taken, memory_order_acquire) &&
	       atomic_load_explicit(&q->overflow, memory_order_relaxed) ==
	       atomic_load_explicit(&q->overflow_seen, memory_order_relaxed);
}
