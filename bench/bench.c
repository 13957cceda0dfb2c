// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * libseawall benchmarks: what one exit costs with 0, 10^3 and 10^6 pages
 * already in the ledger, bytes per ledger entry, the signal-side record,
 * journal appends with and without fsync, and isolation per strategy.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct seawall_ctx *ctx_with(uint32_t pages, const char *journal, int nosync)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_ctx *ctx;

	o.max_pages = pages + 1024;
	o.strategy = SEAWALL_ISOLATE_NONE;
	o.journal_path = journal;
	o.journal_nosync = (unsigned int)nosync;
	o.notify_capacity = 1 << 20;
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		return NULL;
	ro.gpa = 0;
	ro.size = 1ull << 44;		/* 16 TiB of guest space, 4 KiB pages */
	seawall_region_add(ctx, &ro);
	po.restart_after_pages = SEAWALL_POLICY_NEVER;
	po.flags = SEAWALL_POLICY_NO_NOTIFY;
	seawall_ctx_set_policy(ctx, &po);
	for (uint32_t i = 0; i < pages; i++)
		seawall_ctx_handle_test(ctx, ((uint64_t)i * 2654435761u % (1u << 30)) << 12, NULL);
	return ctx;
}

static uint64_t run_buf[512];

static void bench_exit(uint32_t pages)
{
	struct seawall_ctx *ctx = ctx_with(pages, NULL, 1);
	struct seawall_outcome out;
	uint64_t w[4] = { SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID, 0x92000010, 0x1000, 0 };
	uint32_t reason = SEAWALL_KVM_EXIT_ARM_SEA;
	const int iters = 200000;
	double t0, t1, t2;

	memcpy((char *)run_buf + 8, &reason, 4);
	/* A known page (the repeat path), then new pages (insert path). */
	w[3] = 0x5000ull << 12;
	memcpy((char *)run_buf + 32, w, sizeof(w));
	seawall_ctx_handle_sea_exit(ctx, -1, (struct kvm_run *)run_buf, &out);
	t0 = now_ns();
	for (int i = 0; i < iters; i++)
		seawall_ctx_handle_sea_exit(ctx, -1, (struct kvm_run *)run_buf, &out);
	t1 = now_ns();
	for (int i = 0; i < 1000; i++) {
		w[3] = ((1ull << 31) + (uint64_t)i) << 12;
		memcpy((char *)run_buf + 32, w, sizeof(w));
		seawall_ctx_handle_sea_exit(ctx, -1, (struct kvm_run *)run_buf, &out);
	}
	t2 = now_ns();
	printf("handle_sea_exit, %7u pages in ledger: repeat hit %6.0f ns, new page %6.0f ns\n",
	       pages, (t1 - t0) / iters, (t2 - t1) / 1000);
	seawall_ctx_free(ctx);
}

static void bench_bytes(void)
{
	struct sw_ledger l;
	struct sw_lpage *p;
	const uint32_t n = 1000000;

	sw_ledger_init(&l, n);
	for (uint32_t i = 0; i < n; i++)
		sw_ledger_insert(&l, ((uint64_t)i * 2654435761u % (1u << 30)) << 12, &p);
	printf("ledger memory: %.1f bytes per entry at %u entries (entry %zu + index)\n",
	       (double)sw_ledger_bytes(&l) / n, n, sizeof(struct sw_lpage));
	sw_ledger_fini(&l);
}

static void bench_record(void)
{
	struct seawall_ctx *ctx = ctx_with(0, NULL, 1);
	double t0, t1, total = 0;

	/* Record (the signal side) in batches the queue can hold, drain between. */
	for (int round = 0; round < 20; round++) {
		t0 = now_ns();
		for (int i = 0; i < 200; i++)
			seawall_sigbus_record(ctx, (void *)(uintptr_t)(0x1000 * (i + 1)), 5, 12);
		t1 = now_ns();
		total += t1 - t0;
		seawall_ctx_handle_pending(ctx, -1, NULL);
	}
	printf("sigbus_record (signal side): %.0f ns per record\n", total / (20 * 200));
	seawall_ctx_free(ctx);
}

