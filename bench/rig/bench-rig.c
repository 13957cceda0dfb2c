// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * bench-rig: libseawall benchmarks against real KVM, inside the rig's L1
 * host (static arm64, built on the kernel suite's kt framework: the guest
 * runs this binary's own code at EL1).  Every comparison puts 0.2's
 * isolation by poison (SEAWALL_ISOLATE_POISON, "poison") beside 0.1's
 * memslot split (SEAWALL_ISOLATE_MEMSLOT_SPLIT, "split") in the same boot.
 *
 *   bench-rig [roundtrip] [exitloop] [isolate] [storm]     (default: all)
 *
 * roundtrip  one vCPU alternates batches of four kinds of round trip, all
 *            through the same VMM dispatch: a plain MMIO read of a device
 *            address; a read of a page the rig marked bad (KVM_EXIT_ARM_SEA
 *            -> seawall_ctx_handle_sea_exit -> data abort injected -> the
 *            guest's handler -> back after the load); a read of a page
 *            isolated by split (MMIO exit on the hole ->
 *            seawall_ctx_handle_fault_exit -> abort -> handler); a read of
 *            a page isolated by poison (SIGBUS BUS_MCEERR_AR on the vCPU
 *            thread -> seawall_sigbus_record -> KVM_RUN returns EINTR ->
 *            seawall_ctx_handle_pending -> abort -> handler).
 * exitloop   MMIO exits per second, the VMM loop bare against the same loop
 *            with a seawall context (journal, region, SIGBUS handler) as
 *            swvm runs it: KVM_RUN bracketed by seawall_vcpu_run_begin/_end
 *            and seawall_ctx_handle_pending after it; rounds interleaved.
 * isolate    per strategy and backing (4 KiB pages, THP), in a 1 GiB
 *            memslot: the time of seawall_ctx_isolate() for one page, and
 *            what the guest pays for it: a pass over every page of the
 *            region right after, against a warm pass.  Poison twice: with
 *            the quarantined page handed to the host's memory_failure()
 *            (the default with CAP_SYS_ADMIN) and with
 *            SEAWALL_CTX_NO_HOST_OFFLINE.
 * storm      4 vCPUs read 1000 distinct bad pages (250 each, interleaved in
 *            one memslot), journal with fdatasync; split (the vCPUs stopped
 *            around each memslot change), then poison (no stop): events per
 *            second; every page in the ledger exactly once, every vCPU got
 *            each of its aborts, no exit lost or spurious.
 *
 * Each benchmark runs in a child process.  Results: lines "bench-rig: ...";
 * a benchmark that cannot run says "skip" and why; a broken invariant
 * says "FAIL" and the exit status is 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <seawall.h>

#include "kt.h"

/* A second memslot for the data pages, identity mapped by one L1 block. */
#define BR_DATA_GPA	0x80000000ULL
#define BR_GIB		0x40000000ULL
#define BR_DEV_GPA	(KT_UCALL_GPA + 0x1000)	/* MMIO, not the ucall */
#define BR_PARAM_GPA	(KT_PARAM_GPA + 0x400)
#define BR_MAX_CPUS	4

/* Host -> guest parameters, and the guest's abort counters. */
struct br_param {
	uint64_t addr;		/* loop: the address to access */
	uint64_t n;		/* loop: accesses a batch; touch, storm: pages */
	uint64_t write;		/* loop, touch: store instead of load */
	uint64_t skip;		/* touch: pages not to touch */
	uint64_t skip2;
	uint64_t skip3;
	uint64_t base;		/* touch, storm: first page */
	uint64_t stride;	/* storm: bytes between pages */
	uint64_t ncpus;		/* storm */
	uint64_t aborts[BR_MAX_CPUS];	/* TPIDR_EL1 of vCPU i points here */
};

/* Guest side. */
extern const char br_vectors[];
uint64_t br_read(uint64_t addr);
uint64_t br_write(uint64_t addr, uint64_t val);
void br_guest_loop(uint64_t unused0, uint64_t unused1);
void br_guest_touch(uint64_t unused0, uint64_t unused1);
void br_guest_storm(uint64_t cpu, uint64_t unused);

#define P ((volatile struct br_param *)BR_PARAM_GPA)

void br_guest_loop(uint64_t unused0, uint64_t unused1)
{
	(void)unused0;
	(void)unused1;
	for (;;) {
		uint64_t n = P->n, addr = P->addr;

		if (P->write)
			for (uint64_t i = 0; i < n; i++)
				br_write(addr, i);
		else
			for (uint64_t i = 0; i < n; i++)
				br_read(addr);
		kt_guest_sync(1);
	}
}

void br_guest_touch(uint64_t unused0, uint64_t unused1)
{
	(void)unused0;
	(void)unused1;
	for (;;) {
		uint64_t base = P->base, n = P->n, skip = P->skip, skip2 = P->skip2;
		uint64_t skip3 = P->skip3, write = P->write;

		for (uint64_t i = 0; i < n; i++) {
			uint64_t a = base + i * KT_PAGE;

			if (a == skip || a == skip2 || a == skip3)
				continue;
			if (write)
				br_write(a, i);
			else
				br_read(a);
		}
		kt_guest_sync(2);
	}
}

void br_guest_storm(uint64_t cpu, uint64_t unused)
{
	uint64_t n = P->n, ncpus = P->ncpus, base = P->base, stride = P->stride;

	(void)unused;
	for (uint64_t j = cpu; j < n; j += ncpus)
		br_read(base + j * stride);
}

/* --- host helpers ------------------------------------------------------------ */

#define REG_TPIDR_EL1	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | \
			 (3ULL << KVM_REG_ARM64_SYSREG_OP0_SHIFT) |			\
			 (13ULL << KVM_REG_ARM64_SYSREG_CRN_SHIFT) |			\
			 (4ULL << KVM_REG_ARM64_SYSREG_OP2_SHIFT))
#define SYSREG(crn, crm, op2)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | \
				 (3ULL << KVM_REG_ARM64_SYSREG_OP0_SHIFT) |		\
				 ((uint64_t)(crn) << KVM_REG_ARM64_SYSREG_CRN_SHIFT) |	\
				 ((uint64_t)(crm) << KVM_REG_ARM64_SYSREG_CRM_SHIFT) |	\
				 ((uint64_t)(op2) << KVM_REG_ARM64_SYSREG_OP2_SHIFT))
