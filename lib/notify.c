// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The guest notification queue: poisoned GPAs the guest agent has not yet
 * acknowledged, oldest first.  Small (tens of entries), so a plain array
 * kept in order is simpler and faster than anything cleverer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int sw_notify_init(struct sw_notify *nq, uint32_t cap)
{
	memset(nq, 0, sizeof(*nq));
	nq->ring = calloc(cap, sizeof(*nq->ring));
	if (!nq->ring)
		return -ENOMEM;
	nq->cap = cap;
	nq->next_seq = 1;
	return 0;
}

void sw_notify_fini(struct sw_notify *nq)
{
	free(nq->ring);
	nq->ring = NULL;
}

/* Returns the notice's sequence number (> 0) or -ENOSPC. */
int sw_notify_push(struct sw_notify *nq, uint64_t gpa, uint64_t size)
{
	struct seawall_notice *n;

	for (uint32_t i = 0; i < nq->n; i++)
		if (nq->ring[i].gpa == gpa)
			return 0;
	if (nq->n == nq->cap)
		return -ENOSPC;
	n = &nq->ring[nq->n++];
	n->seq = nq->next_seq++;
	n->gpa = gpa;
	n->size = size;
	return 1;
}

static void drop(struct sw_notify *nq, uint32_t i)
{
	memmove(&nq->ring[i], &nq->ring[i + 1], (nq->n - i - 1) * sizeof(*nq->ring));
	nq->n--;
}

/* Acknowledge the notice covering gpa. 1, or -ENOENT. */
int sw_notify_ack_gpa(struct sw_notify *nq, uint64_t gpa)
{
	for (uint32_t i = 0; i < nq->n; i++) {
		struct seawall_notice *n = &nq->ring[i];

		if (gpa >= n->gpa && gpa - n->gpa < n->size) {
			drop(nq, i);
			return 1;
		}
	}
	return -ENOENT;
}

/* Acknowledge every notice up to and including seq; returns how many. */
int sw_notify_ack_seq(struct sw_notify *nq, uint64_t seq)
{
	int k = 0;

	if (seq == 0 || seq >= nq->next_seq)
		return -ENOENT;
	while (nq->n && nq->ring[0].seq <= seq) {
		drop(nq, 0);
		k++;
	}
	return k;
}
