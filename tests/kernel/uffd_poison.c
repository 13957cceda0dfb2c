// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * The kernel facts behind libseawall's page isolation (UFFDIO_POISON), as a
 * VMM running without privilege observes them.  A bad page at hva (inside a
 * memslot) is moved with mremap() into a quarantine mapping, a placeholder
 * of the same kind is mapped at hva, registered with a userfaultfd opened
 * with UFFD_USER_MODE_ONLY and poisoned with UFFDIO_POISON.  Then:
 *
 *  - the userfaultfd opens, reports UFFD_FEATURE_POISON and offers
 *    UFFDIO_POISON on the placeholder, for uid 65534 with no capability
 *    (which a plain userfaultfd() is refused, vm.unprivileged_userfaultfd
 *    being 0);
 *  - a guest read of the page makes KVM_RUN fail with EINTR (exit reason
 *    KVM_EXIT_INTR) after SIGBUS BUS_MCEERR_AR was delivered to the vCPU
 *    thread, si_addr = the hva of the 4 KiB page read, si_addr_lsb = the
 *    placeholder's page shift; again on every later KVM_RUN; never an exit;
 *  - only that page's stage-2 entry goes: the guest re-reads 4096 other
 *    pages of the slot and the vCPU's "exits" statistic does not grow by
 *    what deleting and re-adding the memslot (the control) costs;
 *  - the poison stays after UFFDIO_UNREGISTER and after close(); fresh
 *    memory mapped over the placeholder (a VM reset) is read normally;
 *  - with the rig's SEA mark: KVM_EXIT_ARM_SEA first, and after isolation
 *    and clearing the mark the guest still gets the SIGBUS;
 *  - the same by UFFDIO_MOVE into a registered quarantine and UFFDIO_POISON
 *    in place (the 2 MiB-aligned block registered write-protect): the
 *    rest of the block keeps its stage-2 entries (4 KiB), the poison stays
 *    after close(), MADV_DONTNEED of the page gives fresh memory.
 *
 * Swept over the backing: anonymous 4 KiB, THP (the mremap() splits the
 * 2 MiB block: the rest of it refaults, measured), hugetlb 2 MiB (the whole
 * huge page is isolated, lsb 21) and a shared memfd (the placeholder is
 * anonymous; what another mapping of the file sees is reported).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "kt.h"

/* Linux 6.6+: newer than the toolchain's 6.1 headers. */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif
#define KT_UFFD_FEATURE_POISON	(1ULL << 14)
#define KT_UFFDIO_POISON_NR	0x08
struct kt_uffdio_poison {
	struct uffdio_range range;
	__u64 mode;
	__s64 updated;
};
#define KT_UFFDIO_POISON	_IOWR(UFFDIO, KT_UFFDIO_POISON_NR,	\
				      struct kt_uffdio_poison)
/* Linux 6.8+ */
#define KT_UFFD_FEATURE_MOVE	(1ULL << 16)
#define KT_UFFDIO_MOVE_NR	0x05
struct kt_uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move;
};
#define KT_UFFDIO_MOVE		_IOWR(UFFDIO, KT_UFFDIO_MOVE_NR,	\
				      struct kt_uffdio_move)

#define NOBODY		65534
#define PATTERN		0x5eab0a7d5eab0a7dULL	/* the fresh page after reset */
#define OLD_VALUE	0x01dba9e01dba9e00ULL	/* the bad page's content */

/* The bad page and the pages read around it (all in the main memslot). */
#define BAD_PAGE	KT_TEST_PAGE(0)			/* block 0 + 0x3000 */
#define BAD_WORD	(BAD_PAGE + 0x18)
#define SAME_FIRST	(BAD_PAGE + KT_PAGE)		/* rest of block 0 */
#define SAME_NR		((KT_BLOCK - 0x4000) / KT_PAGE)
#define OTHERS_FIRST	(KT_TEST_GPA + 2 * KT_BLOCK)	/* blocks 2-9 */
#define OTHERS_NR	(8 * KT_BLOCK / KT_PAGE)

enum backing { B_4K, B_THP, B_HUGETLB, B_MEMFD };

/*
 * What is done to the bad page: the isolation (mremap and a placeholder,
 * or UFFDIO_MOVE and poison in place), or (to show where the cost of the
 * former comes from) only a VMA split (munmap() of the page), or only
 * MADV_DONTNEED (no split).
 */