#define CORE(field)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |	\
			 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))

static int failed;

#define BR_FAIL(...) do { printf("bench-rig: FAIL: " __VA_ARGS__); putchar('\n'); failed = 1; } while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t get_reg(int fd, uint64_t id)
{
	uint64_t v = 0;
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	if (ioctl(fd, KVM_GET_ONE_REG, &r) < 0)
		kt_fail("KVM_GET_ONE_REG %#" PRIx64 ": %m", id);
	return v;
}

static void set_reg(int fd, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	if (ioctl(fd, KVM_SET_ONE_REG, &r) < 0)
		kt_fail("KVM_SET_ONE_REG %#" PRIx64 ": %m", id);
}

static struct br_param *param(struct kt_vm *vm)
{
	return kt_gpa_hva(vm, BR_PARAM_GPA);
}

/* Identity-map [gva, gva + 1 GiB) as normal memory with one L1 block. */
static void map_gib(struct kt_vm *vm, uint64_t gva)
{
	uint64_t *root = kt_gpa_hva(vm, vm->pt_root);

	root[(gva >> 30) & 511] = gva | 1 /* valid, block */ | (3ULL << 8) /* inner shareable */ |
				  (1ULL << 10) /* AF */ | (1ULL << 54) /* UXN */;
}

/* AnonHugePages of this process (kB), or -1. */
static long anon_huge_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* One of KVM's debugfs counters for this VM (vCPU ones summed), or 0. */
static uint64_t kvm_stat(struct kt_vm *vm, const char *name)
{
	char path[256];
	unsigned long long v = 0;
	FILE *f;

	kt_debugfs_dir(vm, path, sizeof(path));
	strncat(path, "/", sizeof(path) - strlen(path) - 1);
	strncat(path, name, sizeof(path) - strlen(path) - 1);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/*
 * Memslot 1, the data pages: anonymous, its host address 2 MiB aligned like
 * its GPA, 4 KiB pages or THP.  kt_vm_add_mem() only does 4 KiB.
 */
static void add_data_slot(struct kt_vm *vm, uint64_t size, bool thp)
{
	struct kt_mem *m = &vm->mem[vm->nr_mem];
	struct kvm_userspace_memory_region r;

	m->gpa = BR_DATA_GPA;
	m->size = size;
	m->map_size = size + KT_BLOCK;
	m->map = mmap(NULL, m->map_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->map == MAP_FAILED)
		kt_fail("mmap %" PRIu64 " MiB: %m", size >> 20);
	m->hva = (uint8_t *)(((uintptr_t)m->map + KT_BLOCK - 1) & ~(uintptr_t)(KT_BLOCK - 1));
	vm->nr_mem++;
	if (thp) {
		/* kt_vm_create() turned THP off for the process (its 4 KiB slot 0). */
		if (prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0) < 0 ||
		    madvise(m->hva, size, MADV_HUGEPAGE) < 0)
			kt_skip("no THP for the data slot: %m");
	} else {
		madvise(m->hva, size, MADV_NOHUGEPAGE);
	}
	memset(&r, 0, sizeof(r));
	r.slot = 1;
	r.guest_phys_addr = m->gpa;
	r.memory_size = m->size;
	r.userspace_addr = (uintptr_t)m->hva;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		kt_fail("KVM_SET_USER_MEMORY_REGION slot 1: %m");
}

/*
 * The VM every benchmark starts from: our vectors, a data slot of size
 * bytes, the exits a VMM asks for (sea: KVM_EXIT_ARM_SEA required).
 */
static void vm_setup(struct kt_vm *vm, uint64_t size, bool thp, bool sea)
{
	int r;

	kt_vm_create(vm, NULL);
	add_data_slot(vm, size, thp);
	map_gib(vm, BR_DATA_GPA);
	memset(param(vm), 0, sizeof(struct br_param));
	set_reg(vm->vcpu_fd, SYSREG(12, 0, 0), (uintptr_t)br_vectors);	/* VBAR_EL1 */
	set_reg(vm->vcpu_fd, REG_TPIDR_EL1, BR_PARAM_GPA + offsetof(struct br_param, aborts));
	r = seawall_kvm_enable(vm->vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER |
			       SEAWALL_KVM_HAS_INJECT_EXT_DABT | SEAWALL_KVM_HAS_NISV_TO_USER);
	if (sea && (r < 0 || !(r & SEAWALL_KVM_HAS_SEA_TO_USER)))
		kt_skip("KVM_CAP_ARM_SEA_TO_USER unavailable");
}

static unsigned int events_seen;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == SEAWALL_EV_POISON)
		__atomic_fetch_add(&events_seen, 1, __ATOMIC_RELAXED);
}

