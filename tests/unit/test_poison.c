// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * 0.2's default isolation (UFFDIO_POISON) without KVM: what the VMM's own
 * threads observe.  An isolated page raises SIGBUS BUS_MCEERR_AR at its old
 * address (as KVM then sends it to a vCPU thread), its neighbours keep
 * their contents, no memslot hook is ever called, reset gives fresh
 * memory, a journal reload poisons again; THP and memfd backing; device
 * regions are recorded but not isolated; the checked copies return
 * -EHWPOISON for a known bad page and for one the copy itself trips over;
 * the SIGBUS contract tells a vCPU's AR from a VMM thread's.
 *
 * Bad pages are never handed to this (real) host's memory_failure():
 * every context sets SEAWALL_CTX_NO_HOST_OFFLINE.  The rig tests that.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seawall.h>
#include "tap.h"

#define PG	4096ul
#define NPG	16
#define GPA	0x40000000ull

static struct seawall_ctx *g_ctx;
static sigjmp_buf probe_jb;
static volatile sig_atomic_t probing, probe_code, sig_records;
static void *volatile probe_addr;
static int memslot_calls;
/*
 * What a poisoned page raises: BUS_MCEERR_AR, or BUS_ADRERR on a kernel
 * built without CONFIG_MEMORY_FAILURE (this x86 CI host is one; the rig's
 * kernels are not: tests/lib/lib_poison checks the same there, with KVM).
 */
static int poison_code = BUS_MCEERR_AR;

/* The VMM's handler: the library first, then a probe's own recovery. */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (g_ctx && (si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO)) {
		seawall_sigbus_record(g_ctx, si->si_addr, si->si_code, si->si_addr_lsb);
		sig_records++;
	}
	if (probing) {
		probe_code = si->si_code;
		probe_addr = si->si_addr;
		probing = 0;
		siglongjmp(probe_jb, 1);
	}
	abort();
}

/* Read one byte; 0 and *val, or the SIGBUS si_code it raised. */
static int probe(const volatile uint8_t *p, uint8_t *val)
{
	probe_code = 0;
	probe_addr = NULL;
	if (sigsetjmp(probe_jb, 1))
		return probe_code;
	probing = 1;
	*val = *p;
	probing = 0;
	return 0;
}

static int slot_set(void *arg, const struct seawall_memslot *s)
{
	(void)arg;
	(void)s;
	memslot_calls++;
	return 0;
}

static int slot_pause(void *arg)
{
	(void)arg;
	memslot_calls++;
	return 0;
}

static void slot_resume(void *arg)
{
	(void)arg;
}

static struct seawall_ctx *new_ctx(const char *journal)
{
	struct seawall_memslot_ops ops = { .sz = sizeof(ops), .set = slot_set,
					   .pause = slot_pause, .resume = slot_resume };
	SEAWALL_OPTS(seawall_ctx_opts, o, .journal_path = journal, .journal_nosync = 1,
		     .flags = SEAWALL_CTX_NO_HOST_OFFLINE);

	/* What a 0.1 caller set: accepted, and ignored by the default. */
	o.strategy = SEAWALL_ISOLATE_QUARANTINE;
	o.vm_fd = 99;
	o.spare_slot_base = 1;
	o.spare_slot_count = 8;
	o.memslot_ops = &ops;
	return seawall_ctx_new(&o);
}

static int add_region(struct seawall_ctx *ctx, void *hva, uint64_t size, uint32_t flags, int fd,
		      uint64_t gpa)
{
	SEAWALL_OPTS(seawall_region_opts, ro, .gpa = gpa, .size = size, .hva = hva,
		     .flags = flags, .fd = fd);

	return seawall_region_add(ctx, &ro);
}

static uint8_t *anon(size_t len, int advice)
{
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	madvise(m, len, advice);
	for (size_t i = 0; i < len; i += PG)
		memset(m + i, (int)(0x10 + i / PG), PG);
	return m;
}