enum op { OP_ISOLATE, OP_MUNMAP, OP_DONTNEED, OP_MOVE };

struct poison_case {
	enum backing backing;
	enum op op;
	bool close_first;	/* close the uffd without UFFDIO_UNREGISTER */
	bool sea;		/* the rig's SEA mark first, isolate on the exit */
};

/* One variant: set up on the main thread, run on the vCPU thread. */
struct poison_ctx {
	const struct poison_case *c;
	struct kt_vm vm;
	volatile uint64_t *alias;	/* memfd: a second mapping of the page */
};

/* Guest stages (SYNC numbers). */
enum {
	ST_PRIMED = 1,	/* every page read once */
	ST_WARM,	/* the others re-read, nothing changed */
	ST_ISOLATED,	/* the others re-read after the isolation */
	ST_SAME,	/* the rest of the bad page's 2 MiB block re-read */
	ST_RESET,	/* the others re-read after the reset of the bad page */
	ST_CONTROL,	/* the others re-read after memslot delete + re-add */
};

struct poison_params {
	uint64_t bad, others, nr_others, same, nr_same;
};

/* --- guest ------------------------------------------------------------------ */

static void guest_touch(uint64_t first, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++)
		(void)*(volatile uint64_t *)(first + i * KT_PAGE);
}

static void guest_flow(uint64_t params, uint64_t unused)
{
	const volatile struct poison_params *p = (const void *)params;
	uint64_t v;

	(void)unused;
	guest_touch(p->others, p->nr_others);
	guest_touch(p->same, p->nr_same);
	kt_guest_read64(p->bad);
	kt_guest_sync(ST_PRIMED);
	guest_touch(p->others, p->nr_others);
	kt_guest_sync(ST_WARM);
	guest_touch(p->others, p->nr_others);
	kt_guest_sync(ST_ISOLATED);
	guest_touch(p->same, p->nr_same);
	kt_guest_sync(ST_SAME);
	/* Faults (SIGBUS to the host) until the host maps fresh memory. */
	v = kt_guest_read64(p->bad);
	kt_guest_ucall(KT_UCALL_VALUE, v, 0, 0, 0);
	guest_touch(p->others, p->nr_others);
	kt_guest_sync(ST_RESET);
	guest_touch(p->others, p->nr_others);
	kt_guest_sync(ST_CONTROL);
}

/* --- SIGBUS on the vCPU thread ----------------------------------------------- */

static pid_t vcpu_tid;
static volatile sig_atomic_t nr_sigbus;
static struct {
	int signo, code;
	uintptr_t addr;
	int lsb;
	pid_t tid;
} sigbus;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigbus.signo = si->si_signo;
	sigbus.code = si->si_code;
	sigbus.addr = (uintptr_t)si->si_addr;
	sigbus.lsb = si->si_addr_lsb;
	sigbus.tid = (pid_t)syscall(SYS_gettid);
	nr_sigbus++;
}

/*
 * KVM_RUN once, expecting the poisoned page: no exit at all, but -1/EINTR
 * (KVM_EXIT_INTR) with exactly one SIGBUS BUS_MCEERR_AR for hva, taken on
 * this (the vCPU) thread.
 */
static void expect_sigbus(struct kt_vm *vm, uintptr_t hva, int lsb,
			  const char *when)
{
	int r, err;

	nr_sigbus = 0;
	memset(&sigbus, 0, sizeof(sigbus));
	r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	err = errno;
	if (r == 0) {
		unsigned int reason = vm->run->exit_reason;

		kt_describe_exit(vm, reason);
		kt_fail("%s: KVM_RUN returned 0, exit reason %u%s, %d SIGBUS; "
			"want -1/EINTR and SIGBUS BUS_MCEERR_AR", when, reason,
			reason == KT_EXIT_ARM_SEA ? " (KVM_EXIT_ARM_SEA)" :
			reason == KVM_EXIT_MMIO ? " (KVM_EXIT_MMIO)" : "",
			(int)nr_sigbus);
	}
	if (err != EINTR)
		kt_fail("%s: KVM_RUN: %s, want EINTR", when, strerror(err));
	KT_CHECK_EQ(vm->run->exit_reason, KVM_EXIT_INTR,
		    "exit_reason after KVM_RUN's EINTR");
	KT_CHECK_EQ(nr_sigbus, 1, "SIGBUS delivered during KVM_RUN");
	KT_CHECK_EQ(sigbus.signo, SIGBUS, "si_signo");
	KT_CHECK_EQ(sigbus.code, BUS_MCEERR_AR, "si_code (BUS_MCEERR_AR)");
	KT_CHECK_EQ(sigbus.addr, hva, "si_addr (hva of the 4 KiB page read)");
	KT_CHECK_EQ(sigbus.lsb, lsb, "si_addr_lsb");
	KT_CHECK_EQ(sigbus.tid, vcpu_tid, "thread the SIGBUS went to (vCPU)");
	kt_diag("%s: KVM_RUN -1/EINTR, exit_reason %u, SIGBUS si_code %d "
		"si_addr %#" PRIxPTR " si_addr_lsb %d on the vCPU thread", when,
		vm->run->exit_reason, sigbus.code, sigbus.addr, sigbus.lsb);
}