static struct seawall_ctx *ctx_setup(struct kt_vm *vm, unsigned int strategy, const char *journal,
				     unsigned int policy_flags, unsigned int ctx_flags)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_ctx *ctx;
	int r;

	if (journal)
		unlink(journal);
	o.vm_fd = vm->vm_fd;		/* the split's; poison ignores it */
	o.journal_path = journal;
	o.strategy = strategy;
	o.spare_slot_base = 2;
	o.spare_slot_count = 4000;
	o.has_ras = vm->vm_has_ras;
	o.event_fn = on_event;
	o.flags = ctx_flags;
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		kt_fail("seawall_ctx_new: %m");
	ro.gpa = BR_DATA_GPA;
	ro.size = vm->mem[1].size;
	ro.hva = vm->mem[1].hva;
	ro.page_size = KT_PAGE;
	ro.slot = 1;
	r = seawall_region_add(ctx, &ro);
	if (r < 0)
		kt_fail("seawall_region_add: %s", strerror(-r));
	po.restart_after_pages = SEAWALL_POLICY_NEVER;
	po.flags = SEAWALL_POLICY_NO_RESTART_EL1 | SEAWALL_POLICY_NO_NOTIFY | policy_flags;
	seawall_ctx_set_policy(ctx, &po);
	return ctx;
}

/* --- the VMM's SIGBUS handler and vCPU loop, as swvm's --------------------------- */

static struct seawall_ctx *sigbus_ctx;

/*
 * Where the time of a round trip goes (roundtrip only, one vCPU thread):
 * inside KVM_RUN (guest, KVM, the SIGBUS delivery; less the handler), in
 * the SIGBUS handler, in seawall_ctx_handle_pending, in the dispatch.
 */
static struct {
	bool on;
	uint64_t runs;
	double run, handler, pending, dispatch;
} tm;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "bench-rig: FAIL: SIGBUS BUS_MCEERR_AR outside KVM_RUN\n";
	double t0 = tm.on ? now_s() : 0;
	int r;

	(void)sig;
	(void)uc;
	r = seawall_sigbus_record(sigbus_ctx, si->si_addr, si->si_code, si->si_addr_lsb);
	if (tm.on)
		tm.handler += now_s() - t0;
	if (r == SEAWALL_SIGBUS_FATAL) {
		/* A host thread read a bad page: returning would read it again. */
		if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(2);
		_exit(1);
	}
}

/*
 * Before anything is isolated: the host offlining of a quarantined page
 * (MADV_HWPOISON) answers with a SIGBUS the handler must pass to the
 * context that isolates; a poisoned page answers the guest's access with
 * one for the context that owns the page.
 */
static void install_sigbus(struct seawall_ctx *ctx)
{
	struct sigaction sa;

	sigbus_ctx = ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
}

/* Exits the dispatch saw, by kind; sigbus: records handle_pending took. */
struct br_count {
	uint64_t mmio, sea, fault, sigbus, spurious, other;
};

/*
 * One KVM_RUN as a 0.2 VMM makes it (ctx NULL: a VMM without libseawall):
 * bracketed for the SIGBUS contract, the SIGBUS queue drained right after,
 * whatever KVM_RUN returned; an abort for a poisoned page is injected
 * there.  Returns KVM_RUN's result with its errno.
 */
static int vcpu_run(int fd, struct seawall_ctx *ctx, struct br_count *c)
{
	double t0 = tm.on ? now_s() : 0, t1 = 0;
	int r, e, n;

	if (ctx)
		seawall_vcpu_run_begin(ctx);
	r = ioctl(fd, KVM_RUN, 0);
	e = errno;
	if (tm.on) {
		t1 = now_s();
		tm.run += t1 - t0;
		tm.runs++;
	}
	if (ctx) {
		seawall_vcpu_run_end(ctx);
		n = seawall_ctx_handle_pending(ctx, fd, NULL);
		if (n > 0)
			c->sigbus += (uint64_t)n;
		if (tm.on)
			tm.pending += now_s() - t1;
	}
	errno = e;
	return r;
}

/*
 * The VMM's dispatch of one exit, as swvm's vCPU loop does it: SEA exits
 * to ctx, MMIO/NISV exits on the data slot to fctx (the context that split
 * it).  Returns 1 on a ucall (copied to *uc), 0 otherwise.
 */
static int dispatch(struct kt_vm *vm, int fd, struct kvm_run *run, struct seawall_ctx *ctx,
		    struct seawall_ctx *fctx, struct br_count *c, struct kt_ucall *uc)
{
	struct seawall_outcome out;
	uint64_t gpa;
	int r;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		gpa = run->mmio.phys_addr;
		if (gpa == KT_UCALL_GPA && run->mmio.is_write && run->mmio.len == 8) {
			uint64_t ptr;

			memcpy(&ptr, run->mmio.data, 8);
			memcpy(uc, kt_gpa_hva(vm, ptr), sizeof(*uc));
			return 1;
		}
		if (gpa >= BR_DATA_GPA && gpa - BR_DATA_GPA < vm->mem[1].size) {
			r = fctx ? seawall_ctx_handle_fault_exit(fctx, fd, run, &out) : 0;
			if (r > 0)
				c->fault++;
			else
				c->spurious++;
			return 0;
		}
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		c->mmio++;
		return 0;
	case SEAWALL_KVM_EXIT_ARM_NISV:
		if (fctx && seawall_ctx_handle_fault_exit(fctx, fd, run, &out) > 0)
			c->fault++;
		else
			c->spurious++;
		return 0;
	case SEAWALL_KVM_EXIT_ARM_SEA:
		r = seawall_ctx_handle_sea_exit(ctx, fd, run, &out);
		if (r < 0 || !(out.actions & SEAWALL_ACT_INJECT))
			kt_fail("handle_sea_exit: %d, actions %#x", r, out.actions);
		c->sea++;
		return 0;
	default:
		c->other++;
		return 0;
	}
}

/* Run vCPU 0 until its next ucall, which must be SYNC. */
static void run_to_sync(struct kt_vm *vm, struct seawall_ctx *ctx, struct seawall_ctx *fctx,
			struct br_count *c)
{
	struct kt_ucall uc;

