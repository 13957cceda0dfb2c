// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * libseawall 0.2's default isolation, SEAWALL_ISOLATE_POISON, against real
 * KVM, as a VMM observes it.  The context has no vm_fd, no memslot_ops, no
 * spare slots: the memslots are never touched.
 *
 * A guest read of a page takes a real KVM_EXIT_ARM_SEA (the rig's
 * sea_inject mark); seawall_ctx_handle_sea_exit() isolates the page (the
 * bad host page goes to a quarantine mapping that is never dumped, and
 * its address is poisoned: in place for anonymous 4 KiB and THP, by a
 * placeholder for hugetlb and memfd; as root the quarantined page also goes to the host's
 * memory_failure(): SEAWALL_ACT_HOST_OFFLINED, unless
 * SEAWALL_CTX_NO_HOST_OFFLINE) and injects the abort.  Then the mark is
 * lifted, and:
 *  - every guest access to the page (ldr, str, ldp) makes KVM_RUN fail
 *    with EINTR after SIGBUS BUS_MCEERR_AR on the vCPU thread at the
 *    page's host address; seawall_ctx_handle_pending() injects the abort:
 *    EC 0x25, FSC 0x10, FAR = the address.  Only the library keeps the
 *    page away from the guest now;
 *  - no memslot changed: the neighbours read what was written before, a
 *    guest write to one lands in host memory, and a guest pass over the
 *    pages of seven other 2 MiB blocks costs no more exits (the vCPU's
 *    binary statistic "exits") than the same pass before the isolation;
 *  - seawall_ctx_reset() gives the GPA fresh zeroed memory the guest reads
 *    and writes; the quarantine mapping stays.
 * journal variants: a new VM and a new context on the same journal;
 * seawall_ctx_reisolate() poisons the page before the guest runs; the new
 * guest's first access is SIGBUS AR, then an injected abort.
 *
 * Swept over the backing: anonymous 4 KiB, THP, hugetlb 2 MiB (the region's
 * page is 2 MiB: the whole huge page is isolated) and a MAP_SHARED memfd
 * (SEAWALL_REGION_FILE), where another reader of the file still reaches the
 * bad page (seawall(7)): a second mapping reads its old content, or, once it
 * went to memory_failure(), pread() fails with EIO.
 *
 * vmm-thread: a VMM thread's seawall_guest_read/_write of the isolated page
 * return -EHWPOISON; a page poisoned behind the library's back (our own
 * userfaultfd) read through seawall_guest_read(): -EHWPOISON, the thread
 * lives, the page is in the ledger (source SIGBUS_AR); an AR recorded from a
 * thread outside seawall_vcpu_run_begin/_end is SEAWALL_SIGBUS_FATAL.
 *
 * four-vcpus: four vCPU threads each touch their own isolated page N times;
 * every AR is recorded (ledger hits), none lost, each vCPU gets N aborts.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include <seawall.h>

#include "lt.h"

#ifndef EHWPOISON
#define EHWPOISON	133
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif
/* Linux 6.6+ userfaultfd uAPI: newer than the toolchain's headers. */
#define LP_UFFD_FEATURE_POISON	(1ULL << 14)
#define LP_UFFDIO_POISON_NR	0x08
struct lp_uffdio_poison {
	struct uffdio_range range;
	__u64 mode;
	__s64 updated;
};
#define LP_UFFDIO_POISON	_IOWR(UFFDIO, LP_UFFDIO_POISON_NR,	\
				      struct lp_uffdio_poison)

#define PAGE		KT_TEST_PAGE(1)			/* block 1 */
#define OFF		0x1a8
#define FAR_PAGE	KT_TEST_PAGE(2)			/* block 2 */
#define BEHIND		KT_TEST_PAGE(3)			/* vmm-thread */
#define OTHERS_FIRST	(KT_TEST_GPA + 3 * KT_BLOCK)	/* blocks 3-9 */
#define OTHERS_NR	((KT_TEST_END - OTHERS_FIRST) / KT_PAGE)
#define NR_VCPUS	4
#define TOUCHES		25
#define HUGEPAGES_WANT	48

enum backing { B_4K, B_THP, B_HUGETLB, B_MEMFD };

struct poison_case {
	enum backing backing;
	bool journal;
	bool no_offline;	/* SEAWALL_CTX_NO_HOST_OFFLINE */
};

/* --- SIGBUS ------------------------------------------------------------------ */

static struct seawall_ctx *volatile g_ctx;

/* What this thread's SIGBUS handler saw last, and how often. */
static __thread struct {
	int n, code, lsb, ret;
	uintptr_t addr;
} tsb;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	static const char fatal[] = "# FAIL: SIGBUS the library calls fatal\n";
	struct seawall_ctx *ctx = g_ctx;

	(void)sig;
	(void)uc;
	tsb.n++;
	tsb.code = si->si_code;
	tsb.addr = (uintptr_t)si->si_addr;
	tsb.lsb = si->si_addr_lsb;
	/* Inside seawall_guest_read(), this does not return. */
	tsb.ret = ctx ? seawall_sigbus_record(ctx, si->si_addr, si->si_code,
					      (short)si->si_addr_lsb) : -EINVAL;
	if (tsb.ret == SEAWALL_SIGBUS_FATAL || !ctx) {
		/* Returning would run the access again. */
		if (write(1, fatal, sizeof(fatal) - 1) < 0)
			_exit(2);
		_exit(1);
	}
}

static void sigbus_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		kt_fail("sigaction SIGBUS: %m");
}

/* --- guest ------------------------------------------------------------------- */

static void guest_touch(uint64_t first, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++)
		(void)*(volatile uint64_t *)(first + i * KT_PAGE);
	kt_guest_sync(7);
}

/* --- host helpers ---------------------------------------------------------------- */