static void bench_journal(const char *dir)
{
	char path[512];

	for (int sync = 0; sync <= 1; sync++) {
		struct seawall_journal *j;
		struct seawall_page pg;
		int iters = sync ? 200 : 20000;
		double t0, t1;

		snprintf(path, sizeof(path), "%s/bench-journal-%d", dir, sync);
		unlink(path);
		j = seawall_journal_open(path, sync ? 0 : SEAWALL_JOURNAL_NOSYNC);
		if (!j) {
			printf("journal: cannot open %s: %s\n", path, strerror(errno));
			return;
		}
		memset(&pg, 0, sizeof(pg));
		pg.page_shift = 12;	/* a record must name a whole page */
		t0 = now_ns();
		for (int i = 0; i < iters; i++) {
			int err;

			pg.gpa = (uint64_t)i << 12;
			err = seawall_journal_append(j, &pg);
			if (err) {
				printf("journal append: %s\n", strerror(-err));
				seawall_journal_close(j);
				return;
			}
		}
		t1 = now_ns();
		printf("journal append %s: %8.0f ns per record (%s)\n",
		       sync ? "with fdatasync" : "without sync  ", (t1 - t0) / iters, dir);
		seawall_journal_close(j);
		unlink(path);
	}
}

static int iso_err;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == SEAWALL_EV_ISOLATE_FAILED)
		iso_err = ev->error;
}

/* MADV_HWPOISON answers with SIGBUS to the caller: a VMM's handler records it. */
static struct seawall_ctx *sigbus_ctx;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	seawall_sigbus_record(sigbus_ctx, si->si_addr, si->si_code, si->si_addr_lsb);
}

/*
 * Isolation per strategy without KVM (no memslot: the region is not a
 * slot of its own): poison (private anonymous 4 KiB: UFFDIO_MOVE into the
 * quarantine, UFFDIO_POISON in place); the
 * split's own work without the memslot change (the quarantine and a
 * PROT_NONE placeholder, 0.1's "mremap quarantine" line); MADV_HWPOISON.
 * The host offlining of the quarantine is off: it would poison pages of
 * the machine for good (the rig measures it).
 */
static void bench_isolate(void)
{
	static const struct {
		unsigned int strategy;
		const char *name;
	} strategies[] = {
		{ SEAWALL_ISOLATE_POISON, "poison (UFFDIO_MOVE quarantine + UFFDIO_POISON in place)" },
		{ SEAWALL_ISOLATE_MEMSLOT_SPLIT, "split without its memslot (mremap quarantine)" },
		{ SEAWALL_ISOLATE_HWPOISON, "MADV_HWPOISON" },
	};
	const int n = 256;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);

	for (size_t k = 0; k < sizeof(strategies) / sizeof(strategies[0]); k++) {
		SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
		SEAWALL_OPTS(seawall_region_opts, ro);
		SEAWALL_OPTS(seawall_policy_opts, po);
		unsigned int strategy = strategies[k].strategy;
		bool hwpoison = strategy == SEAWALL_ISOLATE_HWPOISON;
		struct seawall_ctx *ctx;
		struct seawall_outcome out;
		int count = hwpoison ? 4 : n, done = 0;
		uint8_t *mem;
		double t0, t1;

		if (hwpoison && getenv("SEAWALL_BENCH_NO_HWPOISON")) {
			printf("isolation, %s: skipped (SEAWALL_BENCH_NO_HWPOISON set)\n",
			       strategies[k].name);
			continue;
		}
		mem = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(mem, 1, (size_t)n * 4096);
		o.strategy = strategy;
		o.notify_capacity = 1024;
		o.event_fn = on_event;
		iso_err = 0;
		ctx = sigbus_ctx = seawall_ctx_new(&o);
		ro.gpa = 0x40000000;
		ro.size = (uint64_t)n * 4096;
		ro.hva = mem;
		ro.flags = SEAWALL_REGION_NO_SLOT;
		seawall_region_add(ctx, &ro);
		po.restart_after_pages = SEAWALL_POLICY_NEVER;
		seawall_ctx_set_policy(ctx, &po);
		t0 = now_ns();
		for (int i = 0; i < count; i++) {
			seawall_ctx_handle_test(ctx, 0x40000000 + (uint64_t)i * 2 * 4096 % ro.size, &out);
			if (out.actions & SEAWALL_ACT_ISOLATE)
				done++;
			else
				break;
		}
		t1 = now_ns();
		if (!done)
			printf("isolation, %s: skipped (%s%s)\n", strategies[k].name,
			       strerror(-iso_err), iso_err == -EPERM ? ": needs CAP_SYS_ADMIN" :
			       iso_err == -EINVAL && hwpoison ? ": kernel without CONFIG_MEMORY_FAILURE" :
			       "");
		else
			printf("isolation, %s: %6.0f ns per page (%d pages%s)\n", strategies[k].name,
			       (t1 - t0) / done, done,
			       hwpoison ? "; they stay poisoned until reboot" : "");
		seawall_ctx_free(ctx);
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";

	bench_exit(0);
	bench_exit(1000);
	bench_exit(1000000);
	bench_bytes();
	bench_record();
	bench_journal(dir);
	bench_isolate();
	return 0;
}
