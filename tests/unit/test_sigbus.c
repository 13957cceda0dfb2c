// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * SIGBUS intake: seawall_sigbus_record() from real SIGBUS handlers on
 * several threads while those threads are themselves in the middle of
 * recording (so handlers nest inside producers), plus direct calls from
 * many threads at once.  Linux refuses a forged BUS_MCEERR_* si_code sent
 * to another thread, so the burst uses tgkill and the handler supplies the
 * address from a per-thread table; the real siginfo path (code, address,
 * lsb as memory_failure() fills them) is exercised by the main thread
 * signalling itself.  Nothing may be lost up to
 * the queue capacity; past it the loss is counted, reported as an event
 * and turned into a restart request.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seawall.h>
#include "tap.h"

#define THREADS	8
#define PER	100
#define SIGTHREADS 4
#define ROUNDS	50

static struct seawall_ctx *g_ctx;
static uint8_t *mem;
static atomic_int handled[SIGTHREADS];
static atomic_int stop, ready;
static atomic_int bad_record;
static pid_t tids[SIGTHREADS];

#define DIRECT	200

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	pid_t me = (pid_t)syscall(SYS_gettid);
	int saved = errno;

	(void)sig;
	(void)uc;
	if (si->si_code == BUS_MCEERR_AO || si->si_code == BUS_MCEERR_AR) {
		if (seawall_sigbus_record(g_ctx, si->si_addr, si->si_code, si->si_addr_lsb))
			atomic_fetch_add(&bad_record, 1);
		errno = saved;
		return;
	}
	for (int i = 0; i < SIGTHREADS; i++) {
		if (tids[i] != me)
			continue;
		/* Round r of thread i poisons page r * SIGTHREADS + i. */
		if (seawall_sigbus_record(g_ctx, mem + ((size_t)atomic_load(&handled[i]) *
							SIGTHREADS + (size_t)i) * 4096,
					  BUS_MCEERR_AO, 12))
			atomic_fetch_add(&bad_record, 1);
		atomic_fetch_add(&handled[i], 1);
	}
	errno = saved;
}

static void *sig_thread(void *arg)
{
	int i = (int)(intptr_t)arg;

	tids[i] = (pid_t)syscall(SYS_gettid);
	atomic_fetch_add(&ready, 1);
	/* Record directly while the signals land on top of us. */
	for (int k = 0; k < DIRECT; k++) {
		if (seawall_sigbus_record(g_ctx, mem + (1024 + (size_t)i * DIRECT + (size_t)k) * 4096,
					  BUS_MCEERR_AO, 12))
			atomic_fetch_add(&bad_record, 1);
		if (k % 8 == 0)
			usleep(100);
	}
	while (!atomic_load(&stop))
		usleep(200);
	return NULL;
}

static void *direct_thread(void *arg)
{
	int t = (int)(intptr_t)arg;

	for (int i = 0; i < PER; i++)
		if (seawall_sigbus_record(g_ctx, mem + ((size_t)t * PER + (size_t)i) * 4096 + 8,
					  BUS_MCEERR_AO, 12))
			atomic_fetch_add(&bad_record, 1);
	return NULL;
}

static int kick(pid_t tid)
{
	return (int)syscall(SYS_tgkill, getpid(), tid, SIGBUS);
}

static int send_sigbus(pid_t tid, void *addr, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGBUS;
	si.si_code = code;
	si.si_addr = addr;
	si.si_addr_lsb = 12;
	return (int)syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGBUS, &si);
}

static int overflow_events;
static uint64_t overflow_count;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == SEAWALL_EV_SIGBUS_OVERFLOW) {
		overflow_events++;
		overflow_count += ev->count;
	}
}

static struct seawall_ctx *make_ctx(unsigned int cap)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_ctx *ctx;

	o.sigbus_capacity = cap;
	o.strategy = SEAWALL_ISOLATE_NONE;
	o.event_fn = on_event;
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		return NULL;
	ro.gpa = 0x80000000;
	ro.size = 16 << 20;
	ro.hva = mem;
	seawall_region_add(ctx, &ro);
	po.restart_after_pages = SEAWALL_POLICY_NEVER;
	seawall_ctx_set_policy(ctx, &po);
	return ctx;
}

/*
 * The idle path: a VMM calls handle_pending after every KVM_RUN, on every
 * vCPU thread.  With nothing queued it must return at once, without the
 * context lock: here it is called from another thread while this one holds
 * the lock (inside a memslot change of an isolation).
 */