static uint64_t pattern(uint64_t gpa)
{
	return gpa * 0x9e3779b97f4a7c15ULL;
}

static void fill(struct kt_vm *vm, uint64_t gpa)
{
	uint64_t *p = kt_gpa_hva(vm, gpa & ~(KT_PAGE - 1));

	gpa &= ~(KT_PAGE - 1);
	for (unsigned int i = 0; i < KT_PAGE / 8; i++)
		p[i] = pattern(gpa + 8 * i);
}

/* KVM_RUN bracketed as the SIGBUS contract wants; -errno, or kt_run's result. */
static int vrun(struct kt_vm *vm, struct seawall_ctx *ctx)
{
	struct kvm_run *run = vm->run;
	uint64_t ptr;
	int r, e;

	seawall_vcpu_run_begin(ctx);
	r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	e = errno;
	seawall_vcpu_run_end(ctx);
	if (r < 0)
		return -e;
	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr != KT_UCALL_GPA ||
	    !run->mmio.is_write || run->mmio.len != sizeof(ptr))
		return (int)run->exit_reason;
	memcpy(&ptr, run->mmio.data, sizeof(ptr));
	memcpy(&vm->uc, kt_gpa_hva(vm, ptr), sizeof(vm->uc));
	return KT_EXIT_UCALL;
}

/*
 * The guest touches a poisoned page: KVM_RUN fails with EINTR after SIGBUS
 * BUS_MCEERR_AR on this thread; the library injects the abort.
 */
static void touch_poisoned(struct kt_vm *vm, struct seawall_ctx *ctx, uint64_t fn,
			   uint64_t addr, uint64_t page, unsigned int lsb,
			   unsigned int hits, const char *what)
{
	struct seawall_outcome out;
	int r;

	lt_vcpu_restart(vm, (void (*)(uint64_t, uint64_t))fn, addr, 0x5ea);
	memset(&tsb, 0, sizeof(tsb));
	r = vrun(vm, ctx);
	if (r != -EINTR) {
		if (r >= 0)
			kt_describe_exit(vm, (unsigned int)r);
		kt_fail("%s: KVM_RUN gave %d (%s), %d SIGBUS; want -1/EINTR and "
			"SIGBUS BUS_MCEERR_AR", what, r, r < 0 ? strerror(-r) : "an exit",
			tsb.n);
	}
	KT_CHECK_EQ(vm->run->exit_reason, KVM_EXIT_INTR, "exit_reason after EINTR");
	KT_CHECK_EQ(tsb.n, 1, "SIGBUS taken by the vCPU thread during KVM_RUN");
	KT_CHECK_EQ(tsb.code, BUS_MCEERR_AR, "si_code (BUS_MCEERR_AR)");
	KT_CHECK_EQ(tsb.addr, (uintptr_t)kt_gpa_hva(vm, addr & ~(KT_PAGE - 1)),
		    "si_addr (the host address of the 4 KiB page touched)");
	KT_CHECK_EQ(tsb.lsb, lsb, "si_addr_lsb");
	KT_CHECK_EQ(tsb.ret, 0, "seawall_sigbus_record inside KVM_RUN");
	r = seawall_ctx_handle_pending(ctx, vm->vcpu_fd, &out);
	KT_CHECK_EQ(r, 1, "seawall_ctx_handle_pending: records handled");
	KT_CHECK_EQ(out.done & SEAWALL_ACT_INJECT_DABT, SEAWALL_ACT_INJECT_DABT,
		    "out.done has INJECT_DABT");
	KT_CHECK_EQ(out.requests & SEAWALL_ACT_INJECT, 0, "no injection left to the VMM");
	KT_CHECK_EQ(out.actions & (SEAWALL_ACT_INJECT_FAILED | SEAWALL_ACT_NEW_PAGE), 0,
		    "neither INJECT_FAILED nor NEW_PAGE");
	KT_CHECK_EQ(out.page_gpa, page, "out.page_gpa");
	KT_CHECK_EQ(out.hits, hits, "out.hits");
	lt_check_dabt(vm, addr, fn);
}

static void lift_mark(struct kt_vm *vm, uint64_t gpa)
{
	char text[64];
	int r;

	snprintf(text, sizeof(text), "clear %#llx\n", (unsigned long long)gpa);
	r = kt_sea_inject_write(vm, text);
	if (r)
		kt_fail("sea_inject clear: %s", strerror(-r));
}

/* The vCPU's binary statistic "exits", if KVM offers it. */
struct stats {
	int fd;
	off_t exits;
};