/* Is page i poisoned for this process, and are its neighbours intact? */
static void check_poisoned(uint8_t *m, unsigned int i, unsigned int npg, const char *what)
{
	uint8_t v = 0;
	int code = probe(m + i * PG + 123, &v);
	bool ok = true;

	tap_ok(code == poison_code && probe_addr == m + i * PG + 123,
	       "%s: reading the isolated page raises SIGBUS %s at its address (code %d)",
	       what, poison_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "BUS_ADRERR", code);
	code = probe(m + i * PG + 7, &v);
	tap_ok(code == poison_code, "%s: and again on the next access", what);
	for (unsigned int k = 0; k < npg; k++) {
		if (k == i)
			continue;
		if (probe(m + k * PG + 5, &v) || v != (uint8_t)(0x10 + k))
			ok = false;
	}
	tap_ok(ok, "%s: every other page kept its contents", what);
}

static void test_default(const char *dir)
{
	char journal[256];
	struct seawall_outcome out;
	struct seawall_stats st;
	struct seawall_page pg;
	uint8_t *m = anon(NPG * PG, MADV_NOHUGEPAGE), buf[64], v = 0;
	int r;

	snprintf(journal, sizeof(journal), "%s/poison.journal", dir);
	unlink(journal);
	g_ctx = new_ctx(journal);
	tap_ok(g_ctx != NULL, "a 0.1-style context (QUARANTINE, vm_fd, spare slots, memslot_ops) "
	       "is accepted");
	if (!g_ctx || !m)
		return;
	tap_eq(add_region(g_ctx, m, NPG * PG, 0, -1, GPA), 0, "region of 16 anonymous pages");
	r = seawall_ctx_handle_test(g_ctx, GPA + 3 * PG + 0x80, &out);
	tap_ok(r >= 0 && (out.actions & SEAWALL_ACT_ISOLATE) &&
	       !(out.actions & (SEAWALL_ACT_ISOLATE_FAILED | SEAWALL_ACT_HOST_OFFLINED)),
	       "page 3 isolated (actions 0x%x, %s)", out.actions, out.reason ? out.reason : "");
	tap_ok(out.done == out.actions && !out.requests,
	       "handle_test: done = actions, no request (done 0x%x, requests 0x%x)",
	       out.done, out.requests);
	tap_eq(memslot_calls, 0, "no memslot hook and no pause was called");
	check_poisoned(m, 3, NPG, "anonymous 4 KiB");

	/* The checked copies. */
	tap_eq(seawall_guest_read(g_ctx, GPA + 3 * PG + 8, buf, 16), -EHWPOISON,
	       "seawall_guest_read of the bad page: -EHWPOISON");
	tap_eq(seawall_guest_read(g_ctx, GPA + 2 * PG + PG - 8, buf, 16), -EHWPOISON,
	       "a read that runs into the bad page: -EHWPOISON");
	tap_ok(seawall_guest_read(g_ctx, GPA + 2 * PG, buf, 16) == 0 && buf[0] == 0x12 &&
	       buf[15] == 0x12, "a read of a good page copies it");
	memset(buf, 0x77, sizeof(buf));
	tap_ok(seawall_guest_write(g_ctx, GPA + 4 * PG + 100, buf, 8) == 0 &&
	       m[4 * PG + 100] == 0x77 && m[4 * PG + 108] == 0x14, "a write to a good page");
	tap_eq(seawall_guest_write(g_ctx, GPA + 3 * PG, buf, 1), -EHWPOISON,
	       "a write to the bad page: -EHWPOISON");
	tap_eq(seawall_guest_read(g_ctx, GPA + NPG * PG - 4, buf, 8), -EFAULT,
	       "a read past the region's end: -EFAULT");
	tap_eq(seawall_guest_read(g_ctx, 0x1000, buf, 8), -EFAULT, "outside every region: -EFAULT");
	m[4 * PG + 100] = 0x14;

	/* Reset: fresh memory at the page, the ledger says replaced. */
	r = seawall_ctx_reset(g_ctx);
	tap_ok(r == 1, "reset gave 1 page fresh memory (%d)", r);
	tap_ok(probe(m + 3 * PG + 9, &v) == 0 && v == 0, "after reset the page reads (zero)");
	tap_ok(seawall_ledger_lookup(g_ctx, GPA + 3 * PG, &pg) == 0 &&
	       (pg.flags & SEAWALL_PAGE_REPLACED) && !(pg.flags & SEAWALL_PAGE_ISOLATED),
	       "the ledger keeps the page, replaced");
	tap_eq(memslot_calls, 0, "reset: no memslot hook, no pause");
	/* Bad again after the reset: isolated again. */
	r = seawall_ctx_handle_test(g_ctx, GPA + 3 * PG, &out);
	tap_ok(r >= 0 && (out.actions & SEAWALL_ACT_ISOLATE) && (out.actions & SEAWALL_ACT_NEW_PAGE),
	       "the same gpa bad again after reset: new page, isolated (0x%x)", out.actions);
	check_poisoned(m, 3, NPG, "after reset, bad again");
	seawall_ctx_reset(g_ctx);
	seawall_ctx_handle_test(g_ctx, GPA + 9 * PG, &out);
	seawall_ctx_get_stats(g_ctx, &st);
	tap_ok(st.isolations == 3 && st.poisoned_total == 3 && st.restarts_done == 2,
	       "stats: 3 isolations, poisoned_total 3, restarts_done 2 (%llu %llu %llu)",
	       (unsigned long long)st.isolations, (unsigned long long)st.poisoned_total,
	       (unsigned long long)st.restarts_done);
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;

	/* A new process's memory, the same journal: poisoned before the guest runs. */
	munmap(m, NPG * PG);
	m = anon(NPG * PG, MADV_NOHUGEPAGE);
	g_ctx = new_ctx(journal);
	add_region(g_ctx, m, NPG * PG, 0, -1, GPA);
	r = seawall_ctx_reisolate(g_ctx);
	tap_ok(r == 1, "journal reload: reisolate poisons the page still bad (%d)", r);
	check_poisoned(m, 9, NPG, "reloaded from the journal");
	tap_ok(probe(m + 3 * PG, &v) == 0, "the page replaced before is not poisoned");
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;
	munmap(m, NPG * PG);
}

