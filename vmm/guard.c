// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * What swvm's SIGBUS handler does, without KVM, so that the unit tests
 * drive it with forged signals and fake vCPU threads.
 *
 * An action-required SIGBUS is the kernel refusing an access: returning
 * from the handler retries the access and takes the same SIGBUS, forever.
 * On a vCPU thread inside KVM_RUN that is fine (KVM returns, the drain
 * after KVM_RUN handles the record), anywhere else it is not.  swvm's own
 * threads touch guest memory only inside swvm_guarded() (the images and
 * the zeroing at boot and reset): the handler leaves that access by
 * siglongjmp, and swvm_guarded() returns -EHWPOISON.  An action-required
 * SIGBUS anywhere else is a bug of ours with no way forward: the handler
 * says so and exits.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>

#include <seawall.h>

#include "swvm.h"

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#endif
#ifndef BUS_MCEERR_AO
#define BUS_MCEERR_AO 5
#endif

/* This thread's way out of swvm_guarded(); NULL outside it. */
static _Thread_local sigjmp_buf *guard_jmp;
static _Thread_local void *guard_addr;

int swvm_guarded(void (*fn)(void *arg), void *arg, void **addr)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		/* From the handler: the access did not complete. */
		guard_jmp = NULL;
		atomic_signal_fence(memory_order_seq_cst);
		if (addr)
			*addr = guard_addr;
		return -EHWPOISON;
	}
	guard_jmp = &jb;
	atomic_signal_fence(memory_order_seq_cst);
	fn(arg);
	atomic_signal_fence(memory_order_seq_cst);
	guard_jmp = NULL;
	return 0;
}

bool swvm_guard_active(void)
{
	return guard_jmp != NULL;
}

void swvm_guard_escape(void *addr)
{
	sigjmp_buf *jb = guard_jmp;

	if (!jb)
		return;
	guard_addr = addr;
	siglongjmp(*jb, 1);
}

enum swvm_sigbus_do swvm_sigbus_decide(int recorded, int si_code, bool on_vcpu, bool guarded)
{
	if (si_code != BUS_MCEERR_AR && si_code != BUS_MCEERR_AO)
		return SWVM_SIGBUS_DEFAULT;
	/* A full queue (-ENOSPC) is counted by the library: the record is not lost silently. */
	if (recorded == -EINVAL)
		return SWVM_SIGBUS_DEFAULT;
	/* MADV_HWPOISON's answer to the library isolating a page on this thread. */
	if (recorded == SEAWALL_SIGBUS_OWN)
		return SWVM_SIGBUS_RETURN;
	if (si_code == BUS_MCEERR_AO)
		return on_vcpu ? SWVM_SIGBUS_RETURN : SWVM_SIGBUS_KICK;
	/*
	 * On a vCPU thread an AR is the guest's when it came inside KVM_RUN;
	 * the library says when it did not (the thread touched guest memory
	 * itself, outside KVM_RUN: returning would repeat the access).
	 */
	if (on_vcpu && recorded != SEAWALL_SIGBUS_FATAL)
		return SWVM_SIGBUS_RETURN;
	return guarded ? SWVM_SIGBUS_ESCAPE : SWVM_SIGBUS_FATAL;
}

/*
 * Which live vCPU to kick so that it drains the queue.  A vCPU thread
 * publishes its kernel tid when it starts and clears it before it returns,
 * so a joined thread is never named: tgkill() of a tid that has just
 * exited is ESRCH, where pthread_kill() of a joined pthread_t reads freed
 * memory.
 */
int swvm_sigbus_kick_target(const _Atomic int *tids, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int t = atomic_load(&tids[i]);

		if (t > 0)
			return t;
	}
	return 0;
}