static bool stats_open(struct kt_vm *vm, struct stats *s)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs;

	s->exits = -1;
	s->fd = ioctl(vm->vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (s->fd < 0)
		return false;
	if (pread(s->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (descs && pread(s->fd, descs, h.num_desc * dsz, h.desc_offset) ==
		     (ssize_t)(h.num_desc * dsz)) {
		for (uint32_t i = 0; i < h.num_desc; i++) {
			struct kvm_stats_desc *d = (void *)(descs + i * dsz);

			if (!strcmp(d->name, "exits") && d->size == 1 &&
			    (d->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE)
				s->exits = h.data_offset + d->offset;
		}
	}
	free(descs);
	return s->exits >= 0;
}

static uint64_t stat_exits(struct stats *s)
{
	uint64_t v;

	if (pread(s->fd, &v, sizeof(v), s->exits) != (ssize_t)sizeof(v))
		kt_fail("read vCPU stat exits: %m");
	return v;
}

/* One guest pass over the other blocks' pages; the exits it cost. */
static uint64_t pass_others(struct kt_vm *vm, struct stats *s)
{
	uint64_t before = s->exits >= 0 ? stat_exits(s) : 0;

	lt_vcpu_restart(vm, guest_touch, OTHERS_FIRST, OTHERS_NR);
	kt_run_expect_ucall(vm, KT_UCALL_SYNC);
	KT_CHECK_EQ(vm->uc.args[0], 7, "guest SYNC after the pass");
	return s->exits >= 0 ? stat_exits(s) - before : 0;
}

/*
 * Mappings that core dumps leave out (VmFlags "dd"), the kernel's own
 * ([vvar] and the like) aside: the library's quarantine (a chunk that
 * UFFDIO_MOVE fills, or a mapping that mremap() moved a page into, which
 * keeps its name: /anon_hugepage, /memfd:...).  Nothing else here is one.
 */
static int count_quarantine(void)
{
	char line[512];
	bool ours = false;
	int n = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		kt_fail("/proc/self/smaps: %m");
	while (fgets(line, sizeof(line), f)) {
		char name[256] = "";
		unsigned long lo, hi;

		/* A mapping's first line begins with its (lower-case hex) address. */
		if (((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) &&
		    sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &lo, &hi, name) >= 2) {
			ours = name[0] != '[';
			continue;
		}
		if (!strncmp(line, "VmFlags:", 8) && ours && strstr(line, " dd"))
			n++;
	}
	fclose(f);
	return n;
}

/* HugePages_Rsvd of /proc/meminfo: reserved hugetlb pages not yet faulted in. */
static long hugetlb_rsvd(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Rsvd: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* AnonHugePages of the mapping holding addr (smaps). */
static long smaps_anon_huge_kb(const void *addr)
{
	char line[512];
	unsigned long lo, hi, a = (unsigned long)(uintptr_t)addr;
	long kb, found = -1;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') &&
		    line[strspn(line, "0123456789abcdef")] == '-') {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			found = kb;
	}
	fclose(f);
	return found;
}

static void hugepages_raise(void)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r+");
	int n = -1;

	if (!f)
		return;
	if (fscanf(f, "%d", &n) == 1 && n < HUGEPAGES_WANT && geteuid() == 0) {
		rewind(f);
		fprintf(f, "%d\n", HUGEPAGES_WANT);
	}
	fclose(f);
}

/* The guest's view of the test blocks becomes a MAP_SHARED memfd; returns it. */
static int memfd_setup(struct kt_vm *vm)
{
	uint64_t size = KT_TEST_END - KT_TEST_GPA;
	void *hva = kt_gpa_hva(vm, KT_TEST_GPA);
	int fd = memfd_create("lib_poison", MFD_CLOEXEC);

	if (fd < 0)
		kt_skip("memfd_create: %m");
	if (ftruncate(fd, (off_t)size))
		kt_fail("ftruncate memfd: %m");
	/* Before the guest ever ran: the memslot keeps its host range. */
	if (mmap(hva, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != hva)
		kt_fail("map the memfd over the test blocks: %m");
	return fd;
}

static struct seawall_ctx *ctx_open(struct kt_vm *vm, const struct poison_case *c,
				    const char *journal, int memfd, uint64_t psz)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct seawall_ctx *ctx;

	/* The default strategy, SEAWALL_ISOLATE_POISON: nothing about memslots. */
	o.vm_fd = -1;
	o.journal_path = journal;
	o.has_ras = vm->vm_has_ras;
	o.flags = c && c->no_offline ? SEAWALL_CTX_NO_HOST_OFFLINE : 0;
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		kt_fail("seawall_ctx_new: %m");
	ro.gpa = KT_MEM_GPA;
	ro.size = memfd >= 0 ? KT_TEST_GPA - KT_MEM_GPA : KT_MEM_SIZE;
	ro.hva = vm->mem[0].hva;
	ro.page_size = psz;
	ro.slot = 0;
	KT_CHECK_EQ(seawall_region_add(ctx, &ro), 0, "seawall_region_add");
	if (memfd >= 0) {
		SEAWALL_OPTS_RESET(ro);
		ro.gpa = KT_TEST_GPA;
		ro.size = KT_TEST_END - KT_TEST_GPA;
		ro.hva = kt_gpa_hva(vm, KT_TEST_GPA);
		ro.flags = SEAWALL_REGION_FILE | SEAWALL_REGION_NO_SLOT;
		ro.fd = memfd;
		ro.offset = 0;
		KT_CHECK_EQ(seawall_region_add(ctx, &ro), 1,
			    "seawall_region_add (the memfd part)");
	}
	g_ctx = ctx;
	return ctx;
}

static void vm_open(struct kt_vm *vm, enum backing b, int *memfd)
{
	static const enum kt_backing kb[] = {
		[B_4K] = KT_BACKING_4K, [B_THP] = KT_BACKING_THP,
		[B_HUGETLB] = KT_BACKING_HUGETLB, [B_MEMFD] = KT_BACKING_4K,
	};
	struct kt_vm_opts opts = { .backing = kb[b] };
	unsigned int caps;

	if (b == B_HUGETLB)
		hugepages_raise();
	kt_vm_create(vm, &opts);
	*memfd = b == B_MEMFD ? memfd_setup(vm) : -1;
	kt_require_sea_inject(vm);
	caps = seawall_kvm_enable(vm->vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER |
				  SEAWALL_KVM_HAS_INJECT_EXT_DABT);
	if (!(caps & SEAWALL_KVM_HAS_INJECT_EXT_DABT))
		kt_skip("no KVM_CAP_ARM_INJECT_EXT_DABT");
	lt_use_vectors(vm);
}

/* The first error: a real SEA, isolated and injected by handle_sea_exit. */
static void first_sea(struct kt_vm *vm, struct seawall_ctx *ctx, const struct poison_case *c,
		      uint64_t page, uint64_t psz, bool journal)
{
	bool offline = geteuid() == 0 && !c->no_offline;
	struct seawall_outcome out;
	struct seawall_stats st;
	struct seawall_page pg;
	struct kt_access a = { 0 };
	unsigned int want;
	int r;

	a.fn = kt_access_fn(KT_READ);
	a.target = PAGE + OFF;
	a.prime = PAGE;
	kt_access_start(vm, &a);
	kt_mark(vm, PAGE, 0);
	r = vrun(vm, ctx);
	if (r != SEAWALL_KVM_EXIT_ARM_SEA) {
		if (r >= 0)
			kt_describe_exit(vm, (unsigned int)r);
		kt_fail("expected KVM_EXIT_ARM_SEA, got %d", r);
	}
	memset(&tsb, 0, sizeof(tsb));
	r = seawall_ctx_handle_sea_exit(ctx, vm->vcpu_fd, vm->run, &out);
	if (r < 0)
		kt_fail("seawall_ctx_handle_sea_exit: %s", strerror(-r));
	if (out.reason)
		kt_diag("outcome reason: %s", out.reason);
	KT_CHECK_EQ(out.actions & SEAWALL_ACT_ISOLATE_FAILED, 0, "no ISOLATE_FAILED");
	want = SEAWALL_ACT_NEW_PAGE | SEAWALL_ACT_ISOLATE | SEAWALL_ACT_INJECT_DABT |
	       SEAWALL_ACT_NOTIFY | (journal ? SEAWALL_ACT_JOURNALED : 0) |
	       (offline ? SEAWALL_ACT_HOST_OFFLINED : 0);
	KT_CHECK_EQ(out.actions & ~SEAWALL_ACT_RESTART, want,
		    "actions (NEW_PAGE|ISOLATE|INJECT_DABT|NOTIFY[|JOURNALED][|HOST_OFFLINED])");
	KT_CHECK_EQ(out.done & SEAWALL_ACT_INJECT_DABT, SEAWALL_ACT_INJECT_DABT,
		    "out.done has INJECT_DABT");
	KT_CHECK_EQ(out.page_gpa, page, "out.page_gpa");
	KT_CHECK_EQ(out.page_size, psz, "out.page_size");
	KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE + OFF, &pg), 0, "seawall_ledger_lookup");
	KT_CHECK_EQ(pg.flags & (SEAWALL_PAGE_ISOLATED | SEAWALL_PAGE_HOST_OFFLINED),
		    SEAWALL_PAGE_ISOLATED | (offline ? SEAWALL_PAGE_HOST_OFFLINED : 0),
		    "page flags ISOLATED[|HOST_OFFLINED]");
	KT_CHECK_EQ(seawall_ctx_get_stats(ctx, &st), 0, "seawall_ctx_get_stats");
	KT_CHECK_EQ(st.host_offlined, offline ? 1 : 0, "stats.host_offlined");
	if (offline) {
		/* memory_failure()'s SIGBUS to the isolating thread: the library's own. */
		kt_diag("isolating thread took %d SIGBUS (code %d, record returned %d)",
			tsb.n, tsb.code, tsb.ret);
		if (tsb.n)
			KT_CHECK_EQ(tsb.ret, SEAWALL_SIGBUS_OWN,
				    "seawall_sigbus_record on the library's own AR");
	} else {
		KT_CHECK_EQ(tsb.n, 0, "SIGBUS during an isolation without host offlining");
	}
	lt_check_dabt(vm, PAGE + OFF, a.fn);
	lift_mark(vm, PAGE);
}

