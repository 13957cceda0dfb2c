// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The SIGBUS contract for VMM threads.  A vCPU thread marks the time it
 * spends in KVM_RUN (seawall_vcpu_run_begin/_end): an AR taken there is
 * the guest's, handled after KVM_RUN returns.  Any other thread that
 * takes an AR touched guest memory itself, and returning from its
 * handler would run the access again, unless it was inside a checked
 * copy (seawall_guest_read/_write): then seawall_sigbus_record() jumps
 * back into the copy, which returns -EHWPOISON.
 *
 * The per-thread state is initial-exec TLS: a signal handler may read it
 * without the allocation a lazily set-up TLS block would need.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "internal.h"

#ifndef PR_MCE_KILL
#define PR_MCE_KILL 33
#endif
#ifndef PR_MCE_KILL_SET
#define PR_MCE_KILL_SET 1
#endif
#ifndef PR_MCE_KILL_EARLY
#define PR_MCE_KILL_EARLY 1
#endif
#ifndef EHWPOISON
#define EHWPOISON 133
#endif

#define SW_TLS __thread __attribute__((tls_model("initial-exec")))

/* The context whose KVM_RUN this thread is in, or NULL. */
static SW_TLS struct seawall_ctx *in_run;

/* A checked copy in progress on this thread. */
static SW_TLS struct {
	sigjmp_buf jb;
	struct seawall_ctx *ctx;
	uint64_t lo, hi;		/* host addresses the copy touches */
	uint64_t addr;			/* where it took the SIGBUS */
	volatile sig_atomic_t active;
} copy;

void seawall_vcpu_run_begin(struct seawall_ctx *ctx)
{
	if (!ctx)
		return;
	if (!atomic_load_explicit(&ctx->run_marks, memory_order_relaxed))
		atomic_store(&ctx->run_marks, 1);
	in_run = ctx;
	atomic_signal_fence(memory_order_seq_cst);
}

void seawall_vcpu_run_end(struct seawall_ctx *ctx)
{
	atomic_signal_fence(memory_order_seq_cst);
	if (in_run == ctx)
		in_run = NULL;
}

/* From seawall_sigbus_record(), for an AR: does not return inside a checked copy. */
int sw_thread_ar(struct seawall_ctx *ctx, uint64_t addr)
{
	if (copy.active && copy.ctx == ctx && addr >= copy.lo && addr < copy.hi) {
		copy.addr = addr;
		copy.active = 0;
		siglongjmp(copy.jb, 1);
	}
	if (!atomic_load_explicit(&ctx->run_marks, memory_order_relaxed))
		return 0;		/* a 0.1 caller: no way to tell */
	return in_run == ctx ? 0 : SEAWALL_SIGBUS_FATAL;
}

/* Out of line, so that nothing of the copy is kept in registers across the jump. */
static __attribute__((noinline)) void copy_bytes(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
	atomic_signal_fence(memory_order_seq_cst);
}

static int checked_copy(struct seawall_ctx *ctx, uint64_t gpa, void *buf, size_t len,
			bool write)
{
	struct sw_region *r;
	uint8_t *volatile hva = NULL;
	uint64_t base;
	int err;

	if (!ctx || (!buf && len))
		return -EINVAL;
	if (!len)
		return 0;
	if (len - 1 > UINT64_MAX - gpa)
		return -EFAULT;
	/* Inside one region that has host memory, or not at all. */
	pthread_mutex_lock(&ctx->lock);
	r = sw_region_find(ctx, gpa);
	if (r && r->hva && gpa + (len - 1) <= r->gpa + (r->size - 1))
		hva = r->hva + (gpa - r->gpa);
	pthread_mutex_unlock(&ctx->lock);
	if (!hva)
		return -EFAULT;
	err = seawall_ledger_check_range(ctx, gpa, len);
	if (err)
		return err;
	if (copy.active)
		return -EBUSY;		/* from a signal handler inside a copy */
	base = (uint64_t)(uintptr_t)hva;
	copy.ctx = ctx;
	copy.lo = base;
	copy.hi = base + len;
	if (sigsetjmp(copy.jb, 1)) {
		/* seawall_sigbus_record() jumped here: the page is bad. */
		sw_record_copy_fault(ctx, copy.addr);
		return -EHWPOISON;
	}
	copy.active = 1;
	atomic_signal_fence(memory_order_seq_cst);
	if (write)
		copy_bytes(hva, buf, len);
	else
		copy_bytes(buf, hva, len);
	copy.active = 0;
	atomic_signal_fence(memory_order_seq_cst);
	return 0;
}

int seawall_guest_read(struct seawall_ctx *ctx, uint64_t gpa, void *buf, size_t len)
{
	return checked_copy(ctx, gpa, buf, len, false);
}

int seawall_guest_write(struct seawall_ctx *ctx, uint64_t gpa, const void *buf, size_t len)
{
	return checked_copy(ctx, gpa, (void *)(uintptr_t)buf, len, true);
}

int seawall_mce_kill_early(void)
{
	return prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0) < 0 ? -errno : 0;
}
