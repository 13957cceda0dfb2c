// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's SIGBUS handling (vmm/guard.c) and its rate limit for guest-made
 * log lines (vmm/ratelimit.c), without KVM.
 *
 * An action-required SIGBUS on one of swvm's own threads (the images and
 * the hugetlb zeroing at reset): the access must not be retried.  The
 * "access" here raises a forged BUS_MCEERR_AR at itself as long as its
 * page is bad, as the kernel would on every retry; a handler shaped like
 * sea.c's must end it after one fault (swvm_guarded() returns -EHWPOISON
 * with the address), and outside swvm_guarded() exit with a message
 * instead of returning into the fault.  Fake vCPU threads publish and
 * clear their tid as vcpu.c's do: a finished thread is never a kick
 * target.  The rate limit runs on an injected clock.
 */
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* RUNNING_ON_VALGRIND: from tap.h. */

#include "../../vmm/guard.c"
#include "../../vmm/ratelimit.c"
#include "tap.h"

#define MAX_REFAULTS	100

static uint8_t page[4096] __attribute__((aligned(4096)));
static int faults;

/* The handler of vmm/sea.c, minus libseawall: decide, then act. */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	faults++;
	switch (swvm_sigbus_decide(0, si->si_code, false, swvm_guard_active())) {
	case SWVM_SIGBUS_ESCAPE:
		swvm_guard_escape(si->si_addr);
		_exit(3);			/* escape returned: a bug */
	case SWVM_SIGBUS_FATAL:
		_exit(SWVM_EXIT_ERROR);
	case SWVM_SIGBUS_DEFAULT:
		signal(sig, SIG_DFL);
		break;
	default:
		break;
	}
}

/* A guest-memory write whose page is bad: each try faults (AR) again. */
static void bad_write(void *arg)
{
	siginfo_t si;

	(void)arg;
	for (int i = 0; i < MAX_REFAULTS; i++) {
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGBUS;
		si.si_code = BUS_MCEERR_AR;
		si.si_addr = page + 0x10;
		syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGBUS, &si);
	}
}

static void good_write(void *arg)
{
	memset(arg, 0x5a, 64);
}

static void guarded(void)
{
	struct sigaction sa;
	void *addr = NULL;
	int r, status;
	pid_t pid;

	/*
	 * valgrind 3.19 takes a SIGBUS with si_code BUS_MCEERR_AR sent to
	 * itself as its own fatal error ("the 'impossible' happened"); this
	 * part runs plain and under ASan+UBSan in check-unit.
	 */
	if (RUNNING_ON_VALGRIND) {
		tap_diag("forged BUS_MCEERR_AR not under valgrind (it takes it as its own fault)");
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);

	tap_eq(swvm_guarded(good_write, page, &addr), 0, "guarded write without a fault: 0");
	tap_eq(page[63], 0x5a, "... and it wrote");
	tap_ok(!swvm_guard_active(), "not guarded after it");

	faults = 0;
	r = swvm_guarded(bad_write, NULL, &addr);
	tap_eq(r, -EHWPOISON, "action-required SIGBUS in a guarded write: -EHWPOISON");
	tap_eq(faults, 1, "one fault, not retried (%d of at most %d)", faults, MAX_REFAULTS);
	tap_ok(addr == page + 0x10, "the faulting address comes back");
	tap_ok(!swvm_guard_active(), "not guarded after it");
	/* The signal mask is back: a second one escapes as well. */
	faults = 0;
	tap_eq(swvm_guarded(bad_write, NULL, &addr), -EHWPOISON, "a second time too");
	tap_eq(faults, 1, "... after one fault");

	/* Unguarded, on a thread that is not a vCPU: exit, never return into it. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		faults = 0;
		bad_write(NULL);
		_exit(4);	/* returned into the fault */
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == SWVM_EXIT_ERROR,
	       "unguarded action-required SIGBUS: exits (status 0x%x; 4: returned into the fault)",
	       status);
}

static void decide(void)
{
	tap_eq(swvm_sigbus_decide(0, BUS_MCEERR_AR, true, false), SWVM_SIGBUS_RETURN,
	       "AR on a vCPU thread: return, the drain after KVM_RUN has it");
	tap_eq(swvm_sigbus_decide(SEAWALL_SIGBUS_OWN, BUS_MCEERR_AR, false, false),
	       SWVM_SIGBUS_RETURN, "the library's own MADV_HWPOISON answer off a vCPU: return");
	tap_eq(swvm_sigbus_decide(SEAWALL_SIGBUS_FATAL, BUS_MCEERR_AR, true, false),
	       SWVM_SIGBUS_FATAL, "AR on a vCPU thread outside KVM_RUN (the library says so): fatal");
	tap_eq(swvm_sigbus_decide(SEAWALL_SIGBUS_FATAL, BUS_MCEERR_AR, true, true),
	       SWVM_SIGBUS_ESCAPE, "the same inside a guarded access: escape");
	tap_eq(swvm_sigbus_decide(0, BUS_MCEERR_AR, false, true), SWVM_SIGBUS_ESCAPE,
	       "AR in a guarded access: escape");
	tap_eq(swvm_sigbus_decide(-ENOSPC, BUS_MCEERR_AR, false, true), SWVM_SIGBUS_ESCAPE,
	       "AR with the queue full: escape all the same");
	tap_eq(swvm_sigbus_decide(0, BUS_MCEERR_AR, false, false), SWVM_SIGBUS_FATAL,
	       "AR elsewhere off a vCPU: fatal, not a return");
	tap_eq(swvm_sigbus_decide(0, BUS_MCEERR_AO, false, false), SWVM_SIGBUS_KICK,
	       "AO off a vCPU: kick one");
	tap_eq(swvm_sigbus_decide(0, BUS_MCEERR_AO, true, false), SWVM_SIGBUS_RETURN,
	       "AO on a vCPU: return");
	tap_eq(swvm_sigbus_decide(-EINVAL, BUS_ADRERR, false, false), SWVM_SIGBUS_DEFAULT,
	       "not a memory error: default action");
}