static void run_poison(const struct kt_variant *v)
{
	const struct poison_case *c = v->data;
	uint64_t psz = c->backing == B_HUGETLB ? KT_BLOCK : KT_PAGE;
	uint64_t page = PAGE & ~(psz - 1), *hva, buf;
	unsigned int lsb = c->backing == B_HUGETLB ? 21 : 12;
	uint64_t nbrs[5], d_warm = 0, d_warm2, d_iso, d_reset;
	bool offline = geteuid() == 0 && !c->no_offline;
	struct seawall_page pg;
	struct seawall_stats st;
	struct stats sts;
	char journal[96] = "";
	int memfd, quar;
	struct kt_vm vm;
	struct seawall_ctx *ctx;
	volatile uint64_t *alias = NULL;
	bool have_stats;
	long rsvd0 = hugetlb_rsvd();

	sigbus_install();
	vm_open(&vm, c->backing, &memfd);
	if (c->journal) {
		snprintf(journal, sizeof(journal), "/tmp/lib_poison.%d.journal", (int)getpid());
		unlink(journal);
	}
	ctx = ctx_open(&vm, c, c->journal ? journal : NULL, memfd, psz);

	nbrs[0] = page - 8;
	nbrs[1] = page - psz;
	nbrs[2] = page + psz;
	nbrs[3] = page + 2 * psz - 8;
	nbrs[4] = FAR_PAGE + 0x10;
	for (size_t i = 0; i < KT_ARRAY_SIZE(nbrs); i++)
		fill(&vm, nbrs[i]);
	fill(&vm, PAGE);
	if (c->backing == B_THP)
		kt_diag("THP: smaps AnonHugePages of the guest memory: %ld kB",
			smaps_anon_huge_kb(kt_gpa_hva(&vm, PAGE)));

	have_stats = !c->journal && stats_open(&vm, &sts);
	if (!c->journal) {
		pass_others(&vm, &sts);
		d_warm = pass_others(&vm, &sts);
		d_warm2 = pass_others(&vm, &sts);
		if (d_warm2 > d_warm)
			d_warm = d_warm2;
	}

	first_sea(&vm, ctx, c, page, psz, c->journal);
	if (c->backing == B_THP)
		kt_diag("THP: smaps AnonHugePages after the isolation: %ld kB",
			smaps_anon_huge_kb(kt_gpa_hva(&vm, PAGE + KT_BLOCK)));

	if (memfd >= 0) {
		/* The file still holds the bad page (seawall(7)). */
		ssize_t n = pread(memfd, &buf, sizeof(buf), (off_t)(PAGE + OFF - KT_TEST_GPA));

		if (offline) {
			if (n >= 0 || errno != EIO)
				kt_fail("pread of the memfd's bad page after memory_failure(): "
					"%zd (%m), want EIO", n);
		} else {
			void *m = mmap(NULL, KT_PAGE, PROT_READ, MAP_SHARED, memfd,
				       (off_t)(PAGE - KT_TEST_GPA));

			if (m == MAP_FAILED)
				kt_fail("second mapping of the memfd: %m");
			alias = (volatile uint64_t *)((uint8_t *)m + OFF);
			KT_CHECK_EQ(*alias, pattern(PAGE + OFF),
				    "a second mapping of the memfd reads the old content");
			KT_CHECK_EQ(n, sizeof(buf), "pread of the memfd's bad page");
			KT_CHECK_EQ(buf, pattern(PAGE + OFF), "pread of the memfd's bad page");
		}
	}

	if (c->journal) {
		struct seawall_notice nt;

		seawall_ctx_free(ctx);
		g_ctx = NULL;
		kt_vm_destroy(&vm);
		if (memfd >= 0)
			close(memfd);
		vm_open(&vm, c->backing, &memfd);
		ctx = ctx_open(&vm, NULL, journal, memfd, psz);
		KT_CHECK_EQ(seawall_ledger_count(ctx), 1, "pages after reload");
		KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE, &pg), 0, "lookup after reload");
		KT_CHECK_EQ(pg.source, SEAWALL_SRC_SEA, "page source");
		KT_CHECK_EQ(pg.hits, 1, "page hits");
		KT_CHECK_EQ(pg.flags & SEAWALL_PAGE_ISOLATED, 0, "not isolated before reisolate");
		KT_CHECK_EQ(seawall_ctx_reisolate(ctx), 1, "seawall_ctx_reisolate");
		KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE, &pg), 0, "lookup after reisolate");
		KT_CHECK_EQ(pg.flags & SEAWALL_PAGE_ISOLATED, SEAWALL_PAGE_ISOLATED,
			    "isolated after reisolate");
		KT_CHECK_EQ(seawall_notify_peek(ctx, &nt, 1), 1, "notices after reisolate");
		KT_CHECK_EQ(nt.gpa, page, "notice gpa");
		for (size_t i = 0; i < KT_ARRAY_SIZE(nbrs); i++)
			fill(&vm, nbrs[i]);
		/* The new guest's very first run touches the page. */
		touch_poisoned(&vm, ctx, (uintptr_t)kt_guest_read64, PAGE + OFF, page, lsb, 2,
			       "new VM's first read after reisolate");
		for (size_t i = 0; i < KT_ARRAY_SIZE(nbrs); i++)
			KT_CHECK_EQ(lt_guest_read(&vm, nbrs[i]), pattern(nbrs[i]),
				    "neighbour in the new VM");
		seawall_ctx_free(ctx);
		g_ctx = NULL;
		unlink(journal);
		kt_vm_destroy(&vm);
		return;
	}

	/* 2: the mark is gone; only the library keeps the page from the guest. */
	touch_poisoned(&vm, ctx, (uintptr_t)kt_guest_read64, PAGE + OFF, page, lsb, 2, "read");
	touch_poisoned(&vm, ctx, (uintptr_t)kt_guest_write64, PAGE + OFF, page, lsb, 3, "write");
	touch_poisoned(&vm, ctx, (uintptr_t)lt_guest_ldp, PAGE + OFF, page, lsb, 4, "ldp");
	if (psz > KT_PAGE)
		touch_poisoned(&vm, ctx, (uintptr_t)kt_guest_read64, page + psz - 8, page, lsb,
			       5, "read at the huge page's end");

	/* 3: no memslot changed. */
	for (size_t i = 0; i < KT_ARRAY_SIZE(nbrs); i++)
		KT_CHECK_EQ(lt_guest_read(&vm, nbrs[i]), pattern(nbrs[i]),
			    "neighbour read after the isolation");
	lt_guest_write(&vm, page + psz + 0x30, 0xfeedf00dULL);
	hva = kt_gpa_hva(&vm, page + psz + 0x30);
	KT_CHECK_EQ(*hva, 0xfeedf00dULL, "guest write above the page, host view");
	lt_guest_write(&vm, page - 0x10, 0xabcdULL);
	hva = kt_gpa_hva(&vm, page - 0x10);
	KT_CHECK_EQ(*hva, 0xabcdULL, "guest write below the page, host view");
	d_iso = pass_others(&vm, &sts);
	if (have_stats) {
		kt_diag("exits for a pass over %llu pages of 7 other blocks: %llu warm, %llu "
			"after the isolation", (unsigned long long)OTHERS_NR,
			(unsigned long long)d_warm, (unsigned long long)d_iso);
		/* A memslot change would refault them all: 1792 pages, or 7 blocks. */
		if (d_iso > d_warm + 1)
			kt_fail("the pass after the isolation cost %llu exits, warm %llu: "
				"stage 2 lost more than the bad page",
				(unsigned long long)d_iso, (unsigned long long)d_warm);
	} else {
		kt_diag("exit count not asserted: no \"exits\" in KVM_GET_STATS_FD");
	}

	/* 4: reset. */
	quar = count_quarantine();
	if (quar < 1)
		kt_fail("no quarantine mapping (not dumped) before reset");
	KT_CHECK_EQ(seawall_ctx_reset(ctx), 1, "seawall_ctx_reset: pages replaced");
	KT_CHECK_EQ(count_quarantine(), quar, "quarantine mappings after reset");
	KT_CHECK_EQ(seawall_ledger_lookup(ctx, PAGE, &pg), 0, "lookup after reset");
	KT_CHECK_EQ(pg.flags & (SEAWALL_PAGE_REPLACED | SEAWALL_PAGE_ISOLATED),
		    SEAWALL_PAGE_REPLACED, "page flags after reset");
	hva = kt_gpa_hva(&vm, page);
	for (uint64_t i = 0; i < psz / 8; i++)
		if (hva[i])
			kt_fail("fresh page not zero at +%#llx", (unsigned long long)i * 8);
	KT_CHECK_EQ(lt_guest_read(&vm, PAGE + OFF), 0, "guest read of the replaced page");
	lt_guest_write(&vm, PAGE + OFF, 0x600dULL);
	hva = kt_gpa_hva(&vm, PAGE + OFF);
	KT_CHECK_EQ(*hva, 0x600dULL, "guest write to the replaced page, host view");
	KT_CHECK_EQ(lt_guest_read(&vm, page + psz + 0x30), 0xfeedf00dULL, "neighbour after reset");
	KT_CHECK_EQ(lt_guest_read(&vm, FAR_PAGE + 0x10), pattern(FAR_PAGE + 0x10),
		    "far page after reset");
	if (alias)
		KT_CHECK_EQ(*alias, pattern(PAGE + OFF),
			    "the memfd's second mapping after reset (the file keeps the bad page)");
	d_reset = pass_others(&vm, &sts);
	if (have_stats && d_reset > d_warm + 1)
		kt_fail("the pass after the reset cost %llu exits, warm %llu",
			(unsigned long long)d_reset, (unsigned long long)d_warm);
	KT_CHECK_EQ(seawall_ctx_get_stats(ctx, &st), 0, "seawall_ctx_get_stats");
	KT_CHECK_EQ(st.sigbus_overflows, 0, "stats.sigbus_overflows");
	seawall_ctx_free(ctx);
	g_ctx = NULL;
	kt_vm_destroy(&vm);
	/*
	 * hugetlb: the guest RAM's reservations all went back with it.  A
	 * mremap() of a part of a private hugetlb mapping used to drop the
	 * whole mapping's (swvm --hugetlb then died of SIGBUS zeroing RAM at
	 * reset, and HugePages_Rsvd stayed up after it exited).
	 */
	if (c->backing == B_HUGETLB)
		KT_CHECK_EQ(hugetlb_rsvd(), rsvd0,
			    "HugePages_Rsvd after the VM's memory is unmapped, as before it");
}

