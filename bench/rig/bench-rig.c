// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * bench-rig: libseawall benchmarks against real KVM, inside the rig's L1
 * host (static arm64, built on the kernel suite's kt framework: the guest
 * runs this binary's own code at EL1).
 *
 *   bench-rig [roundtrip] [exitloop] [isolate] [storm]     (default: all)
 *
 * roundtrip  one vCPU alternates batches of three kinds of round trip, all
 *            through the same VMM dispatch: a plain MMIO read of a device
 *            address; a read of a page the rig marked bad (KVM_EXIT_ARM_SEA
 *            -> seawall_ctx_handle_sea_exit -> data abort injected -> the
 *            guest's handler -> back after the load); a read of a page the
 *            library isolated (MMIO exit on the hole ->
 *            seawall_ctx_handle_fault_exit -> abort -> handler).
 * exitloop   MMIO exits per second, the VMM loop bare against the same loop
 *            with a seawall context (journal, region, SIGBUS handler) that
 *            is called after every KVM_RUN as swvm does
 *            (seawall_ctx_handle_pending), rounds interleaved.
 * isolate    per strategy, in a 1 GiB memslot of 4 KiB pages: the time of
 *            seawall_ctx_isolate() for one page, and what the guest pays
 *            for it: a pass over every page of the region right after, less
 *            a pass with everything mapped (stage-2 refaults).
 * storm      4 vCPUs read 1000 distinct bad pages (250 each, interleaved in
 *            one memslot), journal with fdatasync, memslot split per page:
 *            events per second; every page in the ledger exactly once,
 *            every vCPU got each of its aborts, no exit lost or spurious.
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
	uint64_t write;		/* loop: store instead of load */
	uint64_t skip;		/* touch: a page not to touch */
	uint64_t base;		/* touch, storm: first page */
	uint64_t stride;	/* storm: bytes between pages */
	uint64_t ncpus;		/* storm */
	uint64_t pad;
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
		uint64_t base = P->base, n = P->n, skip = P->skip;

		for (uint64_t i = 0; i < n; i++)
			if (base + i * KT_PAGE != skip)
				br_read(base + i * KT_PAGE);
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

/* The VM every benchmark starts from: our vectors, a data slot of size bytes. */
static void vm_setup(struct kt_vm *vm, uint64_t size)
{
	kt_vm_create(vm, NULL);
	kt_vm_add_mem(vm, BR_DATA_GPA, size);
	map_gib(vm, BR_DATA_GPA);
	memset(param(vm), 0, sizeof(struct br_param));
	set_reg(vm->vcpu_fd, SYSREG(12, 0, 0), (uintptr_t)br_vectors);	/* VBAR_EL1 */
	set_reg(vm->vcpu_fd, REG_TPIDR_EL1, BR_PARAM_GPA + offsetof(struct br_param, aborts));
}

static unsigned int events_seen;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == SEAWALL_EV_POISON)
		__atomic_fetch_add(&events_seen, 1, __ATOMIC_RELAXED);
}

static struct seawall_ctx *ctx_setup(struct kt_vm *vm, unsigned int strategy, const char *journal,
				     unsigned int policy_flags)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_ctx *ctx;
	int r;

	if (journal)
		unlink(journal);
	o.vm_fd = vm->vm_fd;
	o.journal_path = journal;
	o.strategy = strategy;
	o.spare_slot_base = 2;
	o.spare_slot_count = 4000;
	o.has_ras = vm->vm_has_ras;
	o.event_fn = on_event;
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
	r = seawall_kvm_enable(vm->vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER |
			       SEAWALL_KVM_HAS_INJECT_EXT_DABT | SEAWALL_KVM_HAS_NISV_TO_USER);
	if (r < 0 || !(r & SEAWALL_KVM_HAS_SEA_TO_USER))
		kt_skip("KVM_CAP_ARM_SEA_TO_USER unavailable");
	return ctx;
}

/* Exits the dispatch saw, by kind. */
struct br_count {
	uint64_t mmio, sea, fault, spurious, other;
};

/*
 * The VMM's dispatch of one exit, as swvm's vCPU loop does it.  Returns 1
 * on a ucall (copied to *uc), 0 otherwise.
 */