static atomic_int idle_result = 99;

static void *idle_thread(void *arg)
{
	atomic_store(&idle_result, seawall_ctx_handle_pending(arg, -1, NULL));
	return NULL;
}

static struct seawall_ctx *idle_ctx;
static int idle_under_lock, idle_seen = 99;

static int set_slot_check_idle(void *arg, const struct seawall_memslot *slot)
{
	pthread_t t;
	struct timespec ts;

	(void)arg;
	(void)slot;
	if (idle_under_lock++)
		return 0;
	atomic_store(&idle_result, 99);
	pthread_create(&t, NULL, idle_thread, idle_ctx);
	for (int i = 0; i < 2000 && atomic_load(&idle_result) == 99; i++) {
		ts.tv_sec = 0;
		ts.tv_nsec = 1000000;
		nanosleep(&ts, NULL);
	}
	idle_seen = atomic_load(&idle_result);	/* before the lock is let go */
	pthread_detach(t);
	return 0;
}

int main(void)
{
	struct seawall_outcome out;
	struct seawall_stats st;
	pthread_t th[THREADS];
	struct sigaction sa;
	int n, lost = 0;

	mem = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		tap_skip_all("no memory");

	/* Direct calls from many threads at once. */
	g_ctx = make_ctx(1024);
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, direct_thread, (void *)(intptr_t)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	tap_eq(atomic_load(&bad_record), 0, "%d concurrent records all accepted", THREADS * PER);
	n = seawall_ctx_handle_pending(g_ctx, -1, &out);
	tap_eq(n, THREADS * PER, "handle_pending drains every record");
	tap_eq(seawall_ledger_count(g_ctx), THREADS * PER, "one ledger page per distinct address");
	seawall_ctx_get_stats(g_ctx, &st);
	tap_eq(st.events[SEAWALL_SRC_SIGBUS_AO], THREADS * PER, "counted as SIGBUS AO events");
	tap_eq(st.sigbus_overflows, 0, "no overflow");
	tap_ok(!(out.actions & SEAWALL_ACT_INJECT), "AO is never injected");
	tap_eq(seawall_ctx_handle_pending(g_ctx, -1, NULL), 0, "queue is empty afterwards");
	seawall_ctx_free(g_ctx);

	/* Real SIGBUS signals, handled on several threads. */
	g_ctx = make_ctx(2048);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGBUS, &sa, NULL);
	for (int t = 0; t < SIGTHREADS; t++)
		pthread_create(&th[t], NULL, sig_thread, (void *)(intptr_t)t);
	while (atomic_load(&ready) < SIGTHREADS)
		usleep(100);
	for (int r = 0; r < ROUNDS; r++) {
		/* SIGBUS is not a queued signal: one in flight per thread. */
		for (int t = 0; t < SIGTHREADS; t++)
			if (kick(tids[t]))
				lost++;
		for (int t = 0; t < SIGTHREADS; t++)
			for (int w = 0; atomic_load(&handled[t]) < r + 1; w++) {
				if (w == 100000) {	/* 5 s: a signal went missing */
					lost++;
					break;
				}
				usleep(50);
			}
	}
	atomic_store(&stop, 1);
	for (int t = 0; t < SIGTHREADS; t++)
		pthread_join(th[t], NULL);
	tap_eq(lost, 0, "%d SIGBUS signals sent to %d busy threads", ROUNDS * SIGTHREADS, SIGTHREADS);
	tap_eq(atomic_load(&bad_record), 0, "every record, in handlers and under them, accepted");
	n = seawall_ctx_handle_pending(g_ctx, -1, &out);
	tap_eq(n, ROUNDS * SIGTHREADS + SIGTHREADS * DIRECT,
	       "every signal's and every direct record reaches handle_pending");
	tap_eq(seawall_ledger_count(g_ctx), ROUNDS * SIGTHREADS + SIGTHREADS * DIRECT,
	       "each as its own ledger page");

	/* The kernel's siginfo: code, address and lsb as memory_failure() sends them. */
	send_sigbus((pid_t)syscall(SYS_gettid), mem + 3000 * 4096 + 0x123, BUS_MCEERR_AO);
	n = seawall_ctx_handle_pending(g_ctx, -1, &out);
	tap_ok(n == 1 && out.gpa == 0x80000000ull + 3000 * 4096 + 0x123 &&
	       out.page_gpa == 0x80000000ull + 3000 * 4096 && !(out.actions & SEAWALL_ACT_INJECT),
	       "a real BUS_MCEERR_AO siginfo: address translated, not injected");
	{
		struct seawall_page pg;

		tap_ok(seawall_ledger_lookup(g_ctx, 0x80000000 + 37 * 4096, &pg) == 0 &&
		       pg.source == SEAWALL_SRC_SIGBUS_AO && pg.hits == 1,
		       "the guest page behind a signalled host address is in the ledger");
	}

	/* AR on this thread: an abort is due for this thread's vCPU. */
	send_sigbus((pid_t)syscall(SYS_gettid), mem + 999 * 4096, BUS_MCEERR_AR);
	n = seawall_ctx_handle_pending(g_ctx, -1, &out);
	tap_ok(n == 1 && (out.actions & SEAWALL_ACT_INJECT_DABT) && out.gpa == 0x80000000 + 999 * 4096,
	       "AR taken on this thread: data abort for this vCPU, gpa translated");
	seawall_ctx_free(g_ctx);

	/* Overflow: counted, reported, restart requested. */
	g_ctx = make_ctx(16);
	for (int i = 0; i < 20; i++)
		seawall_sigbus_record(g_ctx, mem + (size_t)i * 4096, BUS_MCEERR_AO, 12);
	tap_eq(seawall_sigbus_record(g_ctx, mem, BUS_MCEERR_AO, 12), -ENOSPC,
	       "a full queue says -ENOSPC");
	n = seawall_ctx_handle_pending(g_ctx, -1, &out);
	tap_eq(n, 16, "the 16 queued records are handled");
	tap_ok(overflow_events == 1 && overflow_count == 5, "one overflow event for the 5 lost");
	tap_ok((out.actions & SEAWALL_ACT_RESTART) && out.restart_reason == SEAWALL_RESTART_LOST,
	       "lost records request a restart");
	seawall_ctx_get_stats(g_ctx, &st);
	tap_eq(st.sigbus_overflows, 5, "overflow counter");
	{
		char buf[4096];

		seawall_metrics_render(g_ctx, buf, sizeof(buf));
		tap_ok(strstr(buf, "\nseawall_sigbus_queue_overflows_total 5\n") != NULL,
		       "and in the metrics");
	}

	/* Idle: no lock taken, not even while another thread holds it. */
	{
		SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
		SEAWALL_OPTS(seawall_region_opts, ro);
		struct seawall_memslot_ops ops = { .sz = sizeof(ops), .set = set_slot_check_idle };
		struct seawall_ctx *ctx;

		o.strategy = SEAWALL_ISOLATE_MEMSLOT_SPLIT;
		o.memslot_ops = &ops;
		o.spare_slot_base = 1;
		o.spare_slot_count = 8;
		ro.gpa = 0x80000000;
		ro.size = 1 << 20;
		ro.hva = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ctx = idle_ctx = seawall_ctx_new(&o);
		tap_ok(ctx != NULL, "a context with memslot hooks");
		if (ctx) {
			seawall_region_add(ctx, &ro);
			tap_eq(seawall_ctx_handle_pending(ctx, -1, NULL), 0, "idle: nothing pending");
			seawall_sigbus_record(ctx, ro.hva, BUS_MCEERR_AO, 12);
			tap_eq(seawall_ctx_handle_pending(ctx, -1, NULL), 1, "one record, then handled");
			tap_eq(seawall_ctx_handle_pending(ctx, -1, NULL), 0, "idle again");
			tap_eq(seawall_ctx_isolate(ctx, 0x80000000 + 5 * 4096), 0,
			       "an isolation changes the memslots (under the context lock)");
			tap_eq(idle_seen, 0,
			       "meanwhile an idle handle_pending on another thread returned 0 at once");
			seawall_ctx_free(ctx);
		}
	}

	/* Outside every region; bad codes. */
	seawall_sigbus_record(g_ctx, &n, BUS_MCEERR_AO, 12);
	seawall_ctx_handle_pending(g_ctx, -1, &out);
	tap_ok((out.actions & SEAWALL_ACT_UNATTRIBUTED) &&
	       out.restart_reason == SEAWALL_RESTART_UNATTRIBUTABLE,
	       "a host address outside guest memory: unattributable, restart");
	tap_eq(seawall_sigbus_record(g_ctx, mem, BUS_ADRERR, 0), -EINVAL, "BUS_ADRERR is not ours");
	tap_eq(seawall_sigbus_record(NULL, mem, BUS_MCEERR_AR, 12), -EINVAL, "NULL context");
	seawall_ctx_free(g_ctx);
	return tap_done();
}