/* --- vmm-thread ------------------------------------------------------------------- */

struct vmm_job {
	struct seawall_ctx *ctx;
	void *page_hva;
	int behind_err, bad_read, bad_write, nbr_read, fatal, sigbus;
	uint64_t nbr;
	struct seawall_outcome out;
	int pending;
};

static void *vmm_thread(void *arg)
{
	struct vmm_job *j = arg;
	uint64_t buf = 0;

	j->bad_read = seawall_guest_read(j->ctx, PAGE + OFF, &buf, sizeof(buf));
	j->bad_write = seawall_guest_write(j->ctx, PAGE + OFF, &buf, sizeof(buf));
	j->nbr_read = seawall_guest_read(j->ctx, PAGE + KT_PAGE, &j->nbr, sizeof(j->nbr));
	memset(&tsb, 0, sizeof(tsb));
	j->behind_err = seawall_guest_read(j->ctx, BEHIND + 0x10, &buf, sizeof(buf));
	j->sigbus = tsb.n;
	/* Not a vCPU thread, not in KVM_RUN, not in a checked copy: fatal. */
	j->fatal = seawall_sigbus_record(j->ctx, j->page_hva, BUS_MCEERR_AR, 12);
	j->pending = seawall_ctx_handle_pending(j->ctx, -1, &j->out);
	return NULL;
}