/* Fake vCPU threads: publish the tid, wait to be told, clear it, return. */
static _Atomic int tids[4];
static atomic_int go_away[4];

static void *fake_vcpu(void *arg)
{
	int id = (int)(intptr_t)arg;

	atomic_store(&tids[id], (int)syscall(SYS_gettid));
	while (!atomic_load(&go_away[id]))
		usleep(1000);
	atomic_store(&tids[id], 0);
	return NULL;
}

static void kick_target(void)
{
	pthread_t t[2];

	tap_eq(swvm_sigbus_kick_target(tids, 2), 0, "no vCPU thread yet: nobody to kick");
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, fake_vcpu, (void *)(intptr_t)i);
	while (!atomic_load(&tids[0]) || !atomic_load(&tids[1]))
		usleep(1000);
	tap_eq(swvm_sigbus_kick_target(tids, 2), atomic_load(&tids[0]), "vCPU 0 while it runs");
	atomic_store(&go_away[0], 1);
	pthread_join(t[0], NULL);
	tap_eq(swvm_sigbus_kick_target(tids, 2), atomic_load(&tids[1]),
	       "vCPU 0 joined: vCPU 1, never the joined thread");
	atomic_store(&go_away[1], 1);
	pthread_join(t[1], NULL);
	tap_eq(swvm_sigbus_kick_target(tids, 2), 0, "all joined: nobody");
}

static void ratelimit(void)
{
	struct swvm_ratelimit rl = SWVM_RATELIMIT_INIT(5000000000ULL, 10);
	unsigned long missed, reported = 0, allowed = 0, summaries = 0;
	uint64_t t = 1000;

	/* A guest making 1000 undecodable accesses a second for 20 s. */
	for (int i = 0; i < 20000; i++, t += 1000000) {
		allowed += swvm_ratelimit(&rl, t, &missed);
		reported += missed;
		summaries += missed ? 1 : 0;	/* the "N suppressed" line */
	}
	tap_eq(allowed, 40, "20 s of 1000 lines/s: 10 lines per 5 s");
	tap_eq(summaries, 3, "and one summary per interval that dropped some");
	tap_eq(allowed + reported + swvm_ratelimit_flush(&rl), 20000,
	       "every line is printed or counted as suppressed");
	tap_eq(swvm_ratelimit_flush(&rl), 0, "flushed once");

	/* Quiet for an interval: the next line goes out, with the count. */
	rl = (struct swvm_ratelimit)SWVM_RATELIMIT_INIT(1000, 2);
	tap_ok(swvm_ratelimit(&rl, 10, &missed) && !missed, "first line");
	tap_ok(swvm_ratelimit(&rl, 11, &missed) && !missed, "second line");
	tap_ok(!swvm_ratelimit(&rl, 12, &missed), "third within the interval: held");
	tap_ok(!swvm_ratelimit(&rl, 13, &missed), "fourth: held");
	tap_ok(swvm_ratelimit(&rl, 2000, &missed), "after the interval: out");
	tap_eq(missed, 2, "... saying 2 were suppressed");
	tap_ok(swvm_ratelimit(&rl, 5, &missed), "a clock that went back: a new interval");
}

static void pace(void)
{
	struct swvm_pace p = SWVM_PACE_INIT(1000000, 4);	/* 1000/s, burst 4 */
	uint64_t t = 5000000, w, waited = 0, end;
	int i, passed = 0;

	/* The burst passes at once, the next call waits one interval. */
	for (i = 0; i < 5; i++)
		passed += swvm_pace(&p, t) == 0;
	tap_eq(passed, 4, "a burst of 4 passes at once");
	tap_eq(p.paced, 1, "the fifth waits");
	tap_eq(p.waited_ns, 1000000, "... one interval");

	/*
	 * A guest that comes back as soon as it may, from 4 vCPUs at once:
	 * over 10 s of its clock it gets 1000 a second plus the burst, never
	 * more, however the calls interleave.
	 */
	p = (struct swvm_pace)SWVM_PACE_INIT(1000000, 4);
	uint64_t vt[4] = { t, t, t, t };
	end = t + 10000000000ULL;
	for (passed = 0;;) {
		int k = 0;

		for (i = 1; i < 4; i++)
			if (vt[i] < vt[k])
				k = i;
		if (vt[k] >= end)
			break;
		w = swvm_pace(&p, vt[k]);
		waited += w;
		vt[k] += w + 1000;	/* the exit itself: 1 us */
		passed++;
	}
	tap_ok(passed <= 10000 + 4 + 4 && passed >= 10000 - 4,
	       "4 vCPUs flat out for 10 s: %d touches (1000/s and the burst)", passed);
	tap_eq(p.waited_ns, waited, "every wait is accounted");

	/* Quiet for a while: the burst is back. */
	t = end + 1000000000ULL;
	for (i = 0, passed = 0; i < 4; i++)
		passed += swvm_pace(&p, t) == 0;
	tap_eq(passed, 4, "after a quiet second the burst passes again");
}

int main(void)
{
	guarded();
	decide();
	kick_target();
	ratelimit();
	pace();
	return tap_done();
}
