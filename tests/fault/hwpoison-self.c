// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * hwpoison-self: the HWPOISON isolation strategy in a VMM that has its
 * SIGBUS handler (every VMM using libseawall's SIGBUS path does).  The
 * kernel answers MADV_HWPOISON with SIGBUS BUS_MCEERR_AR to the calling
 * thread; that signal is the library's own doing, not a guest consuming
 * the page, and must not come back out of seawall_ctx_handle_pending() as
 * an abort to inject into the vCPU of the thread that isolated.  A later
 * touch of the poisoned page, though, is a real error and is recorded.
 * Needs root and a kernel with CONFIG_MEMORY_FAILURE (the rig's L1); it
 * poisons one page of L1 for good.
 *
 * TAP; exit 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <seawall.h>

#define PAGE	4096UL
#define GPA	0x40000000ULL

static struct seawall_ctx *ctx;
static volatile sig_atomic_t sigbus_seen;
static sigjmp_buf touch_env;
static volatile sig_atomic_t touching;
static int n, failed;

static void ok(int cond, const char *what)
{
	n++;
	if (!cond)
		failed = 1;
	printf("%sok %d - %s\n", cond ? "" : "not ", n, what);
}

/* As a VMM's handler: record, and (for our own touch) leave the access. */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigbus_seen++;
	seawall_sigbus_record(ctx, si->si_addr, si->si_code, si->si_addr_lsb);
	if (touching)
		siglongjmp(touch_env, 1);
}

int main(void)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_outcome out;
	struct sigaction sa;
	uint8_t *mem;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	memset(mem, 0x5a, 16 * PAGE);
	o.strategy = SEAWALL_ISOLATE_HWPOISON;
	ctx = seawall_ctx_new(&o);
	ro.gpa = GPA;
	ro.size = 16 * PAGE;
	ro.hva = mem;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	if (!ctx || seawall_region_add(ctx, &ro) < 0)
		return 1;
	po.restart_after_pages = SEAWALL_POLICY_NEVER;
	seawall_ctx_set_policy(ctx, &po);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);

	/* A memory error on the page, isolated by handing it to the host. */
	r = seawall_ctx_handle_test(ctx, GPA + 5 * PAGE, &out);
	if (out.actions & SEAWALL_ACT_ISOLATE_FAILED) {
		printf("1..0 # SKIP MADV_HWPOISON refused (%s): needs root and CONFIG_MEMORY_FAILURE\n",
		       out.reason ? out.reason : "?");
		return 77;
	}
	ok(r >= 0 && (out.actions & SEAWALL_ACT_ISOLATE), "MADV_HWPOISON isolated the page");
	printf("# the kernel sent the isolating thread %d SIGBUS\n", (int)sigbus_seen);
	r = seawall_ctx_handle_pending(ctx, -1, &out);
	ok(r == 0 && !(out.actions & SEAWALL_ACT_INJECT),
	   "the kernel's answer to our own MADV_HWPOISON is not queued: nothing to inject");
	{
		struct seawall_page pg;

		ok(seawall_ledger_lookup(ctx, GPA + 5 * PAGE, &pg) == 0 && pg.hits == 1,
		   "the ledger counts the one error, not the isolation's signal");
	}

	/* A real consumption later: the VMM (or KVM for a vCPU) touches it. */
	touching = 1;
	if (!sigsetjmp(touch_env, 1))
		(void)*(volatile uint8_t *)(mem + 5 * PAGE + 8);
	touching = 0;
	r = seawall_ctx_handle_pending(ctx, -1, &out);
	ok(r == 1 && (out.actions & SEAWALL_ACT_INJECT_DABT) && out.page_gpa == GPA + 5 * PAGE,
	   "a later touch of the poisoned page is a real error: recorded, an abort is due");
	printf("1..%d\n", n);
	seawall_ctx_free(ctx);
	return failed;
}