/* Poison a page behind the library's back, as another party might. */
static void poison_behind(void *hva)
{
	struct uffdio_api api = { .api = UFFD_API, .features = LP_UFFD_FEATURE_POISON };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)hva, .len = KT_PAGE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct lp_uffdio_poison po = { .range = { .start = (uintptr_t)hva, .len = KT_PAGE } };
	int fd;

	if (madvise(hva, KT_PAGE, MADV_DONTNEED))
		kt_fail("MADV_DONTNEED: %m");
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0)
		kt_skip("userfaultfd(UFFD_USER_MODE_ONLY): %m");
	if (ioctl(fd, UFFDIO_API, &api) || !(api.features & LP_UFFD_FEATURE_POISON))
		kt_skip("no UFFD_FEATURE_POISON");
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		kt_fail("UFFDIO_REGISTER: %m");
	if (ioctl(fd, LP_UFFDIO_POISON, &po))
		kt_fail("UFFDIO_POISON: %m");
	close(fd);
}

static void run_vmm_thread(const struct kt_variant *v)
{
	static const struct poison_case c4k = { .backing = B_4K };
	struct vmm_job j = { 0 };
	struct seawall_page pg;
	struct kt_vm vm;
	pthread_t t;
	int memfd, e;

	(void)v;
	sigbus_install();
	vm_open(&vm, B_4K, &memfd);
	j.ctx = ctx_open(&vm, &c4k, NULL, -1, KT_PAGE);
	fill(&vm, PAGE + KT_PAGE);
	fill(&vm, PAGE);
	first_sea(&vm, j.ctx, &c4k, PAGE, KT_PAGE, false);
	j.page_hva = kt_gpa_hva(&vm, PAGE);
	poison_behind(kt_gpa_hva(&vm, BEHIND));

	e = pthread_create(&t, NULL, vmm_thread, &j);
	if (e)
		kt_fail("pthread_create: %s", strerror(e));
	pthread_join(t, NULL);
	KT_CHECK_EQ(j.bad_read, -EHWPOISON, "seawall_guest_read of the isolated page");
	KT_CHECK_EQ(j.bad_write, -EHWPOISON, "seawall_guest_write of the isolated page");
	KT_CHECK_EQ(j.nbr_read, 0, "seawall_guest_read of a neighbour");
	KT_CHECK_EQ(j.nbr, pattern(PAGE + KT_PAGE), "the neighbour's content");
	KT_CHECK_EQ(j.behind_err, -EHWPOISON,
		    "seawall_guest_read of a page poisoned behind the library's back");
	KT_CHECK_EQ(j.sigbus, 1, "SIGBUS the checked copy took");
	KT_CHECK_EQ(seawall_ledger_lookup(j.ctx, BEHIND, &pg), 0,
		    "the page poisoned behind the library's back is in the ledger");
	KT_CHECK_EQ(pg.source, SEAWALL_SRC_SIGBUS_AR, "its source");
	KT_CHECK_EQ(pg.hits, 1, "its hits");
	kt_diag("page poisoned behind the library's back: flags %#x actions %#x",
		pg.flags, pg.actions);
	KT_CHECK_EQ(j.fatal, SEAWALL_SIGBUS_FATAL,
		    "seawall_sigbus_record of an AR on a thread outside run_begin/_end");
	KT_CHECK_EQ(j.pending, 1, "handle_pending on the VMM thread: records");
	KT_CHECK_EQ(j.out.requests & SEAWALL_ACT_INJECT_DABT, SEAWALL_ACT_INJECT_DABT,
		    "vcpu_fd -1: the abort is in out.requests");
	KT_CHECK_EQ(j.out.done & SEAWALL_ACT_INJECT, 0, "vcpu_fd -1: nothing injected");
	/* The same record from inside KVM_RUN's bracket is the guest's. */
	seawall_vcpu_run_begin(j.ctx);
	e = seawall_sigbus_record(j.ctx, j.page_hva, BUS_MCEERR_AR, 12);
	seawall_vcpu_run_end(j.ctx);
	KT_CHECK_EQ(e, 0, "seawall_sigbus_record inside run_begin/_end");
	KT_CHECK_EQ(seawall_ctx_handle_pending(j.ctx, -1, NULL), 1, "drain");
	/* The guest meets the page poisoned behind our back like any other. */
	touch_poisoned(&vm, j.ctx, (uintptr_t)kt_guest_read64, BEHIND + 0x10, BEHIND, 12, 2,
		       "guest read of the page poisoned behind the library's back");
	KT_CHECK_EQ(lt_guest_read(&vm, PAGE + KT_PAGE + 8), pattern(PAGE + KT_PAGE + 8),
		    "neighbour");
	seawall_ctx_free(j.ctx);
	g_ctx = NULL;
	kt_vm_destroy(&vm);
}