static int dispatch(struct kt_vm *vm, int fd, struct kvm_run *run, struct seawall_ctx *ctx,
		    struct br_count *c, struct kt_ucall *uc)
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
			r = ctx ? seawall_ctx_handle_fault_exit(ctx, fd, run, &out) : 0;
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
		if (ctx && seawall_ctx_handle_fault_exit(ctx, fd, run, &out) > 0)
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
static void run_to_sync(struct kt_vm *vm, struct seawall_ctx *ctx, bool pending,
			struct br_count *c)
{
	struct kt_ucall uc;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			kt_fail("KVM_RUN: %m");
		}
		if (pending)
			seawall_ctx_handle_pending(ctx, vm->vcpu_fd, NULL);
		if (dispatch(vm, vm->vcpu_fd, vm->run, ctx, c, &uc)) {
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

/* --- roundtrip ----------------------------------------------------------------- */

#define RT_ROUNDS	9
#define RT_BATCH	2000

static void bench_roundtrip(void)
{
	static const char *const kind[] = { "mmio", "sea", "fault" };
	uint64_t sea_page = BR_DATA_GPA + 0x10000, hole = BR_DATA_GPA + 0x20000;
	double t[3][RT_ROUNDS], med[3];
	struct seawall_page pg;
	struct seawall_ctx *ctx;
	struct br_param *p;
	struct kt_vm vm;
	int r;

	vm_setup(&vm, 16 << 20);
	kt_require_sea_inject(&vm);
	/* No automatic isolation: the marked page raises an SEA every time. */
	ctx = ctx_setup(&vm, SEAWALL_ISOLATE_QUARANTINE, "/tmp/bench-rig.journal",
			SEAWALL_POLICY_NO_ISOLATE);
	kt_mark(&vm, sea_page, 0);
	/* The other page: known bad and cut out of the memslot. */
	seawall_ctx_handle_test(ctx, hole, NULL);
	r = seawall_ctx_isolate(ctx, hole);
	if (r < 0)
		kt_fail("seawall_ctx_isolate: %s", strerror(-r));

	p = param(&vm);
	kt_vcpu_start(&vm, br_guest_loop, 0, 0);
	for (int round = -1; round < RT_ROUNDS; round++) {
		for (int k = 0; k < 3; k++) {
			struct br_count c = { 0 };
			uint64_t before = p->aborts[0];
			double t0;

			p->addr = k == 0 ? BR_DEV_GPA : k == 1 ? sea_page : hole;
			p->n = RT_BATCH;
			t0 = now_s();
			run_to_sync(&vm, ctx, true, &c);
			if (round < 0)
				continue;	/* warm-up */
			t[k][round] = (now_s() - t0) / RT_BATCH;
			if ((k == 0 && c.mmio != RT_BATCH) || (k == 1 && c.sea != RT_BATCH) ||
			    (k == 2 && c.fault != RT_BATCH) || c.spurious ||
			    p->aborts[0] - before != (k ? RT_BATCH : 0))
				BR_FAIL("roundtrip %s: %" PRIu64 " mmio %" PRIu64 " sea %" PRIu64
					" fault %" PRIu64 " spurious, %" PRIu64 " aborts for %d accesses",
					kind[k], c.mmio, c.sea, c.fault, c.spurious,
					p->aborts[0] - before, RT_BATCH);
		}
	}
	for (int k = 0; k < 3; k++)
		med[k] = median(t[k], RT_ROUNDS);
	printf("bench-rig: roundtrip: mmio %.1f us, sea %.1f us, fault %.1f us "
	       "(median of %d interleaved batches of %d)\n", med[0] * 1e6, med[1] * 1e6,
	       med[2] * 1e6, RT_ROUNDS, RT_BATCH);
	printf("bench-rig: roundtrip: ratio sea/mmio %.2f, fault/mmio %.2f (target sea/mmio <= 1.5)\n",
	       med[1] / med[0], med[2] / med[0]);
	if (seawall_ledger_lookup(ctx, sea_page, &pg) < 0 || seawall_ledger_count(ctx) != 2)
		BR_FAIL("roundtrip: the ledger lost a page");
	else
		printf("bench-rig: roundtrip: ledger 2 pages, the SEA page with %u hits\n", pg.hits);
	seawall_ctx_free(ctx);
	kt_vm_destroy(&vm);
}

/* --- exitloop ------------------------------------------------------------------- */

#define EL_ROUNDS	9
#define EL_BATCH	5000

static struct seawall_ctx *sigbus_ctx;

static void sigbus_record(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	seawall_sigbus_record(sigbus_ctx, si->si_addr, si->si_code, si->si_addr_lsb);
}

/* The VMM's SIGBUS handler, as swvm's. */
static void install_sigbus(struct seawall_ctx *ctx)
{
	struct sigaction sa;

	sigbus_ctx = ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigbus_record;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
}

static void bench_exitloop(void)
{
	double rate[2][EL_ROUNDS], med[2];
	struct seawall_ctx *ctx;
	struct br_param *p;
	struct kt_vm vm;

	vm_setup(&vm, 16 << 20);
	ctx = ctx_setup(&vm, SEAWALL_ISOLATE_QUARANTINE, "/tmp/bench-rig.journal", 0);
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

			run_to_sync(&vm, with ? ctx : NULL, with, &c);
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

static void bench_isolate_one(unsigned int strategy, const char *name, uint64_t size)
{
	uint64_t victim = BR_DATA_GPA + size / 2 + 0x3000;
	double pass[4], t0, iso = 0;
	struct seawall_ctx *ctx;
	struct br_param *p;
	struct kt_vm vm;
	struct seawall_page pg;
	int r;

	vm_setup(&vm, size);
	ctx = ctx_setup(&vm, strategy, NULL, 0);
	install_sigbus(ctx);
	p = param(&vm);
	p->base = BR_DATA_GPA;
	p->n = size / KT_PAGE;
	p->skip = victim;
	kt_vcpu_start(&vm, br_guest_touch, 0, 0);
	for (int i = 0; i < 4; i++) {
		struct br_count c = { 0 };

		if (i == 2) {
			/* The page goes bad: record it, isolate it (timed). */
			seawall_ctx_handle_test(ctx, victim, NULL);
			t0 = now_s();
			r = seawall_ctx_isolate(ctx, victim);
			iso = now_s() - t0;
			if (r < 0) {
				printf("bench-rig: isolate %s: skip (%s)\n", name, strerror(-r));
				goto out;
			}
			/* MADV_HWPOISON's own SIGBUS is not an error to put in a vCPU. */
			if (seawall_ctx_handle_pending(ctx, vm.vcpu_fd, NULL) != 0)
				BR_FAIL("isolate %s: the isolation queued a SIGBUS record", name);
		}
		t0 = now_s();
		run_to_sync(&vm, ctx, true, &c);
		pass[i] = now_s() - t0;
		if (c.spurious || c.fault || c.sea)
			BR_FAIL("isolate %s: pass %d: %" PRIu64 " spurious exits", name, i, c.spurious);
	}
	if (seawall_ledger_lookup(ctx, victim, &pg) || !(pg.flags & SEAWALL_PAGE_ISOLATED))
		BR_FAIL("isolate %s: the page is not marked isolated", name);
	printf("bench-rig: isolate %s: %.1f us to isolate one page; guest pass over %" PRIu64
	       " MiB: %.0f ms first touch, %.0f ms warm, %.0f ms right after, %.0f ms warm again "
	       "(refault cost %.0f ms)\n", name, iso * 1e6, size >> 20, pass[0] * 1e3,
	       pass[1] * 1e3, pass[2] * 1e3, pass[3] * 1e3, (pass[2] - pass[1]) * 1e3);
out:
	seawall_ctx_free(ctx);
	kt_vm_destroy(&vm);
}

static void bench_isolate(void)
{
	const char *mib = getenv("BENCH_ISOLATE_MIB");
	uint64_t size = (mib ? strtoull(mib, NULL, 0) : 1024) << 20;

	bench_isolate_one(SEAWALL_ISOLATE_QUARANTINE, "split+quarantine", size);
	bench_isolate_one(SEAWALL_ISOLATE_HWPOISON, "hwpoison", size);
}

/* --- storm ---------------------------------------------------------------------- */

#define ST_CPUS		4
#define ST_PAGES	1000
#define ST_STRIDE	0x2000ULL

/*
 * Memslot changes with vCPUs running let a vCPU's access to the slot being
 * replaced exit as MMIO.  So the vCPU that handles a new bad page first
 * stops the others outside KVM_RUN: a gate.
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
	struct gate *g;
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
		int r, e;

		pthread_mutex_lock(&g->lock);
		while (g->stopping)
			pthread_cond_wait(&g->cond, &g->lock);
		v->run->immediate_exit = 0;
		g->running++;
		pthread_mutex_unlock(&g->lock);
		r = ioctl(v->fd, KVM_RUN, 0);
		e = errno;
		pthread_mutex_lock(&g->lock);
		g->running--;
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
		if (r < 0) {
			if (e == EINTR || e == EAGAIN)
				continue;
			v->error = e;
			break;
		}
		if (v->run->exit_reason == SEAWALL_KVM_EXIT_ARM_SEA) {
			gate_stop(v);
			dispatch(v->vm, v->fd, v->run, v->ctx, &v->c, &uc);
			gate_go(g);
		} else if (dispatch(v->vm, v->fd, v->run, v->ctx, &v->c, &uc)) {
			if (uc.cmd != KT_UCALL_DONE)
				v->error = -(int)uc.cmd;
			v->done = 1;
		}
	}
	pthread_mutex_lock(&g->lock);
	v->done = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
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

static void bench_storm(void)
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
	struct seawall_ctx *ctx;
	struct br_param *p;
	struct sigaction sa;
	struct kt_vm vm;
	double t0, t;
	char text[32];
	int sz;

	vm_setup(&vm, 16 << 20);
	kt_require_sea_inject(&vm);
	ctx = ctx_setup(&vm, SEAWALL_ISOLATE_QUARANTINE, "/tmp/bench-rig-storm.journal", 0);
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

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick;		/* no SA_RESTART: KVM_RUN returns */
	sigaction(SIGUSR2, &sa, NULL);
	sz = ioctl(vm.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (int i = 0; i < ST_CPUS; i++) {
		struct kvm_vcpu_init init;

		v[i] = (struct st_vcpu){ .vm = &vm, .ctx = ctx, .g = &g, .all = v, .id = i };
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
	printf("bench-rig: storm: %d distinct bad pages from %d vCPUs in %.2f s: %.0f events/s\n",
	       ST_PAGES, ST_CPUS, t, ST_PAGES / t);
	for (int i = 0; i < ST_CPUS; i++) {
		uint64_t want = (ST_PAGES - (uint64_t)i + ST_CPUS - 1) / ST_CPUS;

		printf("bench-rig: storm: vcpu%d: %" PRIu64 " SEA exits, %" PRIu64
		       " aborts in the guest, %" PRIu64 " fault, %" PRIu64 " spurious exits\n",
		       i, v[i].c.sea, p->aborts[i], v[i].c.fault, v[i].c.spurious);
		if (v[i].error || v[i].c.sea != want || p->aborts[i] != want || v[i].c.spurious)
			BR_FAIL("storm: vcpu%d: error %d, %" PRIu64 " SEA exits and %" PRIu64
				" aborts for %" PRIu64 " pages", i, v[i].error, v[i].c.sea,
				p->aborts[i], want);
	}
	if (chk.pages != ST_PAGES || chk.bad_hits || events_seen != ST_PAGES)
		BR_FAIL("storm: ledger %u pages (%u with hits != 1), %u poison events, want %d",
			chk.pages, chk.bad_hits, events_seen, ST_PAGES);
	j = seawall_journal_open("/tmp/bench-rig-storm.journal", SEAWALL_JOURNAL_RDONLY);
	if (!j || seawall_journal_replay(j, NULL, NULL, &js) < 0 || js.records != ST_PAGES ||
	    js.corrupt)
		BR_FAIL("storm: journal: %" PRIu64 " records, %" PRIu64 " corrupt, want %d",
			j ? js.records : 0, j ? js.corrupt : 0, ST_PAGES);
	else
		printf("bench-rig: storm: none lost: ledger %u pages, hits 1 each, %u poison events, "
		       "journal %" PRIu64 " records\n", chk.pages, events_seen, js.records);
	seawall_journal_close(j);
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