/* --- vCPU statistics ----------------------------------------------------------- */

struct stats {
	int fd;
	off_t exits;	/* file offset of the "exits" counter */
};

static void stats_open(struct kt_vm *vm, struct stats *s, bool list)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs, names[1024] = "";

	s->fd = ioctl(vm->vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (s->fd < 0)
		kt_skip("KVM_GET_STATS_FD on the vCPU: %m");
	if (pread(s->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		kt_fail("read the vCPU stats header: %m");
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs ||
	    pread(s->fd, descs, h.num_desc * dsz, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsz))
		kt_fail("read the vCPU stats descriptors: %m");
	s->exits = -1;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);

		if (list && strlen(names) + strlen(d->name) + 2 < sizeof(names))
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), " %s", d->name);
		if (!strcmp(d->name, "exits") && d->size == 1 &&
		    (d->flags & KVM_STATS_TYPE_MASK) ==
		    KVM_STATS_TYPE_CUMULATIVE)
			s->exits = h.data_offset + d->offset;
	}
	if (list)
		kt_diag("vCPU binary stats:%s", names);
	free(descs);
	if (s->exits < 0)
		kt_fail("no cumulative \"exits\" counter in the vCPU stats");
}

static uint64_t stat_exits(struct stats *s)
{
	uint64_t v;

	if (pread(s->fd, &v, sizeof(v), s->exits) != (ssize_t)sizeof(v))
		kt_fail("read vCPU stat exits: %m");
	return v;
}

/* Run to the guest's SYNC(stage); returns how many exits that took. */
static uint64_t run_to(struct kt_vm *vm, struct stats *s, uint64_t stage)
{
	uint64_t before = stat_exits(s);

	kt_run_expect_ucall(vm, KT_UCALL_SYNC);
	KT_CHECK_EQ(vm->uc.args[0], stage, "guest SYNC stage");
	return stat_exits(s) - before;
}

/* --- privilege and isolation ------------------------------------------------------ */

static int userfaultfd(int flags)
{
	return (int)syscall(__NR_userfaultfd, flags);
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * Become nobody, as a VMM would run, and show that it took: without
 * UFFD_USER_MODE_ONLY, userfaultfd() is refused (vm.unprivileged_userfaultfd
 * is 0 by default).
 */
static void drop_privileges(void)
{
	int sysctl = read_int("/proc/sys/vm/unprivileged_userfaultfd");
	int fd;

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	     setresuid(NOBODY, NOBODY, NOBODY)))
		kt_fail("drop to uid %d: %m", NOBODY);
	KT_CHECK_EQ(geteuid(), NOBODY, "euid after dropping privileges");
	fd = userfaultfd(O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOSYS)
		kt_skip("no userfaultfd() in this kernel");
	if (sysctl == 0 && (fd >= 0 || errno != EPERM))
		kt_fail("userfaultfd() without UFFD_USER_MODE_ONLY as uid %d: "
			"%s, want EPERM (are we unprivileged?)", NOBODY,
			fd >= 0 ? "opened" : strerror(errno));
	if (fd >= 0)
		close(fd);
}

struct isolation {
	uint8_t *hva;		/* the isolated range (a page or a huge page) */
	size_t size;
	bool huge;
	uint8_t *quarantine;
	int uffd;
};

static long smaps_anon_huge_kb(void)
{
	char line[256];
	long sum = 0, kb;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		kt_fail("/proc/self/smaps: %m");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			sum += kb;
	fclose(f);
	return sum;
}