/* --- four vCPUs ----------------------------------------------------------------------- */

struct vcpu_job {
	struct kt_vm vm;	/* a copy of the VM with this vCPU's fd and run */
	struct seawall_ctx *ctx;
	uint64_t page;
	int idx;
	unsigned int aborts, sigbus, runs, not_injected;
};

static void *vcpu_loop(void *arg)
{
	struct vcpu_job *j = arg;
	uintptr_t hva = (uintptr_t)kt_gpa_hva(&j->vm, j->page);
	uint64_t addr = j->page + 0x40;

	for (unsigned int k = 0; k < TOUCHES; k++) {
		lt_vcpu_restart(&j->vm, (void (*)(uint64_t, uint64_t))(uintptr_t)kt_guest_read64,
				addr, 0);
		lt_set_reg(&j->vm, LT_CORE_REG(sp_el1), KT_STACK_TOP - (uint64_t)j->idx * 0x10000);
		for (;;) {
			struct seawall_outcome out;
			int r, n0 = tsb.n;

			r = vrun(&j->vm, j->ctx);
			j->runs++;
			if (r == -EINTR) {
				if (tsb.n != n0 + 1 || tsb.code != BUS_MCEERR_AR || tsb.addr != hva)
					kt_fail("vCPU %d: SIGBUS %d->%d code %d addr %#lx, want one "
						"AR at %#lx", j->idx, n0, tsb.n, tsb.code,
						(unsigned long)tsb.addr, (unsigned long)hva);
				j->sigbus++;
				if (seawall_ctx_handle_pending(j->ctx, j->vm.vcpu_fd, &out) < 0)
					kt_fail("vCPU %d: handle_pending failed", j->idx);
				if (!(out.done & SEAWALL_ACT_INJECT_DABT))
					j->not_injected++;
				continue;
			}
			if (r != KT_EXIT_UCALL || j->vm.uc.cmd != KT_UCALL_EXCEPTION) {
				if (r >= 0)
					kt_describe_exit(&j->vm, (unsigned int)r);
				kt_fail("vCPU %d: run %d, want the abort", j->idx, r);
			}
			KT_CHECK_EQ(j->vm.uc.args[0], KT_VEC_CUR_SPX_SYNC, "vector");
			KT_CHECK_EQ(ESR_EC(j->vm.uc.args[1]), EC_DABT_CUR, "ESR_EL1.EC");
			KT_CHECK_EQ(j->vm.uc.args[1] & ESR_FSC, FSC_SEA, "ESR_EL1.FSC");
			KT_CHECK_EQ(j->vm.uc.args[2], addr, "FAR_EL1");
			j->aborts++;
			break;
		}
	}
	return NULL;
}