	for (;;) {
		double t0;
		int r;

		if (vcpu_run(vm->vcpu_fd, ctx, c) < 0) {
			if (errno == EINTR)
				continue;
			kt_fail("KVM_RUN: %m");
		}
		t0 = tm.on ? now_s() : 0;
		r = dispatch(vm, vm->vcpu_fd, vm->run, ctx, fctx, c, &uc);
		if (tm.on)
			tm.dispatch += now_s() - t0;
		if (r) {
			if (uc.cmd != KT_UCALL_SYNC)
				kt_fail("guest ucall %" PRIu64 " (%#" PRIx64 " %#" PRIx64 " %#" PRIx64 ")",
					uc.cmd, uc.args[0], uc.args[1], uc.args[2]);
			return;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Record gpa as bad and isolate it; returns the seconds seawall_ctx_isolate() took. */
static double isolate_timed(struct seawall_ctx *ctx, uint64_t gpa, const char *what)
{
	double t0, t;
	int r;

	seawall_ctx_handle_test(ctx, gpa, NULL);
	t0 = now_s();
	r = seawall_ctx_isolate(ctx, gpa);
	t = now_s() - t0;
	if (r < 0)
		kt_skip("%s: seawall_ctx_isolate: %s", what, strerror(-r));
	/* The host offlining's own SIGBUS is the library's, not a guest error. */
	if (seawall_ctx_handle_pending(ctx, -1, NULL) != 0)
		BR_FAIL("%s: the isolation queued a SIGBUS record", what);
	return t;
}

/* --- roundtrip ----------------------------------------------------------------- */

#define RT_ROUNDS	9
#define RT_BATCH	2000
#define RT_KINDS	4

static void bench_roundtrip(void)
{
	static const char *const kind[RT_KINDS] = { "mmio", "sea", "split", "poison" };
	uint64_t sea_page = BR_DATA_GPA + 0x10000, hole = BR_DATA_GPA + 0x20000;
	uint64_t poisoned = BR_DATA_GPA + 0x30000;
	double t[RT_KINDS][RT_ROUNDS], med[RT_KINDS], part[RT_KINDS][4] = { { 0 } };
	uint64_t runs[RT_KINDS] = { 0 };
	struct seawall_ctx *ctx, *split;
	struct seawall_page pg;
	struct br_param *p;
	struct kt_vm vm;

	vm_setup(&vm, 16 << 20, false, true);
	kt_require_sea_inject(&vm);
	/* Populated, as guest RAM with a real bad page in it is. */
	memset(vm.mem[1].hva, 1, vm.mem[1].size);
	/*
	 * The VMM's context (0.2's default, poison), with no automatic
	 * isolation: the marked page raises an SEA every time.  The split
	 * page needs a context of its own; it does not hand its quarantine to
	 * the host, whose SIGBUS would reach the handler bound to ctx.
	 */
	ctx = ctx_setup(&vm, SEAWALL_ISOLATE_POISON, "/tmp/bench-rig.journal",
			SEAWALL_POLICY_NO_ISOLATE, 0);
	split = ctx_setup(&vm, SEAWALL_ISOLATE_MEMSLOT_SPLIT, "/tmp/bench-rig-split.journal",
			  SEAWALL_POLICY_NO_ISOLATE, SEAWALL_CTX_NO_HOST_OFFLINE);
	install_sigbus(ctx);
	kt_mark(&vm, sea_page, 0);
	isolate_timed(split, hole, "roundtrip split");
	isolate_timed(ctx, poisoned, "roundtrip poison");

	p = param(&vm);
	kt_vcpu_start(&vm, br_guest_loop, 0, 0);
	for (int round = -1; round < RT_ROUNDS; round++) {
		for (int k = 0; k < RT_KINDS; k++) {
			struct br_count c = { 0 };
			uint64_t before = p->aborts[0];
			double t0;

			p->addr = k == 0 ? BR_DEV_GPA : k == 1 ? sea_page : k == 2 ? hole : poisoned;
			p->n = RT_BATCH;
			memset(&tm, 0, sizeof(tm));
			tm.on = true;
			t0 = now_s();
			run_to_sync(&vm, ctx, split, &c);
			tm.on = false;
			if (round < 0)
				continue;	/* warm-up */
			t[k][round] = (now_s() - t0) / RT_BATCH;
			part[k][0] += (tm.run - tm.handler) / RT_BATCH;
			part[k][1] += tm.handler / RT_BATCH;
			part[k][2] += tm.pending / RT_BATCH;
			part[k][3] += tm.dispatch / RT_BATCH;
			runs[k] += tm.runs;
			if (c.mmio != (k == 0 ? RT_BATCH : 0) || c.sea != (k == 1 ? RT_BATCH : 0) ||
			    c.fault != (k == 2 ? RT_BATCH : 0) || c.sigbus != (k == 3 ? RT_BATCH : 0) ||
			    c.spurious || c.other || p->aborts[0] - before != (k ? RT_BATCH : 0))
				BR_FAIL("roundtrip %s: %" PRIu64 " mmio %" PRIu64 " sea %" PRIu64
					" split %" PRIu64 " sigbus %" PRIu64 " spurious %" PRIu64
					" other, %" PRIu64 " aborts for %d accesses", kind[k], c.mmio,
					c.sea, c.fault, c.sigbus, c.spurious, c.other,
					p->aborts[0] - before, RT_BATCH);
		}
	}
	for (int k = 0; k < RT_KINDS; k++)
		med[k] = median(t[k], RT_ROUNDS);
	printf("bench-rig: roundtrip: mmio %.1f us, sea %.1f us, split %.1f us, poison %.1f us "
	       "(median of %d interleaved batches of %d)\n", med[0] * 1e6, med[1] * 1e6,
	       med[2] * 1e6, med[3] * 1e6, RT_ROUNDS, RT_BATCH);
	printf("bench-rig: roundtrip: ratio sea/mmio %.2f (target <= 1.5), poison/mmio %.2f "
	       "(target <= 1.3), split/mmio %.2f\n", med[1] / med[0], med[3] / med[0],
	       med[2] / med[0]);
	for (int k = 0; k < RT_KINDS; k++)
		printf("bench-rig: roundtrip: %s, mean per round trip: %.2f KVM_RUN calls; %.1f us in "
		       "KVM_RUN (guest, KVM, signal delivery), %.1f us SIGBUS handler, %.1f us "
		       "handle_pending, %.1f us dispatch\n", kind[k],
		       (double)runs[k] / (RT_ROUNDS * RT_BATCH), part[k][0] * 1e6 / RT_ROUNDS,
		       part[k][1] * 1e6 / RT_ROUNDS, part[k][2] * 1e6 / RT_ROUNDS,
		       part[k][3] * 1e6 / RT_ROUNDS);
	if (seawall_ledger_lookup(ctx, sea_page, &pg) < 0 || seawall_ledger_count(ctx) != 2 ||
	    seawall_ledger_count(split) != 1)
		BR_FAIL("roundtrip: the ledgers lost a page");
	else
		printf("bench-rig: roundtrip: ledgers: poison 2 pages (the SEA page with %u hits), "
		       "split 1 page\n", pg.hits);
	seawall_ctx_free(split);
	seawall_ctx_free(ctx);
	kt_vm_destroy(&vm);
}

/* --- exitloop ------------------------------------------------------------------- */

#define EL_ROUNDS	9
#define EL_BATCH	5000

static void bench_exitloop(void)
{
	double rate[2][EL_ROUNDS], med[2];
	struct seawall_ctx *ctx;
	struct br_param *p;
	struct kt_vm vm;

	vm_setup(&vm, 16 << 20, false, false);
	ctx = ctx_setup(&vm, SEAWALL_ISOLATE_POISON, "/tmp/bench-rig.journal", 0, 0);
	install_sigbus(ctx);

	p = param(&vm);
	p->addr = BR_DEV_GPA;
	p->write = 1;
	p->n = EL_BATCH;
	kt_vcpu_start(&vm, br_guest_loop, 0, 0);
	for (int round = -1; round < EL_ROUNDS; round++) {
		for (int with = 0; with < 2; with++) {
			struct br_count c = { 0 };
			double t0 = now_s();

			run_to_sync(&vm, with ? ctx : NULL, with ? ctx : NULL, &c);
			if (round >= 0)
				rate[with][round] = EL_BATCH / (now_s() - t0);
			if (c.mmio != EL_BATCH || c.spurious)
				BR_FAIL("exitloop: %" PRIu64 " of %d MMIO exits", c.mmio, EL_BATCH);
		}
	}
	med[0] = median(rate[0], EL_ROUNDS);
	med[1] = median(rate[1], EL_ROUNDS);
	printf("bench-rig: exitloop: %.0f exits/s bare, %.0f exits/s with libseawall idle "
	       "(median of %d interleaved rounds of %d)\n", med[0], med[1], EL_ROUNDS, EL_BATCH);
	printf("bench-rig: exitloop: ratio %.3f (target >= 0.99)\n", med[1] / med[0]);
	seawall_ctx_free(ctx);
	kt_vm_destroy(&vm);
}

/* --- isolate -------------------------------------------------------------------- */

#define ISO_SIZE	BR_GIB

/*
 * One strategy, one backing, one VM: a first pass that writes every page
 * (stage 2 and the host's pages populated), two warm passes; then, each
 * followed by a pass and a warm pass again: a control (MADV_DONTNEED on
 * one page the guest skips: what any change of one page of the slot costs
 * the guest, with no library involved), the isolation of one page, and for
 * poison the isolation of another with a context that does not offline.
 * The pages the guest skips are 32 MiB apart (each its own THP) and
 * written by the host first: a bad page is a populated one.
 */
static void isolate_case(unsigned int strategy, const char *name, bool thp)
{
	const char *what = thp ? "THP" : "4K";
	bool poison = strategy == SEAWALL_ISOLATE_POISON;
	uint64_t victim = BR_DATA_GPA + ISO_SIZE / 2 + 0x3000, victim2 = victim + 16 * KT_BLOCK;
	uint64_t control = victim + 32 * KT_BLOCK;
	int npass = poison ? 9 : 7;
	struct seawall_ctx *ctx, *ctx2 = NULL;
	double pass[9], iso[2] = { 0, 0 }, ctl = 0;
	uint64_t exits[9], flushes[9];
	struct seawall_stats st;
	struct seawall_page pg;
	long huge[2] = { -1, -1 };
	struct br_param *p;
	struct kt_vm vm;

	vm_setup(&vm, ISO_SIZE, thp, false);
	ctx = ctx_setup(&vm, strategy, NULL, SEAWALL_POLICY_NO_ISOLATE, 0);
	if (poison)
		ctx2 = ctx_setup(&vm, strategy, NULL, SEAWALL_POLICY_NO_ISOLATE,
				 SEAWALL_CTX_NO_HOST_OFFLINE);
	install_sigbus(ctx);
	p = param(&vm);
	p->base = BR_DATA_GPA;
	p->n = ISO_SIZE / KT_PAGE;
	p->skip = victim;
	p->skip2 = victim2;
	p->skip3 = control;
	p->write = 1;
	memset(kt_gpa_hva(&vm, victim), 1, KT_PAGE);
	memset(kt_gpa_hva(&vm, victim2), 1, KT_PAGE);
	memset(kt_gpa_hva(&vm, control), 1, KT_PAGE);
	kt_vcpu_start(&vm, br_guest_touch, 0, 0);
	for (int i = 0; i < npass; i++) {
		struct br_count c = { 0 };
		uint64_t e0, f0 = kvm_stat(&vm, "remote_tlb_flush");
		double t0;

		if (i == 1) {
			p->write = 0;
			huge[0] = anon_huge_kb();
		} else if (i == 3) {
			t0 = now_s();
			if (madvise(kt_gpa_hva(&vm, control), KT_PAGE, MADV_DONTNEED) < 0)
				kt_fail("MADV_DONTNEED: %m");
			ctl = now_s() - t0;
		} else if (i == 5) {
			iso[0] = isolate_timed(ctx, victim, name);
		} else if (i == 7) {
			iso[1] = isolate_timed(ctx2, victim2, name);
		}
		flushes[i] = kvm_stat(&vm, "remote_tlb_flush") - f0;
		e0 = kvm_stat(&vm, "exits");
		t0 = now_s();
		run_to_sync(&vm, ctx, ctx, &c);
		pass[i] = now_s() - t0;
		exits[i] = kvm_stat(&vm, "exits") - e0;
		if (c.spurious || c.fault || c.sea || c.sigbus || c.other)
			BR_FAIL("isolate %s %s: pass %d: %" PRIu64 " spurious, %" PRIu64 " split, %"
				PRIu64 " sea, %" PRIu64 " sigbus, %" PRIu64 " other exits", name, what,
				i, c.spurious, c.fault, c.sea, c.sigbus, c.other);
	}
	huge[1] = anon_huge_kb();
	if (seawall_ledger_lookup(ctx, victim, &pg) || !(pg.flags & SEAWALL_PAGE_ISOLATED) ||
	    (ctx2 && (seawall_ledger_lookup(ctx2, victim2, &pg) ||
		      !(pg.flags & SEAWALL_PAGE_ISOLATED))))
		BR_FAIL("isolate %s %s: a page is not marked isolated", name, what);
	seawall_ctx_get_stats(ctx, &st);
	printf("bench-rig: isolate %s %s: %" PRIu64 " MiB slot, AnonHugePages %ld kB after the "
	       "first pass, %ld kB at the end; first pass (writes) %.0f ms, warm %.0f ms, "
	       "warm %.0f ms\n", name, what, (uint64_t)ISO_SIZE >> 20, huge[0], huge[1],
	       pass[0] * 1e3, pass[1] * 1e3, pass[2] * 1e3);
	printf("bench-rig: isolate %s %s: control, MADV_DONTNEED of one page (%.1f us): pass "
	       "right after %.0f ms, warm again %.0f ms: ratio after/warm %.2f\n", name, what,
	       ctl * 1e6, pass[3] * 1e3, pass[4] * 1e3, pass[3] / pass[2]);
	printf("bench-rig: isolate %s %s: %.1f us to isolate one page (host offline: %s); pass "
	       "right after %.0f ms, warm again %.0f ms: ratio after/warm %.2f (target <= 1.2), "
	       "after/control %.2f\n", name, what, iso[0] * 1e6, st.host_offlined ? "yes" : "no",
	       pass[5] * 1e3, pass[6] * 1e3, pass[5] / pass[4], pass[5] / pass[3]);
	if (ctx2)
		printf("bench-rig: isolate %s %s, SEAWALL_CTX_NO_HOST_OFFLINE: %.1f us to isolate "
		       "one page; pass right after %.0f ms, warm again %.0f ms: ratio after/warm "
		       "%.2f (target <= 1.2), after/control %.2f\n", name, what, iso[1] * 1e6,
		       pass[7] * 1e3, pass[8] * 1e3, pass[7] / pass[6], pass[7] / pass[3]);
	printf("bench-rig: isolate %s %s: KVM (debugfs): exits in the passes", name, what);
	for (int i = 0; i < npass; i++)
		printf(" %" PRIu64, exits[i]);
	printf("; remote TLB flushes before each pass");
	for (int i = 0; i < npass; i++)
		printf(" %" PRIu64, flushes[i]);
	printf(" (passes: first, warm, warm, control, warm, isolate, warm%s)\n",
	       ctx2 ? ", isolate without host offline, warm" : "");
	seawall_ctx_free(ctx2);
	seawall_ctx_free(ctx);
	kt_vm_destroy(&vm);
}

static void bench_isolate(void)
{
	static const struct {
		unsigned int strategy;
		const char *name;
		bool thp;
	} cases[] = {
		/* THP first, while L1's memory is least fragmented. */
		{ SEAWALL_ISOLATE_POISON, "poison", true },
		{ SEAWALL_ISOLATE_MEMSLOT_SPLIT, "split", true },
		{ SEAWALL_ISOLATE_POISON, "poison", false },
		{ SEAWALL_ISOLATE_MEMSLOT_SPLIT, "split", false },
	};

	/* A child each: a skip or a failure costs one case, and THP is per process. */
	for (size_t i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			isolate_case(cases[i].strategy, cases[i].name, cases[i].thp);
			exit(failed);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			kt_fail("fork: %m");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
			printf("bench-rig: isolate %s %s: skip\n", cases[i].name,
			       cases[i].thp ? "THP" : "4K");
		else if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	}
}

/* --- storm ---------------------------------------------------------------------- */

#define ST_CPUS		4
#define ST_PAGES	1000
#define ST_STRIDE	0x2000ULL

/*
 * Memslot changes with vCPUs running let a vCPU's access to the slot being
 * replaced exit as MMIO.  So with split, the vCPU that handles a new bad
 * page first stops the others outside KVM_RUN: a gate.  Poison changes no
 * memslot and needs none.
 */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping;
	int running;
};

struct st_vcpu {
	struct kt_vm *vm;
	struct seawall_ctx *ctx;
	struct gate *g;		/* NULL: no gate */
	struct st_vcpu *all;
	int id, fd;
	struct kvm_run *run;
	pthread_t thread;
	struct br_count c;
	int done, error;
};

static void kick(int sig)
{
	(void)sig;
}

static void gate_stop(struct st_vcpu *v)
{
	struct gate *g = v->g;

	pthread_mutex_lock(&g->lock);
	while (g->stopping)
		pthread_cond_wait(&g->cond, &g->lock);
	g->stopping = 1;
	for (int i = 0; i < ST_CPUS; i++)
		if (i != v->id && !v->all[i].done) {
			v->all[i].run->immediate_exit = 1;
			pthread_kill(v->all[i].thread, SIGUSR2);
		}
	while (g->running)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_go(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->stopping = 0;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* One KVM_RUN, through the gate if there is one. */
static int st_run(struct st_vcpu *v)
{
	struct gate *g = v->g;
	int r, e;

	if (!g)
		return vcpu_run(v->fd, v->ctx, &v->c);
	pthread_mutex_lock(&g->lock);
	while (g->stopping)
		pthread_cond_wait(&g->cond, &g->lock);
	v->run->immediate_exit = 0;
	g->running++;
	pthread_mutex_unlock(&g->lock);
	r = vcpu_run(v->fd, v->ctx, &v->c);
	e = errno;
	pthread_mutex_lock(&g->lock);
	g->running--;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	errno = e;
	return r;
}

static void *st_thread(void *arg)
{
	struct st_vcpu *v = arg;
	struct gate *g = v->g;
	struct kt_ucall uc;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (!v->done) {
		if (st_run(v) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			v->error = errno;
			break;
		}
		if (g && v->run->exit_reason == SEAWALL_KVM_EXIT_ARM_SEA) {
			gate_stop(v);
			dispatch(v->vm, v->fd, v->run, v->ctx, v->ctx, &v->c, &uc);
			gate_go(g);
		} else if (dispatch(v->vm, v->fd, v->run, v->ctx, v->ctx, &v->c, &uc)) {
			if (uc.cmd != KT_UCALL_DONE)
				v->error = -(int)uc.cmd;
			v->done = 1;
		}
	}
	if (g) {
		pthread_mutex_lock(&g->lock);
		v->done = 1;
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
	}
	v->done = 1;
	return NULL;
}

struct st_check {
	unsigned int pages, bad_hits;
};

static int st_page(const struct seawall_page *pg, void *arg)
{
	struct st_check *c = arg;

	c->pages++;
	if (pg->hits != 1)
		c->bad_hits++;
	return 0;
}

static int st_record(const struct seawall_page *pg, void *arg)
{
	(void)pg;
	++*(unsigned int *)arg;
	return 0;
}

/* One storm on a fresh VM; returns events per second. */
static double storm_run(unsigned int strategy, const char *name, bool gated)
{
	static struct st_vcpu v[ST_CPUS];
	static const uint64_t copy[] = {
		SYSREG(10, 2, 0), SYSREG(2, 0, 2), SYSREG(2, 0, 0),	/* MAIR, TCR, TTBR0 */
		SYSREG(1, 0, 2), SYSREG(12, 0, 0), SYSREG(1, 0, 0),	/* CPACR, VBAR, SCTLR */
	};
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	struct seawall_journal_stats js;
	struct seawall_journal *j;
	struct st_check chk = { 0, 0 };
	unsigned int recs = 0;
	struct seawall_stats st;
	struct seawall_ctx *ctx;
	struct br_param *p;
	struct kt_vm vm;
	char text[32], journal[64];
	double t0, t;
	int sz;

	snprintf(journal, sizeof(journal), "/tmp/bench-rig-storm-%s.journal", name);
	events_seen = 0;
	vm_setup(&vm, 16 << 20, false, true);
	kt_require_sea_inject(&vm);
	memset(vm.mem[1].hva, 1, vm.mem[1].size);
	/*
	 * No host offlining: 2000 memory_failure() reports (two storms) push
	 * KVM's start-up lines out of L1's log buffer, and the rig then fails
	 * the boot.  isolate measures what the offlining costs a page.
	 */
	ctx = ctx_setup(&vm, strategy, journal, 0, SEAWALL_CTX_NO_HOST_OFFLINE);
	install_sigbus(ctx);
	p = param(&vm);
	p->n = ST_PAGES;
	p->ncpus = ST_CPUS;
	p->base = BR_DATA_GPA;
	p->stride = ST_STRIDE;
	for (int i = 0; i < ST_PAGES; i++) {
		snprintf(text, sizeof(text), "0x%llx", BR_DATA_GPA + (unsigned long long)i * ST_STRIDE);
		if (kt_sea_inject_write(&vm, text) < 0)
			kt_fail("sea_inject %s: %m", text);
	}

	sz = ioctl(vm.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (int i = 0; i < ST_CPUS; i++) {
		struct kvm_vcpu_init init;

		v[i] = (struct st_vcpu){ .vm = &vm, .ctx = ctx, .g = gated ? &g : NULL, .all = v,
					 .id = i };
		if (i == 0) {
			v[i].fd = vm.vcpu_fd;
			v[i].run = vm.run;
		} else {
			v[i].fd = ioctl(vm.vm_fd, KVM_CREATE_VCPU, i);
			if (v[i].fd < 0)
				kt_fail("KVM_CREATE_VCPU %d: %m", i);
			v[i].run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, v[i].fd, 0);
			if (v[i].run == MAP_FAILED)
				kt_fail("mmap kvm_run: %m");
			memset(&init, 0, sizeof(init));
			if (ioctl(vm.vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0 ||
			    ioctl(v[i].fd, KVM_ARM_VCPU_INIT, &init) < 0)
				kt_fail("KVM_ARM_VCPU_INIT %d: %m", i);
			for (size_t k = 0; k < KT_ARRAY_SIZE(copy); k++)
				set_reg(v[i].fd, copy[k], get_reg(vm.vcpu_fd, copy[k]));
		}
		set_reg(v[i].fd, REG_TPIDR_EL1,
			BR_PARAM_GPA + offsetof(struct br_param, aborts) + 8 * (uint64_t)i);
		set_reg(v[i].fd, CORE(regs.regs[0]), (uint64_t)i);
		set_reg(v[i].fd, CORE(regs.regs[1]), 0);
		set_reg(v[i].fd, CORE(regs.regs[2]), (uintptr_t)br_guest_storm);
		set_reg(v[i].fd, CORE(sp_el1), KT_STACK_TOP - 0x40000 * (uint64_t)i);
		set_reg(v[i].fd, CORE(regs.pstate), 0x3c5);
		set_reg(v[i].fd, CORE(regs.pc), (uintptr_t)kt_guest_entry);
	}

	t0 = now_s();
	for (int i = 0; i < ST_CPUS; i++)
		if (pthread_create(&v[i].thread, NULL, st_thread, &v[i]))
			kt_fail("pthread_create");
	for (int i = 0; i < ST_CPUS; i++)
		pthread_join(v[i].thread, NULL);
	t = now_s() - t0;

	seawall_ledger_foreach(ctx, st_page, &chk);
	seawall_ctx_get_stats(ctx, &st);
	printf("bench-rig: storm %s: %d distinct bad pages from %d vCPUs in %.2f s: %.0f events/s "
	       "(%s; %" PRIu64 " pages handed to the host's memory_failure())\n", name, ST_PAGES,
	       ST_CPUS, t, ST_PAGES / t, gated ? "vCPUs stopped around each memslot change" :
	       "no vCPU stopped", st.host_offlined);
	for (int i = 0; i < ST_CPUS; i++) {
		uint64_t want = (ST_PAGES - (uint64_t)i + ST_CPUS - 1) / ST_CPUS;

		printf("bench-rig: storm %s: vcpu%d: %" PRIu64 " SEA exits, %" PRIu64
		       " aborts in the guest, %" PRIu64 " split, %" PRIu64 " sigbus, %" PRIu64
		       " spurious exits\n", name, i, v[i].c.sea, p->aborts[i], v[i].c.fault,
		       v[i].c.sigbus, v[i].c.spurious);
		if (v[i].error || v[i].c.sea != want || p->aborts[i] != want || v[i].c.spurious ||
		    v[i].c.fault || v[i].c.sigbus)
			BR_FAIL("storm %s: vcpu%d: error %d, %" PRIu64 " SEA exits and %" PRIu64
				" aborts for %" PRIu64 " pages", name, i, v[i].error, v[i].c.sea,
				p->aborts[i], want);
	}
	if (chk.pages != ST_PAGES || chk.bad_hits || events_seen != ST_PAGES)
		BR_FAIL("storm %s: ledger %u pages (%u with hits != 1), %u poison events, want %d",
			name, chk.pages, chk.bad_hits, events_seen, ST_PAGES);
	/* Page records; the journal also holds event-number marks. */
	j = seawall_journal_open(journal, SEAWALL_JOURNAL_RDONLY);
	if (!j || seawall_journal_replay(j, st_record, &recs, &js) < 0 || recs != ST_PAGES ||
	    js.corrupt)
		BR_FAIL("storm %s: journal: %u page records, %" PRIu64 " corrupt, want %d",
			name, recs, j ? js.corrupt : 0, ST_PAGES);
	else
		printf("bench-rig: storm %s: none lost: ledger %u pages, hits 1 each, %u poison "
		       "events, journal %u page records (%" PRIu64 " records in all)\n", name,
		       chk.pages, events_seen, recs, js.records);
	seawall_journal_close(j);
	seawall_ctx_free(ctx);
	for (int i = 1; i < ST_CPUS; i++) {
		munmap(v[i].run, (size_t)sz);
		close(v[i].fd);
	}
	kt_vm_destroy(&vm);
	return ST_PAGES / t;
}

static void bench_storm(void)
{
	struct sigaction sa;
	double split, poison;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick;		/* no SA_RESTART: KVM_RUN returns */
	sigaction(SIGUSR2, &sa, NULL);
	split = storm_run(SEAWALL_ISOLATE_MEMSLOT_SPLIT, "split", true);
	poison = storm_run(SEAWALL_ISOLATE_POISON, "poison", false);
	printf("bench-rig: storm: ratio poison/split %.2f (target: poison >= 5 x 0.1's 59 "
	       "events/s)\n", poison / split);
}

/* --- main ----------------------------------------------------------------------- */

static const struct {
	const char *name;
	void (*fn)(void);
} benches[] = {
	{ "roundtrip", bench_roundtrip },
	{ "exitloop", bench_exitloop },
	{ "isolate", bench_isolate },
	{ "storm", bench_storm },
};

int main(int argc, char **argv)
{
	int rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < KT_ARRAY_SIZE(benches); i++) {
		bool want = argc < 2;
		pid_t pid;
		int st;

		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], benches[i].name);
		if (!want)
			continue;
		pid = fork();
		if (pid == 0) {
			benches[i].fn();
			exit(failed);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0) {
			perror("bench-rig: fork");
			return 1;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
			printf("bench-rig: %s: skip\n", benches[i].name);
		else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("bench-rig: %s: FAIL (status %#x)\n", benches[i].name, st);
			rc = 1;
		}
	}
	return rc;
}