static void *map_fixed(void *at, size_t size, bool huge)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	if (huge)
		flags |= MAP_HUGETLB | (21 << MAP_HUGE_SHIFT);
	return mmap(at, size, PROT_READ | PROT_WRITE, flags, -1, 0);
}

/* libseawall 0.2's isolation, step by step, each step checked. */
static void isolate(struct isolation *iso, bool thp)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = KT_UFFD_FEATURE_POISON,
	};
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)iso->hva, .len = iso->size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct kt_uffdio_poison poison = {
		.range = { .start = (uintptr_t)iso->hva, .len = iso->size },
	};
	long huge_before = thp ? smaps_anon_huge_kb() : 0;
	uint8_t *res;
	void *p;

	/* The quarantine: aligned to the page size, never read, never freed. */
	res = mmap(NULL, 2 * iso->size, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		kt_fail("reserve the quarantine: %m");
	iso->quarantine = (uint8_t *)(((uintptr_t)res + iso->size - 1) &
				      ~(uintptr_t)(iso->size - 1));
	p = mremap(iso->hva, iso->size, iso->size,
		   MREMAP_MAYMOVE | MREMAP_FIXED, iso->quarantine);
	if (p != iso->quarantine)
		kt_fail("mremap %p+%#zx to the quarantine: %m", iso->hva,
			iso->size);
	if (mprotect(iso->quarantine, iso->size, PROT_NONE))
		kt_fail("mprotect the quarantine: %m");
	if (thp) {
		long after = smaps_anon_huge_kb();

		kt_diag("THP: AnonHugePages %ld kB before the mremap, %ld kB "
			"after", huge_before, after);
		KT_CHECK_EQ(huge_before - after, KT_BLOCK >> 10,
			    "kB of AnonHugePages the 4 KiB mremap split "
			    "(the bad page's block was a THP)");
	}

	if (map_fixed(iso->hva, iso->size, iso->huge) != iso->hva)
		kt_fail("map the placeholder at %p: %m", iso->hva);

	iso->uffd = userfaultfd(UFFD_USER_MODE_ONLY | O_CLOEXEC | O_NONBLOCK);
	if (iso->uffd < 0 && (errno == ENOSYS || errno == EINVAL))
		kt_skip("userfaultfd(UFFD_USER_MODE_ONLY): %m");
	if (iso->uffd < 0)
		kt_fail("userfaultfd(UFFD_USER_MODE_ONLY) as uid %d: %m",
			(int)geteuid());
	if (ioctl(iso->uffd, UFFDIO_API, &api)) {
		if (errno == EINVAL)
			kt_skip("UFFDIO_API refuses UFFD_FEATURE_POISON "
				"(Linux < 6.6)");
		kt_fail("UFFDIO_API: %m");
	}
	if (!(api.features & KT_UFFD_FEATURE_POISON))
		kt_fail("UFFDIO_API features %#llx lack UFFD_FEATURE_POISON",
			(unsigned long long)api.features);
	if (ioctl(iso->uffd, UFFDIO_REGISTER, &reg))
		kt_fail("UFFDIO_REGISTER (missing) %p+%#zx: %m", iso->hva,
			iso->size);
	if (!(reg.ioctls & (1ULL << KT_UFFDIO_POISON_NR)))
		kt_fail("UFFDIO_REGISTER ioctls %#llx lack _UFFDIO_POISON",
			(unsigned long long)reg.ioctls);
	if (ioctl(iso->uffd, KT_UFFDIO_POISON, &poison))
		kt_fail("UFFDIO_POISON %p+%#zx: %m", iso->hva, iso->size);
	KT_CHECK_EQ(poison.updated, iso->size, "UFFDIO_POISON updated");
}

/*
 * libseawall 0.2's isolation of private anonymous 4 KiB pages: the page
 * leaves the memslot's VMA by UFFDIO_MOVE (no VMA split) for a quarantine
 * chunk registered with the userfaultfd; the 2 MiB-aligned block around it
 * is registered in write-protect mode (a split, if any, on 2 MiB
 * boundaries), and UFFDIO_POISON leaves the marker at hva.
 */