/* A page poisoned behind the library's back: what hardware poison looks like. */
static int poison_behind(uint8_t *page)
{
	struct { uint64_t api, features, ioctls; } api = { 0xAA, 0, 0 };
	struct { uint64_t start, len, mode, ioctls; } reg;
	struct { uint64_t start, len, mode; int64_t updated; } po;
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);

	if (fd < 0 || ioctl(fd, _IOWR(0xAA, 0x3F, api), &api) < 0)
		return -1;
	if (mmap(page, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		return -1;
	reg.start = (uint64_t)(uintptr_t)page;
	reg.len = PG;
	reg.mode = 1;
	reg.ioctls = 0;
	if (ioctl(fd, _IOWR(0xAA, 0x00, reg), &reg) < 0)
		return -1;
	po.start = reg.start;
	po.len = PG;
	po.mode = 0;
	po.updated = 0;
	return ioctl(fd, _IOWR(0xAA, 0x08, po), &po);	/* the fd stays open: the test's */
}

static void test_copy_trips(void)
{
	struct seawall_page pg;
	uint8_t *m = anon(NPG * PG, MADV_NOHUGEPAGE), buf[32];
	int r, before;

	if (poison_code != BUS_MCEERR_AR) {
		tap_diag("skip: a checked copy that trips over poison: this kernel has no "
			 "CONFIG_MEMORY_FAILURE (no BUS_MCEERR_AR); tests/lib/lib_poison covers it in the rig");
		munmap(m, NPG * PG);
		return;
	}
	g_ctx = new_ctx(NULL);
	add_region(g_ctx, m, NPG * PG, 0, -1, GPA);
	if (poison_behind(m + 6 * PG) < 0) {
		tap_ok(0, "could not poison a page for the test: %s", strerror(errno));
		return;
	}
	before = sig_records;
	r = seawall_guest_read(g_ctx, GPA + 6 * PG + 40, buf, sizeof(buf));
	tap_ok(r == -EHWPOISON && sig_records == before + 1,
	       "a checked read that takes SIGBUS returns -EHWPOISON, the VMM thread lives (%d)", r);
	tap_ok(seawall_ledger_lookup(g_ctx, GPA + 6 * PG, &pg) == 0 &&
	       pg.source == SEAWALL_SRC_SIGBUS_AR && (pg.flags & SEAWALL_PAGE_ISOLATED),
	       "and the page is in the ledger (SIGBUS AR), isolated");
	tap_eq(seawall_guest_read(g_ctx, GPA + 6 * PG, buf, 4), -EHWPOISON,
	       "the next read is refused before it touches the page");
	tap_eq(seawall_guest_write(g_ctx, GPA + 5 * PG, "ok", 2), 0, "the page before it is writable");
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;
	munmap(m, NPG * PG);
}

static void test_contract(void)
{
	uint8_t *m = anon(NPG * PG, MADV_NOHUGEPAGE);
	struct seawall_outcome out;
	int r;

	g_ctx = new_ctx(NULL);
	add_region(g_ctx, m, NPG * PG, 0, -1, GPA);
	r = seawall_sigbus_record(g_ctx, m + PG, BUS_MCEERR_AR, 12);
	tap_eq(r, 0, "no thread ever marked KVM_RUN: an AR is queued, 0 (0.1's answer)");
	seawall_vcpu_run_begin(g_ctx);
	r = seawall_sigbus_record(g_ctx, m + 2 * PG, BUS_MCEERR_AR, 12);
	tap_eq(r, 0, "an AR inside KVM_RUN: queued, 0");
	seawall_vcpu_run_end(g_ctx);
	r = seawall_sigbus_record(g_ctx, m + 4 * PG, BUS_MCEERR_AR, 12);
	tap_eq(r, SEAWALL_SIGBUS_FATAL, "an AR outside KVM_RUN on a VMM thread: SEAWALL_SIGBUS_FATAL");
	r = seawall_sigbus_record(g_ctx, m + 5 * PG, BUS_MCEERR_AO, 12);
	tap_eq(r, 0, "an AO anywhere: queued, 0");
	r = seawall_ctx_handle_pending(g_ctx, -1, &out);
	tap_ok(r == 4 && (out.actions & SEAWALL_ACT_INJECT_DABT) &&
	       (out.requests & SEAWALL_ACT_INJECT_DABT) && !(out.done & SEAWALL_ACT_INJECT_DABT),
	       "handle_pending without a vCPU fd: 4 records, the abort is a request to the VMM "
	       "(done 0x%x, requests 0x%x)", out.done, out.requests);
	tap_eq(seawall_ledger_count(g_ctx), 4, "4 pages in the ledger");
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;
	munmap(m, NPG * PG);
}

static void test_thp(void)
{
	size_t len = 8ul << 20;
	uint8_t *raw = mmap(NULL, len + (2ul << 20), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *m = (uint8_t *)(((uintptr_t)raw + (2ul << 20) - 1) & ~((2ul << 20) - 1));
	struct seawall_outcome out;
	char line[256];
	long huge = 0;
	FILE *f;

	madvise(m, len, MADV_HUGEPAGE);
	for (size_t i = 0; i < len; i += PG)
		memset(m + i, (int)(0x10 + (i / PG) % 64), PG);
	f = fopen("/proc/self/smaps_rollup", "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "AnonHugePages: %ld", &huge);
	if (f)
		fclose(f);
	if (huge < 2048) {
		tap_diag("THP: no huge page was allocated here (THP disabled?): the THP case "
			 "checks a 4 KiB-mapped region");
	}
	g_ctx = new_ctx(NULL);
	add_region(g_ctx, m, len, 0, -1, GPA);
	seawall_ctx_handle_test(g_ctx, GPA + (2ul << 20) + 5 * PG, &out);
	tap_ok(out.page_size == PG && (out.actions & SEAWALL_ACT_ISOLATE),
	       "THP region (%ld KiB huge): one 4 KiB page isolated (0x%x)", huge, out.actions);
	{
		uint8_t v = 0;
		bool ok = true;

		tap_ok(probe(m + (2ul << 20) + 5 * PG + 1, &v) == poison_code,
		       "THP: the 4 KiB page raises SIGBUS");
		for (size_t i = 0; i < len; i += PG) {
			if (i == (2ul << 20) + 5 * PG)
				continue;
			if (probe(m + i + 3, &v) || v != (uint8_t)(0x10 + (i / PG) % 64))
				ok = false;
		}
		tap_ok(ok, "THP: the rest of the huge page and the region kept their contents");
	}
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;
	munmap(raw, len + (2ul << 20));
}

/* Does this kernel offer UFFDIO_MOVE (Linux 6.8+) to an unprivileged process? */
static bool kernel_has_move(void)
{
	uint64_t api[3] = { 0xAA, 0, 0 };	/* struct uffdio_api: api, features, ioctls */
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	bool ok;

	if (fd < 0)
		return false;
	ok = ioctl(fd, _IOWR(0xAA, 0x3F, uint64_t[3]), api) == 0 && (api[1] & (1ull << 16));
	close(fd);
	return ok;
}

/* The boundaries of the mappings that overlap [m, m + len), in /proc/self/maps. */
static unsigned int vmas_in(const uint8_t *m, size_t len, bool *aligned)
{
	uintptr_t lo = (uintptr_t)m, hi = lo + len, a, b;
	unsigned int n = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	*aligned = true;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &a, &b) != 2 || b <= lo || a >= hi)
			continue;
		n++;
		if ((a > lo && (a & ((2ul << 20) - 1))) || (b < hi && (b & ((2ul << 20) - 1))))
			*aligned = false;
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * Private anonymous 4 KiB memory is isolated by UFFDIO_MOVE: the region's
 * mapping is split, if at all, on 2 MiB boundaries (where neither the host
 * nor KVM loses a huge or stage-2 mapping), and however many pages of a
 * block go bad, the mapping count stays bounded by the blocks
 * (vm.max_map_count).  The old way split it around every page.
 */
static void test_vma_layout(void)
{
	size_t len = 8ul << 20;
	uint8_t *raw = mmap(NULL, len + (2ul << 20), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *m = (uint8_t *)(((uintptr_t)raw + (2ul << 20) - 1) & ~((2ul << 20) - 1));
	struct seawall_outcome out;
	unsigned int before, after, bad = 0;
	bool aligned, ok = true;

	if (!kernel_has_move()) {
		tap_diag("skip: mapping layout after isolation: this kernel has no UFFDIO_MOVE "
			 "(Linux 6.8+); isolation takes the mremap way here");
		munmap(raw, len + (2ul << 20));
		return;
	}
	madvise(m, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += PG)
		m[i] = (uint8_t)(i / PG);
	g_ctx = new_ctx(NULL);
	add_region(g_ctx, m, len, 0, -1, GPA);
	before = vmas_in(m, len, &aligned);
	/* 64 pages of the second 2 MiB block, one page of the fourth. */
	for (unsigned int i = 0; i < 64; i++) {
		seawall_ctx_handle_test(g_ctx, GPA + (2ul << 20) + (3 + 7 * i) * PG, &out);
		bad += !!(out.actions & SEAWALL_ACT_ISOLATE);
	}
	seawall_ctx_handle_test(g_ctx, GPA + (6ul << 20) + 511 * PG, &out);
	bad += !!(out.actions & SEAWALL_ACT_ISOLATE);
	after = vmas_in(m, len, &aligned);
	tap_ok(bad == 65, "65 pages in two 2 MiB blocks isolated (%u)", bad);
	tap_ok(aligned && after <= before + 3,
	       "the region's mapping split only on 2 MiB boundaries: %u mapping(s) before, %u after "
	       "65 isolations", before, after);
	for (size_t i = 0; i < len; i += PG) {
		uint8_t v = 0;
		size_t k = i / PG;
		bool isbad = (k >= 512 + 3 && k < 512 + 3 + 7 * 64 && (k - 512 - 3) % 7 == 0) ||
			     k == 3 * 512 + 511;
		int code = probe(m + i, &v);

		if (ok && (isbad ? code != poison_code : (code || v != (uint8_t)k))) {
			printf("# page %zu: SIGBUS code %d, read 0x%x\n", k, code, v);
			ok = false;
		}
	}
	tap_ok(ok, "each isolated page raises SIGBUS, every other page kept its contents");
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;
	munmap(raw, len + (2ul << 20));
}

static void test_memfd(void)
{
	int fd = memfd_create("seawall-test", MFD_CLOEXEC);
	uint8_t *m, *other, v = 0;
	struct seawall_outcome out;

	if (fd < 0 || ftruncate(fd, NPG * PG) < 0) {
		tap_ok(0, "memfd_create: %s", strerror(errno));
		return;
	}
	m = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	other = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	for (unsigned int i = 0; i < NPG; i++)
		memset(m + i * PG, (int)(0x10 + i), PG);
	g_ctx = new_ctx(NULL);
	add_region(g_ctx, m, NPG * PG, SEAWALL_REGION_FILE, fd, GPA);
	seawall_ctx_handle_test(g_ctx, GPA + 7 * PG, &out);
	tap_ok(out.actions & SEAWALL_ACT_ISOLATE, "memfd region: page 7 isolated (0x%x)",
	       out.actions);
	check_poisoned(m, 7, NPG, "memfd (MAP_SHARED)");
	/*
	 * What seawall(7) says: the file keeps its page (freeing it would
	 * give the bad page back to the host); another mapping of the same
	 * offset still reaches it, unless it went to memory_failure().
	 */
	tap_ok(probe(other + 7 * PG, &v) == 0 && v == 0x17,
	       "another mapping of the memfd still reaches the file's page (documented)");
	other[8 * PG] = 0x99;
	tap_ok(m[8 * PG] == 0x99, "the other pages stay shared through the file");
	seawall_ctx_reset(g_ctx);
	m[7 * PG] = 0x42;
	tap_ok(other[7 * PG] == 0x17 && m[7 * PG] == 0x42,
	       "after reset the guest's page is private fresh memory, the file's page untouched");
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;
	munmap(m, NPG * PG);
	munmap(other, NPG * PG);
	close(fd);
}

static void test_device(void)
{
	uint8_t *m = anon(NPG * PG, MADV_NOHUGEPAGE), v = 0;
	struct seawall_outcome out;
	struct seawall_page pg;

	g_ctx = new_ctx(NULL);
	tap_eq(add_region(g_ctx, m, NPG * PG, SEAWALL_REGION_DEVICE | SEAWALL_REGION_NO_SLOT, -1,
			  0x80000000ull), 0, "a device region (SEAWALL_REGION_DEVICE)");
	seawall_ctx_handle_test(g_ctx, 0x80000000ull + 2 * PG, &out);
	tap_ok((out.actions & SEAWALL_ACT_NOT_ISOLATABLE) &&
	       !(out.actions & (SEAWALL_ACT_ISOLATE | SEAWALL_ACT_ISOLATE_FAILED)) && out.reason &&
	       strstr(out.reason, "device"),
	       "device memory: recorded, not isolated, said in the outcome (0x%x, %s)",
	       out.actions, out.reason ? out.reason : "(null)");
	tap_ok(seawall_ledger_lookup(g_ctx, 0x80000000ull + 2 * PG, &pg) == 0 && pg.hits == 1,
	       "the page is in the ledger");
	tap_ok(probe(m + 2 * PG, &v) == 0 && v == 0x12, "the device page was left mapped");
	seawall_ctx_free(g_ctx);
	g_ctx = NULL;
	munmap(m, NPG * PG);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	const char *dir = argc > 1 ? argv[1] : getenv("UNIT_TMP");

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	if (!dir)
		dir = "/tmp";
	if (access("/proc/sys/vm/memory_failure_early_kill", F_OK))
		poison_code = BUS_ADRERR;
	test_default(dir);
	test_copy_trips();
	test_contract();
	test_thp();
	test_vma_layout();
	test_memfd();
	test_device();
	return tap_done();
}
