// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's vCPU gate (vmm/gate.c) without KVM: "KVM_RUN" is a wait that
 * ends when the gate kicks (immediate_exit) or after a while.  One thread
 * at a time, then 4 vCPU threads against 2 pausing threads: while a pause
 * holds, no vCPU is ever inside; every kick is undone before the next
 * entry; close stops them all and open lets them in again.
 */
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "../../vmm/gate.c"
#include "tap.h"

#define NCPU 4

static struct swvm_gate g;
static atomic_int immediate_exit[NCPU];	/* what kick sets, as kvm_run's field */
static atomic_int kicks, unkicks;
static atomic_int inside;			/* vCPUs between enter and leave */
static atomic_int paused_now;			/* pausers between pause and resume */
static atomic_int violations, runs, stale;
static atomic_int stop_pausers;
static atomic_int want_pause;			/* pausers from before pause to after resume */

static void kick(void *arg, unsigned int id, bool on)
{
	(void)arg;
	atomic_store(&immediate_exit[id], on);
	atomic_fetch_add(on ? &kicks : &unkicks, 1);
}

static void nap(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * KVM_RUN: returns at once when kicked, else after up to ~200 us.  A kick
 * seen at entry with no pause under way is one the gate failed to undo.
 */
static void fake_run(unsigned int id, unsigned int seed)
{
	if (atomic_load(&immediate_exit[id])) {
		if (!atomic_load(&want_pause))
			atomic_fetch_add(&stale, 1);
		return;
	}
	for (unsigned int i = 0; i < 20 + seed % 20; i++) {
		if (atomic_load(&paused_now))
			atomic_fetch_add(&violations, 1);
		if (atomic_load(&immediate_exit[id]))
			return;
		nap(10);
	}
}

static void *vcpu(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, seed = id * 7919u;

	while (swvm_gate_enter(&g, id)) {
		atomic_fetch_add(&inside, 1);
		if (atomic_load(&paused_now))
			atomic_fetch_add(&violations, 1);
		fake_run(id, seed++);
		atomic_fetch_add(&runs, 1);
		atomic_fetch_sub(&inside, 1);
		swvm_gate_leave(&g, id);
		nap(seed % 50);
	}
	return NULL;
}

static atomic_int npaused;

static void *pauser(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_pausers)) {
		atomic_fetch_add(&want_pause, 1);
		swvm_gate_pause(&g);
		atomic_fetch_add(&paused_now, 1);
		if (atomic_load(&inside))
			atomic_fetch_add(&violations, 1);
		nap(100);	/* the memslot change */
		if (atomic_load(&inside))
			atomic_fetch_add(&violations, 1);
		atomic_fetch_sub(&paused_now, 1);
		swvm_gate_resume(&g);
		atomic_fetch_sub(&want_pause, 1);
		atomic_fetch_add(&npaused, 1);
		nap(300);
	}
	return NULL;
}

int main(void)
{
	pthread_t v[NCPU], p[2];

	swvm_gate_init(&g, NCPU, kick, NULL);
	tap_ok(swvm_gate_enter(&g, 0), "an open gate lets a vCPU in");
	swvm_gate_leave(&g, 0);
	swvm_gate_pause(&g);
	tap_ok(kicks == 0, "a pause with nobody inside kicks nobody");
	swvm_gate_resume(&g);
	tap_ok(!swvm_gate_enter(&g, NCPU), "an id past the vCPUs is refused");

	tap_ok(swvm_gate_enter(&g, 1), "vCPU 1 in");
	swvm_gate_close(&g);
	tap_ok(kicks == 1 && immediate_exit[1], "close kicks the vCPU inside");
	swvm_gate_leave(&g, 1);
	tap_ok(!swvm_gate_enter(&g, 1) && !swvm_gate_enter(&g, 2), "closed: nobody enters");
	swvm_gate_open(&g);
	tap_ok(swvm_gate_enter(&g, 1) && !immediate_exit[1] && unkicks == 1,
	       "open again: vCPU 1 enters with its kick undone");
	swvm_gate_leave(&g, 1);

	kicks = unkicks = 0;
	for (unsigned int i = 0; i < NCPU; i++)
		pthread_create(&v[i], NULL, vcpu, (void *)(uintptr_t)i);
	for (unsigned int i = 0; i < 2; i++)
		pthread_create(&p[i], NULL, pauser, NULL);
	nap(300000);
	atomic_store(&stop_pausers, 1);
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(p[i], NULL);
	swvm_gate_close(&g);
	for (unsigned int i = 0; i < NCPU; i++)
		pthread_join(v[i], NULL);

	tap_ok(npaused > 5 && runs > 20, "%d pauses against %d runs of 4 vCPUs",
	       (int)npaused, (int)runs);
	tap_eq(violations, 0, "no vCPU inside while a pause holds");
	tap_ok(kicks > 0, "pauses kicked vCPUs out (%d kicks)", (int)kicks);
	tap_ok(kicks - unkicks <= NCPU, "every kick undone at the next entry (%d kicks, %d undone)",
	       (int)kicks, (int)unkicks);
	tap_eq(stale, 0, "no entry bounced off a stale kick");
	tap_ok(!swvm_gate_enter(&g, 0), "closed after the run");
	return tap_done();
}