static void vcpu_clone(struct kt_vm *vm, struct kt_vm *out, int id)
{
	static const uint64_t regs[] = {
		LT_REG_SCTLR_EL1, LT_SYSREG(3, 0, 10, 2, 0), LT_SYSREG(3, 0, 2, 0, 2),
		LT_SYSREG(3, 0, 2, 0, 0), LT_SYSREG(3, 0, 2, 0, 1), LT_REG_VBAR_EL1,
		LT_SYSREG(3, 0, 1, 0, 2),
	};
	struct kvm_vcpu_init init;

	*out = *vm;
	out->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (out->vcpu_fd < 0)
		kt_skip("KVM_CREATE_VCPU %d: %m", id);
	out->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			out->vcpu_fd, 0);
	if (out->run == MAP_FAILED)
		kt_fail("mmap kvm_run: %m");
	memset(&init, 0, sizeof(init));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0 ||
	    ioctl(out->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0)
		kt_fail("KVM_ARM_VCPU_INIT vCPU %d: %m", id);
	for (size_t i = 0; i < KT_ARRAY_SIZE(regs); i++)
		lt_set_reg(out, regs[i], lt_get_reg(vm, regs[i]));
}

static int count_overflow;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == SEAWALL_EV_SIGBUS_OVERFLOW)
		__atomic_fetch_add(&count_overflow, 1, __ATOMIC_RELAXED);
}

static void run_vcpus(const struct kt_variant *v)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	static struct vcpu_job jobs[NR_VCPUS];
	struct seawall_outcome out;
	struct seawall_stats st;
	struct seawall_page pg;
	struct seawall_ctx *ctx;
	pthread_t t[NR_VCPUS];
	unsigned int sigbus = 0, hits = 0, stolen = 0;
	struct kt_vm vm;
	int memfd, e;

	(void)v;
	sigbus_install();
	vm_open(&vm, B_4K, &memfd);
	/* kt's vectors report in registers; lt's share one report block. */
	lt_set_reg(&vm, LT_REG_VBAR_EL1, (uintptr_t)kt_guest_vectors);
	for (int i = 0; i < NR_VCPUS; i++) {
		jobs[i].idx = i;
		if (i)
			vcpu_clone(&vm, &jobs[i].vm, i);
		else
			jobs[i].vm = vm;
	}
	o.vm_fd = -1;
	o.event_fn = on_event;
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		kt_fail("seawall_ctx_new: %m");
	ro.gpa = KT_MEM_GPA;
	ro.size = KT_MEM_SIZE;
	ro.hva = vm.mem[0].hva;
	KT_CHECK_EQ(seawall_region_add(ctx, &ro), 0, "seawall_region_add");
	g_ctx = ctx;
	for (int i = 0; i < NR_VCPUS; i++) {
		jobs[i].ctx = ctx;
		jobs[i].page = KT_TEST_PAGE(4 + i);
		/* A present page, as a bad page always is. */
		fill(&vm, jobs[i].page);
		e = seawall_ctx_handle_test(ctx, jobs[i].page, &out);
		KT_CHECK_EQ(e < 0 ? 0 : out.actions & (SEAWALL_ACT_ISOLATE | SEAWALL_ACT_ISOLATE_FAILED),
			    SEAWALL_ACT_ISOLATE, "handle_test isolates the vCPU's page");
	}
	for (int i = 0; i < NR_VCPUS; i++) {
		e = pthread_create(&t[i], NULL, vcpu_loop, &jobs[i]);
		if (e)
			kt_fail("pthread_create: %s", strerror(e));
	}
	for (int i = 0; i < NR_VCPUS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NR_VCPUS; i++) {
		KT_CHECK_EQ(jobs[i].aborts, TOUCHES, "aborts a vCPU saw");
		KT_CHECK_EQ(seawall_ledger_lookup(ctx, jobs[i].page, &pg), 0, "lookup");
		KT_CHECK_EQ(pg.hits, 1 + jobs[i].sigbus, "page hits = 1 + the vCPU's SIGBUS ARs");
		sigbus += jobs[i].sigbus;
		hits += pg.hits;
		stolen += jobs[i].not_injected;
		kt_diag("vCPU %d: %u runs, %u SIGBUS AR, %u aborts, %u AR not injected by "
			"its own handle_pending", i, jobs[i].runs, jobs[i].sigbus, jobs[i].aborts,
			jobs[i].not_injected);
	}
	KT_CHECK_EQ(hits, NR_VCPUS + sigbus, "ledger hits = handle_test + every AR");
	KT_CHECK_EQ(seawall_ctx_get_stats(ctx, &st), 0, "seawall_ctx_get_stats");
	KT_CHECK_EQ(st.sigbus_overflows, 0, "stats.sigbus_overflows");
	KT_CHECK_EQ(count_overflow, 0, "SEAWALL_EV_SIGBUS_OVERFLOW events");
	KT_CHECK_EQ(sigbus, NR_VCPUS * TOUCHES + stolen,
		    "ARs = touches + re-touches of aborts another vCPU's handle_pending took");
	seawall_ctx_free(ctx);
	g_ctx = NULL;
	kt_vm_destroy(&vm);
}

#define POISON(n, ...)							\
	{ .name = n, .run = run_poison, .needs_inject = true, .timeout = 180, \
	  .data = &(const struct poison_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	POISON("anon-4k", .backing = B_4K),
	POISON("anon-4k-no-host-offline", .backing = B_4K, .no_offline = true),
	POISON("anon-thp", .backing = B_THP),
	POISON("hugetlb-2m", .backing = B_HUGETLB),
	POISON("memfd-shared", .backing = B_MEMFD),
	POISON("memfd-shared-no-host-offline", .backing = B_MEMFD, .no_offline = true),
	POISON("anon-4k-journal-reload", .backing = B_4K, .journal = true),
	POISON("anon-thp-journal-reload", .backing = B_THP, .journal = true),
	POISON("hugetlb-2m-journal-reload", .backing = B_HUGETLB, .journal = true),
	POISON("memfd-shared-journal-reload", .backing = B_MEMFD, .journal = true),
	{ .name = "vmm-thread-guest-read", .run = run_vmm_thread, .needs_inject = true,
	  .timeout = 120 },
	{ .name = "four-vcpus", .run = run_vcpus, .needs_inject = true, .timeout = 180 },
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "lib_poison",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
