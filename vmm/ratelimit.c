// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * A rate limit for lines a guest can make swvm write (undecodable
 * accesses, unknown MMIO, one per exit or event): at most burst lines per
 * interval, and when an interval with suppressed lines is over, the next
 * caller learns how many were dropped, to say so in one line.  And the
 * pace of a guest that keeps touching pages it has been told are bad.  The
 * clock is the caller's, so that tests run on a counter.
 */
#include "swvm.h"

bool swvm_ratelimit(struct swvm_ratelimit *rl, uint64_t now_ns, unsigned long *suppressed)
{
	bool ok;

	*suppressed = 0;
	pthread_mutex_lock(&rl->lock);
	if (!rl->begin_ns || now_ns - rl->begin_ns >= rl->interval_ns || now_ns < rl->begin_ns) {
		/* A new interval: report what the last one dropped. */
		*suppressed = rl->missed;
		rl->missed = 0;
		rl->begin_ns = now_ns ? now_ns : 1;
		rl->printed = 0;
	}
	ok = rl->printed < rl->burst;
	if (ok)
		rl->printed++;
	else
		rl->missed++;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

unsigned long swvm_ratelimit_flush(struct swvm_ratelimit *rl)
{
	unsigned long n;

	pthread_mutex_lock(&rl->lock);
	n = rl->missed;
	rl->missed = 0;
	pthread_mutex_unlock(&rl->lock);
	return n;
}

/*
 * A generic cell rate: each call takes the next slot interval_ns after the
 * last one taken, and up to burst slots (the one due now included) may be
 * taken ahead of the clock.
 * Whoever takes a slot further ahead than that waits until it is due, so
 * however many vCPUs call, calls pass at 1/interval_ns on average.
 */
uint64_t swvm_pace(struct swvm_pace *p, uint64_t now_ns)
{
	uint64_t slot, ahead = (uint64_t)(p->burst ? p->burst - 1 : 0) * p->interval_ns, wait = 0;

	pthread_mutex_lock(&p->lock);
	slot = p->next_ns > now_ns ? p->next_ns : now_ns;
	if (slot - now_ns > ahead)
		wait = slot - now_ns - ahead;
	p->next_ns = slot + p->interval_ns;
	if (wait) {
		p->paced++;
		p->waited_ns += wait;
	}
	pthread_mutex_unlock(&p->lock);
	return wait;
}