static void isolate_move(struct isolation *iso)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = KT_UFFD_FEATURE_POISON,
	};
	uintptr_t block = (uintptr_t)iso->hva & ~(uintptr_t)(KT_BLOCK - 1);
	struct uffdio_register qreg = {
		.range = { .len = KT_BLOCK },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffdio_register breg = {
		.range = { .start = block, .len = KT_BLOCK },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	struct kt_uffdio_poison poison = {
		.range = { .start = (uintptr_t)iso->hva, .len = iso->size },
	};
	struct kt_uffdio_move mv = { .len = iso->size };

	iso->uffd = userfaultfd(UFFD_USER_MODE_ONLY | O_CLOEXEC | O_NONBLOCK);
	if (iso->uffd < 0)
		kt_fail("userfaultfd(UFFD_USER_MODE_ONLY) as uid %d: %m",
			(int)geteuid());
	if (ioctl(iso->uffd, UFFDIO_API, &api))
		kt_fail("UFFDIO_API: %m");
	if (!(api.features & KT_UFFD_FEATURE_MOVE))
		kt_skip("UFFDIO_API features %#llx lack UFFD_FEATURE_MOVE "
			"(Linux < 6.8)", (unsigned long long)api.features);
	iso->quarantine = mmap(NULL, KT_BLOCK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
	if (iso->quarantine == MAP_FAILED)
		kt_fail("map the quarantine chunk: %m");
	madvise(iso->quarantine, KT_BLOCK, MADV_NOHUGEPAGE);
	qreg.range.start = (uintptr_t)iso->quarantine;
	if (ioctl(iso->uffd, UFFDIO_REGISTER, &qreg))
		kt_fail("UFFDIO_REGISTER (missing) of the quarantine: %m");
	if (!(qreg.ioctls & (1ULL << KT_UFFDIO_MOVE_NR)))
		kt_fail("the quarantine's ioctls %#llx lack _UFFDIO_MOVE",
			(unsigned long long)qreg.ioctls);
	mv.dst = (uintptr_t)iso->quarantine;
	mv.src = (uintptr_t)iso->hva;
	if (ioctl(iso->uffd, KT_UFFDIO_MOVE, &mv))
		kt_fail("UFFDIO_MOVE %p -> %p: %m", iso->hva, iso->quarantine);
	KT_CHECK_EQ(mv.move, iso->size, "UFFDIO_MOVE moved");
	if (ioctl(iso->uffd, UFFDIO_REGISTER, &breg))
		kt_fail("UFFDIO_REGISTER (write-protect) of the block %#lx: %m",
			(unsigned long)block);
	if (!(breg.ioctls & (1ULL << KT_UFFDIO_POISON_NR)))
		kt_fail("UFFDIO_REGISTER (wp) ioctls %#llx lack _UFFDIO_POISON",
			(unsigned long long)breg.ioctls);
	if (ioctl(iso->uffd, KT_UFFDIO_POISON, &poison))
		kt_fail("UFFDIO_POISON %p+%#zx: %m", iso->hva, iso->size);
	KT_CHECK_EQ(poison.updated, iso->size, "UFFDIO_POISON updated");
}

static void memslot_readd(struct kt_vm *vm)
{
	struct kt_mem *m = &vm->mem[0];
	struct kvm_userspace_memory_region r = {
		.slot = 0,
		.guest_phys_addr = m->gpa,
		.userspace_addr = (uintptr_t)m->hva,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		kt_fail("delete memslot 0: %m");
	r.memory_size = m->size;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		kt_fail("re-add memslot 0: %m");
}

/*
 * memfd: the test pages become a MAP_SHARED mapping of a memfd, before the
 * guest first touches them.  Returns a second mapping of the bad page.
 */
static volatile uint64_t *memfd_setup(struct kt_vm *vm)
{
	uint64_t size = KT_TEST_END - KT_TEST_GPA;
	void *hva = kt_gpa_hva(vm, KT_TEST_GPA), *alias;
	int fd = memfd_create("uffd_poison", MFD_CLOEXEC);

	if (fd < 0)
		kt_skip("memfd_create: %m");
	if (ftruncate(fd, size))
		kt_fail("ftruncate memfd: %m");
	if (mmap(hva, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) != hva)
		kt_fail("map the memfd over the test pages: %m");
	alias = mmap(NULL, KT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     BAD_PAGE - KT_TEST_GPA);
	if (alias == MAP_FAILED)
		kt_fail("second mapping of the memfd: %m");
	close(fd);
	return (volatile uint64_t *)((uint8_t *)alias + (BAD_WORD - BAD_PAGE));
}

/* --- the variants ------------------------------------------------------------------ */

static const char *const backing_name[] = {
	[B_4K] = "4 KiB", [B_THP] = "THP", [B_HUGETLB] = "hugetlb 2 MiB",
	[B_MEMFD] = "memfd",
};

/*
 * On the main thread: KVM names the VM's debugfs directory after the pid
 * of the thread that creates it (kt_debugfs_dir() uses getpid()).
 */
static void setup_case(struct poison_ctx *x)
{
	static const enum kt_backing kt_backing[] = {
		[B_4K] = KT_BACKING_4K, [B_THP] = KT_BACKING_THP,
		[B_HUGETLB] = KT_BACKING_HUGETLB, [B_MEMFD] = KT_BACKING_4K,
	};
	struct kt_vm_opts opts = { .backing = kt_backing[x->c->backing] };

	kt_vm_create(&x->vm, &opts);
	if (x->c->backing == B_MEMFD)
		x->alias = memfd_setup(&x->vm);
	if (x->c->sea) {
		kt_require_sea_inject(&x->vm);
		kt_enable_sea_to_user(&x->vm);
	}
}

/* A VMA split, or MADV_DONTNEED, instead of the isolation. */
static void probe_op(const struct poison_case *c, struct isolation *iso)
{
	if (c->op == OP_MUNMAP && munmap(iso->hva, iso->size))
		kt_fail("munmap %p+%#zx: %m", iso->hva, iso->size);
	if (c->op == OP_DONTNEED &&
	    madvise(iso->hva, iso->size, MADV_DONTNEED))
		kt_fail("MADV_DONTNEED %p+%#zx: %m", iso->hva, iso->size);
}

static void probe_result(const struct poison_case *c, uint64_t d_warm,
			 uint64_t d_iso, uint64_t d_same)
{
	kt_diag("%s of the bad page: exits re-reading the other %llu pages "
		"of its 2 MiB block: %llu (warm: %llu); 4096 pages in other "
		"blocks: %llu", c->op == OP_MUNMAP ? "munmap (a VMA split)" :
		"MADV_DONTNEED (no VMA split)", (unsigned long long)SAME_NR,
		(unsigned long long)d_same, (unsigned long long)d_warm,
		(unsigned long long)d_iso);
	if (d_iso > d_warm + OTHERS_NR / 4)
		kt_fail("%llu exits over pages in other 2 MiB blocks (warm: "
			"%llu)", (unsigned long long)d_iso,
			(unsigned long long)d_warm);
	/*
	 * A VMA split inside a 2 MiB range invalidates all of it
	 * (vma_adjust_trans_huge -> __split_huge_pmd's MMU notifier range),
	 * huge PMD or not; zapping the page alone invalidates the page.
	 */
	if (c->op == OP_MUNMAP && d_same < d_warm + SAME_NR * 3 / 4)
		kt_fail("munmap of one page cost only %llu refaults in its "
			"block, want about %llu", (unsigned long long)d_same,
			(unsigned long long)SAME_NR);
	if (c->op == OP_DONTNEED && d_same > d_warm + SAME_NR / 4)
		kt_fail("MADV_DONTNEED of one page cost %llu refaults in its "
			"block (warm: %llu)", (unsigned long long)d_same,
			(unsigned long long)d_warm);
}

static void run_case(struct poison_ctx *x)
{
	const struct poison_case *c = x->c;
	struct kt_vm *vm = &x->vm;
	bool huge = c->backing == B_HUGETLB, blocks = huge ||
		    c->backing == B_THP;
	struct poison_params *p;
	struct isolation iso = { .uffd = -1, .huge = huge };
	volatile uint64_t *alias = x->alias, *word;
	uint64_t d_warm, d_iso, d_same, d_reset, d_control, want_refaults;
	uintptr_t bad_hva;
	int lsb = huge ? 21 : 12, inject_fd = -1;
	char path[160];
	struct stats st;
	stats_open(vm, &st, c->backing == B_4K && c->op == OP_ISOLATE &&
		   !c->sea && !c->close_first);

	word = kt_gpa_hva(vm, BAD_WORD);
	*word = OLD_VALUE;
	bad_hva = (uintptr_t)kt_gpa_hva(vm, BAD_PAGE);
	iso.size = huge ? KT_BLOCK : KT_PAGE;
	iso.hva = (uint8_t *)(bad_hva & ~(uintptr_t)(iso.size - 1));

	p = kt_gpa_hva(vm, KT_PARAM_GPA);
	p->bad = BAD_WORD;
	p->others = OTHERS_FIRST;
	p->nr_others = OTHERS_NR;
	/* hugetlb: the whole block is isolated, nothing else to read there. */
	p->same = huge ? 0 : SAME_FIRST;
	p->nr_same = huge ? 0 : SAME_NR;
	kt_vcpu_start(vm, guest_flow, KT_PARAM_GPA, 0);
	run_to(vm, &st, ST_PRIMED);

	if (c->sea) {
		char dir[96];

		kt_mark(vm, BAD_PAGE, 0);
		/* Opened while root: clearing happens after the drop. */
		kt_debugfs_dir(vm, dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/sea_inject", dir);
		inject_fd = open(path, O_WRONLY | O_CLOEXEC);
		if (inject_fd < 0)
			kt_fail("open %s: %m", path);
	}
	drop_privileges();

	d_warm = run_to(vm, &st, ST_WARM);
	if (c->op == OP_MOVE)
		isolate_move(&iso);
	else if (c->op != OP_ISOLATE)
		probe_op(c, &iso);
	else if (!c->sea)
		isolate(&iso, c->backing == B_THP);
	d_iso = run_to(vm, &st, ST_ISOLATED);
	d_same = run_to(vm, &st, ST_SAME);
	if (c->op == OP_MUNMAP || c->op == OP_DONTNEED) {
		probe_result(c, d_warm, d_iso, d_same);
		return;
	}
	if (c->op == OP_MOVE) {
		kt_diag("%s, UFFDIO_MOVE and poison in place: exits re-reading "
			"the other %llu pages of the bad page's 2 MiB block: "
			"%llu (warm: %llu)", backing_name[c->backing],
			(unsigned long long)SAME_NR, (unsigned long long)d_same,
			(unsigned long long)d_warm);
		/* No VMA split inside the block: its other entries stay. */
		if (c->backing == B_4K && d_same > d_warm + SAME_NR / 4)
			kt_fail("the move cost %llu refaults in the bad page's "
				"block (warm: %llu): more than its one stage-2 "
				"entry was dropped", (unsigned long long)d_same,
				(unsigned long long)d_warm);
	}

	if (c->sea) {
		struct kt_arm_sea sea = kt_run_expect_sea(vm);
		char text[64];
		ssize_t n;

		KT_CHECK_EQ(sea.gpa, BAD_PAGE, "arm_sea.gpa");
		isolate(&iso, false);
		snprintf(text, sizeof(text), "clear %#" PRIx64 "\n",
			 (uint64_t)BAD_PAGE);
		n = write(inject_fd, text, strlen(text));
		if (n != (ssize_t)strlen(text))
			kt_fail("sea_inject '%s' as uid %d: %m", "clear",
				(int)geteuid());
		close(inject_fd);
	}

	if (alias) {
		kt_diag("memfd: after the mremap and UFFDIO_POISON, another "
			"mapping of the same file offset reads %#" PRIx64
			" (the bad page's content %s)", *alias,
			*alias == OLD_VALUE ? "still: the page stays in the "
			"file" : "no longer");
	}

	expect_sigbus(vm, bad_hva, lsb, "guest read of the isolated page");
	expect_sigbus(vm, bad_hva, lsb, "second KVM_RUN");
	expect_sigbus(vm, bad_hva, lsb, "third KVM_RUN");

	/* The block stays registered (unregistering walks it: see libseawall). */
	if (!c->close_first && c->op != OP_MOVE) {
		struct uffdio_range r = {
			.start = (uintptr_t)iso.hva, .len = iso.size,
		};

		if (ioctl(iso.uffd, UFFDIO_UNREGISTER, &r))
			kt_fail("UFFDIO_UNREGISTER: %m");
		expect_sigbus(vm, bad_hva, lsb, "after UFFDIO_UNREGISTER");
	}
	close(iso.uffd);
	expect_sigbus(vm, bad_hva, lsb, "after close(uffd)");

	/* VM reset: fresh memory over the placeholder, or zap the marker. */
	if (c->op == OP_MOVE) {
		if (madvise(iso.hva, iso.size, MADV_DONTNEED))
			kt_fail("MADV_DONTNEED of the poisoned page: %m");
	} else if (map_fixed(iso.hva, iso.size, huge) != iso.hva) {
		kt_fail("map fresh memory over the placeholder: %m");
	}
	*word = PATTERN;
	kt_run_expect_ucall(vm, KT_UCALL_VALUE);
	KT_CHECK_EQ(vm->uc.args[0], PATTERN, "guest read of the fresh page");
	d_reset = run_to(vm, &st, ST_RESET);

	memslot_readd(vm);
	d_control = run_to(vm, &st, ST_CONTROL);

	want_refaults = blocks ? OTHERS_NR * KT_PAGE / KT_BLOCK : OTHERS_NR;
	kt_diag("%s: exits while the guest re-reads %llu pages in other "
		"2 MiB blocks (%llu stage-2 %s): %llu warm, %llu after the "
		"isolation, %llu after the reset, %llu after memslot "
		"delete+re-add (control); after the isolation, %llu for the "
		"other %llu pages of the bad page's 2 MiB block",
		backing_name[c->backing], (unsigned long long)OTHERS_NR,
		(unsigned long long)want_refaults, blocks ? "blocks" : "pages",
		(unsigned long long)d_warm, (unsigned long long)d_iso,
		(unsigned long long)d_reset, (unsigned long long)d_control,
		(unsigned long long)d_same,
		huge ? 0ULL : (unsigned long long)SAME_NR);
	/* The measurement can see refaults ... */
	if (d_control < d_warm + want_refaults)
		kt_fail("control: memslot delete+re-add cost %llu exits, want "
			">= %llu + %llu: the counter cannot show refaults",
			(unsigned long long)d_control,
			(unsigned long long)d_warm,
			(unsigned long long)want_refaults);
	/* ... and the isolation causes (almost) none outside its block. */
	if (!c->sea && d_iso > d_warm + want_refaults / 4)
		kt_fail("the isolation cost %llu exits over the others (warm: "
			"%llu): more than the bad page's stage-2 entry was "
			"dropped", (unsigned long long)d_iso,
			(unsigned long long)d_warm);
	if (d_reset > d_warm + want_refaults / 4)
		kt_fail("the reset cost %llu exits over the others (warm: %llu)",
			(unsigned long long)d_reset, (unsigned long long)d_warm);
	/*
	 * Not asserted: the rest of the bad page's 2 MiB block refaults (the
	 * mremap() splits the VMA there; see the munmap variant), so the
	 * isolation costs one 2 MiB block of stage 2, not one page.
	 */
	kt_vm_destroy(vm);
}

static void *vcpu_thread(void *arg)
{
	vcpu_tid = (pid_t)syscall(SYS_gettid);
	run_case(arg);
	return NULL;
}

/*
 * The whole variant runs on a second thread, so that "the SIGBUS went to
 * the vCPU thread" is not also "it went to the main thread".
 */
static void run_poison(const struct kt_variant *v)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigbus,
		.sa_flags = SA_SIGINFO,
	};
	static struct poison_ctx x;
	pthread_t t;
	int e;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		kt_fail("sigaction SIGBUS: %m");
	x.c = v->data;
	setup_case(&x);
	e = pthread_create(&t, NULL, vcpu_thread, &x);
	if (e)
		kt_fail("pthread_create: %s", strerror(e));
	pthread_join(t, NULL);
}

#define POISON(n, ...)							\
	{ .name = n, .run = run_poison, .timeout = 240,			\
	  .data = &(const struct poison_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	POISON("anon-4k", .backing = B_4K),
	POISON("anon-4k-close-uffd", .backing = B_4K, .close_first = true),
	POISON("anon-thp", .backing = B_THP),
	POISON("hugetlb-2m", .backing = B_HUGETLB),
	POISON("memfd-shared", .backing = B_MEMFD),
	POISON("anon-4k-munmap-splits-block", .backing = B_4K, .op = OP_MUNMAP),
	POISON("anon-4k-dontneed-one-page", .backing = B_4K,
	       .op = OP_DONTNEED),
	POISON("anon-4k-move", .backing = B_4K, .op = OP_MOVE),
	POISON("anon-thp-move", .backing = B_THP, .op = OP_MOVE),
	{ .name = "sea-mark-then-poison-4k", .run = run_poison,
	  .timeout = 240, .needs_inject = true,
	  .data = &(const struct poison_case){ .backing = B_4K, .sea = true } },
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "uffd_poison",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
