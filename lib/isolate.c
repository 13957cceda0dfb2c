// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * Isolation.  The bad host page is always moved into a quarantine
 * mapping that nothing reads or dumps, so it is neither read by the VMM nor
 * freed to the host; with CAP_SYS_ADMIN it is also handed to the host's
 * memory_failure() (MADV_HWPOISON), so the host never reuses it, even
 * after the VMM exits.  What then stands at its old address:
 *
 *  - POISON (default), private anonymous memory in 4 KiB pages (THP
 *    too): UFFDIO_MOVE takes the bad page out of the region's VMA into a
 *    quarantine chunk without splitting the VMA, the 2 MiB-aligned block
 *    around it is registered with a userfaultfd (write-protect mode: no
 *    fault behaves differently, but UFFDIO_POISON may write there; the
 *    VMA splits only at 2 MiB boundaries), and UFFDIO_POISON leaves a
 *    poison marker in its page-table entry.  KVM's MMU notifier drops the
 *    one stage-2 entry (docs/isolation.md, measured).  A later guest
 *    access makes KVM find the marker and send SIGBUS BUS_MCEERR_AR to
 *    the vCPU thread, which seawall_sigbus_record() queues like any other.
 *    No memslot changes.
 *  - POISON, anything else (hugetlb, memfd/shmem, a page UFFDIO_MOVE
 *    refuses): the page is moved into the quarantine with mremap, and a
 *    fresh placeholder, registered and poisoned, takes its address.  The
 *    unaligned VMA split costs the stage-2 entries of that 2 MiB block.
 *  - MEMSLOT_SPLIT (0.1's default): the page is cut out of its memslot
 *    (a later access exits as MMIO/NISV), a PROT_NONE placeholder holds
 *    the address.  KVM refaults the whole slot after every change.
 *  - HWPOISON: MADV_HWPOISON on the page in place.
 *
 * docs/isolation.md has the kernel facts this rests on, as measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "internal.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

/* Linux 6.6+ userfaultfd uAPI; the build's headers may predate it. */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#define SW_UFFD_API		0xAAull
#define SW_UFFD_FEATURE_POISON	(1ull << 14)
#define SW_UFFDIO_POISON_BIT	0x08
struct sw_uffdio_range {
	uint64_t start;
	uint64_t len;
};
struct sw_uffdio_api {
	uint64_t api;
	uint64_t features;
	uint64_t ioctls;
};
struct sw_uffdio_register {
	struct sw_uffdio_range range;
	uint64_t mode;
	uint64_t ioctls;
};
struct sw_uffdio_poison {
	struct sw_uffdio_range range;
	uint64_t mode;
	int64_t updated;
};
#define SW_UFFDIO		0xAA
#define SW_UFFDIO_API		_IOWR(SW_UFFDIO, 0x3F, struct sw_uffdio_api)
#define SW_UFFDIO_REGISTER	_IOWR(SW_UFFDIO, 0x00, struct sw_uffdio_register)
#define SW_UFFDIO_UNREGISTER	_IOR(SW_UFFDIO, 0x01, struct sw_uffdio_range)
#define SW_UFFDIO_POISON	_IOWR(SW_UFFDIO, SW_UFFDIO_POISON_BIT, struct sw_uffdio_poison)
#define SW_UFFDIO_REGISTER_MODE_MISSING	(1ull << 0)
/* Linux 6.8+ */
#define SW_UFFD_FEATURE_MOVE	(1ull << 16)
#define SW_UFFDIO_MOVE_BIT	0x05
struct sw_uffdio_move {
	uint64_t dst;
	uint64_t src;
	uint64_t len;
	uint64_t mode;
	int64_t move;
};
#define SW_UFFDIO_MOVE		_IOWR(SW_UFFDIO, SW_UFFDIO_MOVE_BIT, struct sw_uffdio_move)
#define SW_UFFDIO_MOVE_MODE_DONTWAKE	(1ull << 0)
#define SW_UFFDIO_REGISTER_MODE_WP	(1ull << 1)

#define SW_BLOCK	(2ull << 20)	/* the PMD span of 4 KiB pages */
#define SW_QA_CHUNK	512u		/* pages per quarantine chunk */

int seawall_memslot_split(const struct seawall_memslot *slot, uint64_t hole_gpa,
			  uint64_t hole_size, uint32_t new_slot, struct seawall_memslot out[2])
{
	uint64_t end, hole_end;
	int n = 0;

	if (!slot || !out || !hole_size || (hole_gpa | hole_size) & 0xfff)
		return -EINVAL;
	end = slot->gpa + slot->size;
	hole_end = hole_gpa + hole_size;
	if (hole_end < hole_gpa || hole_gpa < slot->gpa || hole_end > end)
		return -ERANGE;
	if (hole_gpa > slot->gpa) {
		out[n] = *slot;
		out[n].size = hole_gpa - slot->gpa;
		n++;
	}
	if (hole_end < end) {
		if (n && new_slot == slot->slot)
			return -EINVAL;
		out[n] = *slot;
		out[n].slot = n ? new_slot : slot->slot;
		out[n].gpa = hole_end;
		out[n].size = end - hole_end;
		out[n].hva = slot->hva + (hole_end - slot->gpa);
		n++;
	}
	return n;
}

static int set_slot(struct seawall_ctx *ctx, const struct seawall_memslot *s)
{
	const struct seawall_memslot_ops *ops = ctx->o.memslot_ops;
	struct kvm_userspace_memory_region m;

	if (ops && ops->set)
		return ops->set(ops->arg, s);
	memset(&m, 0, sizeof(m));
	m.slot = s->slot;
	m.flags = s->flags;
	m.guest_phys_addr = s->gpa;
	m.memory_size = s->size;
	m.userspace_addr = s->hva;
	return ioctl(ctx->o.vm_fd, KVM_SET_USER_MEMORY_REGION, &m) < 0 ? -errno : 0;
}

static bool can_split(const struct seawall_ctx *ctx, const struct sw_region *r)
{
	return !(r->flags & SEAWALL_REGION_NO_SLOT) &&
	       ((ctx->o.memslot_ops && ctx->o.memslot_ops->set) || ctx->o.vm_fd >= 0);
}

/* Keep every other vCPU out of KVM_RUN while guest RAM lacks a memslot. */
static int pause_vcpus(struct seawall_ctx *ctx)
{
	const struct seawall_memslot_ops *ops = ctx->o.memslot_ops;

	return ops && ops->pause ? ops->pause(ops->arg) : 0;
}

static void resume_vcpus(struct seawall_ctx *ctx)
{
	const struct seawall_memslot_ops *ops = ctx->o.memslot_ops;

	if (ops && ops->resume)
		ops->resume(ops->arg);
}

static int carve(struct seawall_ctx *ctx, struct sw_region *r, uint64_t page, const char **why)
{
	struct seawall_memslot del, out[2], *pieces;
	uint32_t i, spare = 0;
	int n, err;

	for (i = 0; i < r->npieces; i++)
		if (page >= r->pieces[i].gpa && page - r->pieces[i].gpa < r->pieces[i].size)
			break;
	if (i == r->npieces)
		return 0;		/* already a hole */
	if (page > r->pieces[i].gpa && page + r->page_size < r->pieces[i].gpa + r->pieces[i].size) {
		if (ctx->next_spare >= ctx->o.spare_slot_count) {
			*why = "no spare memslot id to split the slot";
			return -ENOSPC;
		}
		spare = ctx->o.spare_slot_base + ctx->next_spare;
	}
	n = seawall_memslot_split(&r->pieces[i], page, r->page_size, spare, out);
	if (n < 0) {
		*why = "memslot split arithmetic failed";
		return n;
	}
	pieces = realloc(r->pieces, (r->npieces + 1) * sizeof(*pieces));
	if (!pieces) {
		*why = "out of memory";
		return -ENOMEM;
	}
	r->pieces = pieces;

	/*
	 * KVM cannot shrink a slot in place: delete it, then add the parts,
	 * with the other vCPUs paused so none of them runs in between.
	 */
	err = pause_vcpus(ctx);
	if (err) {
		*why = "cannot pause the other vCPUs";
		return err;
	}
	del = r->pieces[i];
	del.size = 0;
	err = set_slot(ctx, &del);
	for (int k = 0; !err && k < n; k++)
		err = set_slot(ctx, &out[k]);
	if (err) {
		for (int k = 0; k < n; k++) {
			struct seawall_memslot d = out[k];

			d.size = 0;
			set_slot(ctx, &d);
		}
		set_slot(ctx, &r->pieces[i]);
		resume_vcpus(ctx);
		*why = "KVM_SET_USER_MEMORY_REGION failed";
		return err;
	}
	resume_vcpus(ctx);
	memmove(&r->pieces[i + (uint32_t)n], &r->pieces[i + 1],
		(r->npieces - i - 1) * sizeof(*r->pieces));
	memcpy(&r->pieces[i], out, (size_t)n * sizeof(*out));
	r->npieces = r->npieces - 1 + (uint32_t)n;
	if (n == 2)
		ctx->next_spare++;
	return 1;
}

/* Move the page at hva into a PROT_NONE quarantine; hva is left unmapped. */
static void *quarantine_move(void *hva, uint64_t size, const char **why)
{
	uint8_t *res, *q;
	size_t sz = (size_t)size;

	/* Reserve twice the size to find a suitably aligned spot. */
	res = mmap(NULL, 2 * sz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		*why = "cannot reserve quarantine space";
		return NULL;
	}
	q = (uint8_t *)(((uintptr_t)res + sz - 1) & ~(uintptr_t)(sz - 1));
	if (q > res)
		munmap(res, (size_t)(q - res));
	if (q + sz < res + 2 * sz)
		munmap(q + sz, (size_t)(res + 2 * sz - (q + sz)));
	/*
	 * Make [hva, +sz) a mapping of its own first.  mremap() of a part of
	 * a private hugetlb mapping drops the reservations of the whole
	 * mapping (fixup_hugetlb_reservations() runs on the VMA before it is
	 * split; 6.12 and 7.2): the rest of guest RAM then faults without
	 * them (SIGBUS when the pool runs short) and they leak at exit
	 * (HugePages_Rsvd).  Toggling the dump flag splits it, whatever it
	 * was (on 2 MiB boundaries for hugetlb; hugetlb mappings never merge
	 * back), and a quarantined page is not to be dumped anyway.
	 */
	madvise(hva, sz, MADV_DODUMP);
	madvise(hva, sz, MADV_DONTDUMP);
	if (mremap(hva, sz, sz, MREMAP_MAYMOVE | MREMAP_FIXED, q) == MAP_FAILED) {
		int e = errno;

		munmap(q, sz);
		errno = e;
		*why = "mremap to quarantine failed";
		return NULL;
	}
	return q;
}

/* Put a quarantined page back where it was (an isolation that failed half way). */
static void quarantine_undo(void *q, void *hva, uint64_t size)
{
	mprotect(q, (size_t)size, PROT_READ | PROT_WRITE);
	if (mremap(q, (size_t)size, (size_t)size, MREMAP_MAYMOVE | MREMAP_FIXED, hva) == MAP_FAILED)
		mmap(hva, (size_t)size, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

/* addr's entry in /proc/self/pagemap; false if it cannot be read. */
static bool pagemap_entry(const void *addr, uint64_t *e)
{
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = pread(fd, e, sizeof(*e), (off_t)((uintptr_t)addr / ps * sizeof(*e)));
	close(fd);
	return n == (ssize_t)sizeof(*e);
}

/* Present, and mapped by this process alone (bit 56, Linux 4.2+).  Unknown: no. */
static bool page_exclusive(const void *addr)
{
	uint64_t e;

	return pagemap_entry(addr, &e) && (e >> 63 & 1) && (e >> 56 & 1);
}

/* A page (bit 63) or a swap entry (bit 62) at addr?  Unknown: yes. */
static bool page_mapped_or_swapped(const void *addr)
{
	uint64_t e;

	return !pagemap_entry(addr, &e) || (e >> 62 & 3);
}

/*
 * With CAP_SYS_ADMIN: the host's memory_failure() takes the page, so the
 * host never hands it out again.  The kernel answers with SIGBUS
 * BUS_MCEERR_AR to this thread before madvise() returns, which
 * seawall_sigbus_record() knows for ours; so not without a handler.
 */
static bool host_offline(struct seawall_ctx *ctx, void *q, uint64_t size)
{
	struct sigaction sa;
	int err;

	unsigned char vec[1];

	if ((ctx->o.flags & SEAWALL_CTX_NO_HOST_OFFLINE) || ctx->offline_err)
		return false;
	/*
	 * Only a page that exists: MADV_HWPOISON of a never-touched address
	 * would fault one in first (for a read, the shared zero page) and
	 * hand that to memory_failure().  No page, nothing the host can reuse.
	 */
	if (mincore(q, (size_t)sysconf(_SC_PAGESIZE), vec) < 0 || !(vec[0] & 1))
		return false;
	/*
	 * Nor a page that is not ours alone: the shared zero page (a page the
	 * guest only ever read), a page another process maps.
	 */
	if (!page_exclusive(q))
		return false;
	if (sigaction(SIGBUS, NULL, &sa) < 0 ||
	    (!(sa.sa_flags & SA_SIGINFO) &&
	     (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN))) {
		ctx->offline_err = -ENOEXEC;
		sw_log(ctx, SEAWALL_LOG_WARN, "no SIGBUS handler: bad pages are not handed to "
		       "the host's memory_failure() (they return to the host when the VMM exits)");
		return false;
	}
	atomic_store(&ctx->self_poison_tid, (int)syscall(SYS_gettid));
	atomic_store(&ctx->self_poison_len, size);
	atomic_store(&ctx->self_poison, (uint64_t)(uintptr_t)q);
	err = madvise(q, (size_t)size, MADV_HWPOISON) < 0 ? -errno : 0;
	atomic_store(&ctx->self_poison, 0);
	if (err == -EPERM || err == -EINVAL) {
		/* No privilege, or no CONFIG_MEMORY_FAILURE: say it once. */
		ctx->offline_err = err;
		sw_log(ctx, SEAWALL_LOG_WARN, "bad pages are not handed to the host's "
		       "memory_failure(): %s (they return to the host when the VMM exits; "
		       "see seawall(7))", err == -EPERM ? "no CAP_SYS_ADMIN" :
		       "MADV_HWPOISON not supported by this kernel");
		return false;
	}
	if (err)
		sw_log(ctx, SEAWALL_LOG_WARN, "MADV_HWPOISON on a quarantined page: %s",
		       strerror(-err));
	return !err;
}

/* The context's userfaultfd, opened on first use. */
static int uffd_get(struct seawall_ctx *ctx, const char **why)
{
	struct sw_uffdio_api api = { .api = SW_UFFD_API };
	int fd;

	if (ctx->uffd >= 0)
		return ctx->uffd;
	if (ctx->uffd_err)
		goto fail;
	/* User-mode-only needs no privilege; KVM's own accesses still see the poison. */
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0) {
		ctx->uffd_err = -errno;
		goto fail;
	}
	if (ioctl(fd, SW_UFFDIO_API, &api) < 0) {
		ctx->uffd_err = -errno;
		close(fd);
		goto fail;
	}
	if (!(api.features & SW_UFFD_FEATURE_POISON)) {
		ctx->uffd_err = -EOPNOTSUPP;
		close(fd);
		goto fail;
	}
	if (!(api.features & SW_UFFD_FEATURE_MOVE))
		ctx->move_err = -EOPNOTSUPP;
	ctx->uffd = fd;
	return fd;
fail:
	*why = ctx->uffd_err == -EOPNOTSUPP ?
	       "the kernel has no UFFDIO_POISON (Linux 6.6+): use SEAWALL_ISOLATE_MEMSLOT_SPLIT" :
	       "userfaultfd unavailable (blocked by seccomp or vm.unprivileged_userfaultfd?)";
	return ctx->uffd_err;
}

/* A placeholder of the region's kind of page at hva, poisoned. */
static int poison_at(struct seawall_ctx *ctx, const struct sw_region *r, uint8_t *hva,
		     const char **why)
{
	struct sw_uffdio_register reg;
	struct sw_uffdio_poison po;
	size_t sz = (size_t)r->page_size;
	int fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE;
	int uffd, tries = 0;

	uffd = uffd_get(ctx, why);
	if (uffd < 0)
		return uffd;
	if (r->page_size >= (1ull << 21))
		fl |= MAP_HUGETLB | (int)(r->page_shift << MAP_HUGE_SHIFT);
	/* Readable and writable: every access must reach the marker, not a SIGSEGV. */
	if (mmap(hva, sz, PROT_READ | PROT_WRITE, fl, -1, 0) == MAP_FAILED) {
		*why = "cannot map the placeholder";
		return -errno;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uint64_t)(uintptr_t)hva;
	reg.range.len = sz;
	reg.mode = SW_UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, SW_UFFDIO_REGISTER, &reg) < 0) {
		*why = "UFFDIO_REGISTER of the placeholder failed";
		return -errno;
	}
	if (!(reg.ioctls & (1ull << SW_UFFDIO_POISON_BIT))) {
		ioctl(uffd, SW_UFFDIO_UNREGISTER, &reg.range);
		*why = "UFFDIO_POISON not offered for this memory";
		return -EOPNOTSUPP;
	}
	memset(&po, 0, sizeof(po));
	po.range = reg.range;
	/* EAGAIN: the address space was changing under it; it does not last. */
	while (ioctl(uffd, SW_UFFDIO_POISON, &po) < 0) {
		int e = errno;

		if (e != EAGAIN || ++tries > 100) {
			ioctl(uffd, SW_UFFDIO_UNREGISTER, &reg.range);
			*why = "UFFDIO_POISON failed";
			return -e;
		}
		memset(&po, 0, sizeof(po));
		po.range = reg.range;
	}
	return 0;
}

/*
 * A free slot in the move quarantine.  A chunk is private anonymous and
 * read-write like guest RAM (UFFDIO_MOVE wants the same access on both
 * sides), never touched by the library, left out of core dumps, never
 * THP, and registered with the context's userfaultfd: a move's
 * destination must be.  Chunks are never unmapped: what they hold is bad.
 */
static uint8_t *qa_slot(struct seawall_ctx *ctx, int uffd, const char **why)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), len = SW_QA_CHUNK * ps;
	struct sw_uffdio_register reg;
	uint8_t *m;

	if (ctx->qa_base && ctx->qa_used < SW_QA_CHUNK)
		return ctx->qa_base + (size_t)ctx->qa_used * ps;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (m == MAP_FAILED) {
		*why = "cannot reserve quarantine space";
		return NULL;
	}
	madvise(m, len, MADV_NOHUGEPAGE);
	madvise(m, len, MADV_DONTDUMP);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uint64_t)(uintptr_t)m;
	reg.range.len = len;
	reg.mode = SW_UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, SW_UFFDIO_REGISTER, &reg) < 0 ||
	    !(reg.ioctls & (1ull << SW_UFFDIO_MOVE_BIT))) {
		ctx->move_err = errno ? -errno : -EOPNOTSUPP;
		munmap(m, len);
		*why = "cannot register the quarantine";
		return NULL;
	}
	ctx->qa_base = m;
	ctx->qa_used = 0;
	return m;
}

/*
 * Let UFFDIO_POISON write into the 2 MiB-aligned block around hva (within
 * the region): register it in write-protect mode, which changes no fault
 * (nothing is write-protected).  The VMA splits, if at all, on 2 MiB
 * boundaries, where the kernel splits no huge mapping and KVM loses no
 * stage-2 entry.  It stays registered: unregistering a write-protect
 * range walks it and makes KVM drop all of it.
 */
static int block_register(const struct sw_region *r, uint8_t *hva, int uffd)
{
	uintptr_t b = (uintptr_t)hva & ~(uintptr_t)(SW_BLOCK - 1), e = b + SW_BLOCK;
	uintptr_t rs = (uintptr_t)r->hva, re = rs + (uintptr_t)r->size;
	struct sw_uffdio_register reg;

	if (b < rs)
		b = rs;
	if (e > re)
		e = re;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = b;
	reg.range.len = e - b;
	reg.mode = SW_UFFDIO_REGISTER_MODE_WP;
	if (ioctl(uffd, SW_UFFDIO_REGISTER, &reg) < 0)
		return -errno;
	return (reg.ioctls & (1ull << SW_UFFDIO_POISON_BIT)) ? 0 : -EOPNOTSUPP;
}

/*
 * UFFDIO_POISON on one page of a registered block.  EEXIST: something
 * was faulted in at hva since its page left (a vCPU, between the move and
 * now), or the memory a journal reload finds there: it is not the bad
 * page, drop it and poison.
 */
static int poison_in_place(int uffd, uint8_t *hva, size_t sz)
{
	struct sw_uffdio_poison po;
	int tries = 0;

	for (;;) {
		memset(&po, 0, sizeof(po));
		po.range.start = (uint64_t)(uintptr_t)hva;
		po.range.len = sz;
		if (ioctl(uffd, SW_UFFDIO_POISON, &po) == 0)
			return 0;
		if ((errno != EEXIST && errno != EAGAIN) || ++tries > 100)
			return -errno;
		if (errno == EEXIST)
			madvise(hva, sz, MADV_DONTNEED);
	}
}

/* UFFDIO_MOVE of one page; EAGAIN (the address space was changing) does not last. */
static int move_page(int uffd, void *dst, void *src, size_t sz)
{
	struct sw_uffdio_move mv;
	int tries = 0;

	for (;;) {
		memset(&mv, 0, sizeof(mv));
		mv.dst = (uint64_t)(uintptr_t)dst;
		mv.src = (uint64_t)(uintptr_t)src;
		mv.len = sz;
		mv.mode = SW_UFFDIO_MOVE_MODE_DONTWAKE;
		if (ioctl(uffd, SW_UFFDIO_MOVE, &mv) == 0)
			return 0;
		if (errno != EAGAIN || ++tries > 100)
			return -errno;
	}
}

/*
 * The POISON strategy for private anonymous 4 KiB pages.  -EOPNOTSUPP:
 * not this way (nothing was changed; the caller takes the mremap way);
 * other -errno with *why: failed, and the page is back where it was.
 * reload: the memory at hva is not the bad page (journal): poison only.
 */
static int isolate_move(struct seawall_ctx *ctx, const struct sw_region *r, uint8_t *hva,
			bool reload, void **qout, const char **why)
{
	size_t sz = (size_t)r->page_size;
	uint8_t *slot = NULL;
	int uffd, err;

	*qout = NULL;
	if (r->page_size != (uint64_t)sysconf(_SC_PAGESIZE) || (r->flags & SEAWALL_REGION_FILE))
		return -EOPNOTSUPP;
	uffd = uffd_get(ctx, why);
	if (uffd < 0)
		return uffd;
	if (ctx->move_err)
		return -EOPNOTSUPP;
	/* No page there (never touched): nothing to quarantine, poison only. */
	if (!reload && page_mapped_or_swapped(hva)) {
		slot = qa_slot(ctx, uffd, why);
		if (!slot)
			return -EOPNOTSUPP;
		/* Shared, pinned, not exclusive, a THP it cannot split: the other way. */
		if (move_page(uffd, slot, hva, sz))
			return -EOPNOTSUPP;
		ctx->qa_used++;
	}
	err = block_register(r, hva, uffd);
	if (!err)
		err = poison_in_place(uffd, hva, sz);
	if (!err) {
		*qout = slot;
		return 0;
	}
	/*
	 * Put the page back, and let the other way try (EBUSY: the VMM has a
	 * userfaultfd of its own on this memory; a placeholder is a mapping
	 * of ours).  Moving back needs hva registered; else mremap(), which
	 * leaves the slot a hole: it stays taken.
	 */
	if (!slot)
		return -EOPNOTSUPP;
	if (!move_page(uffd, hva, slot, sz)) {
		ctx->qa_used--;
		return -EOPNOTSUPP;
	}
	if (mremap(slot, sz, sz, MREMAP_MAYMOVE | MREMAP_FIXED, hva) != MAP_FAILED)
		return -EOPNOTSUPP;
	sw_log(ctx, SEAWALL_LOG_ERR, "a bad page could not be put back at %p: %s", (void *)hva,
	       strerror(errno));
	*why = "UFFDIO_POISON in place failed";
	return err == -EOPNOTSUPP ? -EINVAL : err;
}

static struct sw_quarantine *quar_find(struct seawall_ctx *ctx, uint64_t gpa)
{
	for (uint32_t i = 0; i < ctx->nquar; i++)
		if (ctx->quar[i].gpa == gpa)
			return &ctx->quar[i];
	return NULL;
}

/*
 * 0: isolated now or before; -errno with *why on failure.  reload: the
 * page is bad from an earlier run (the journal), and the memory now at
 * its address is not the bad page: poison its address, quarantine nothing.
 */
static int isolate_page(struct seawall_ctx *ctx, struct sw_region *r, uint64_t page,
			bool reload, const char **why)
{
	struct sw_quarantine *qe;
	uint8_t *hva = r->hva ? r->hva + (page - r->gpa) : NULL;
	void *q = NULL;
	bool poisoned = false, offlined = false, in_place = false;
	int err;

	if (quar_find(ctx, page))
		return 0;
	if (r->flags & SEAWALL_REGION_DEVICE) {
		*why = "device memory: recorded and injected, not isolated";
		return -EOPNOTSUPP;
	}
	if (ctx->nquar == ctx->quar_cap) {
		uint32_t cap = ctx->quar_cap ? ctx->quar_cap * 2 : 16;
		void *nq = realloc(ctx->quar, cap * sizeof(*ctx->quar));

		if (!nq) {
			*why = "out of memory";
			return -ENOMEM;
		}
		ctx->quar = nq;
		ctx->quar_cap = cap;
	}
	switch (ctx->o.strategy) {
	case SEAWALL_ISOLATE_HWPOISON:
		if (!hva) {
			*why = "region has no host address";
			return -ENODATA;
		}
		atomic_store(&ctx->self_poison_tid, (int)syscall(SYS_gettid));
		atomic_store(&ctx->self_poison_len, r->page_size);
		atomic_store(&ctx->self_poison, (uint64_t)(uintptr_t)hva);
		err = madvise(hva, (size_t)r->page_size, MADV_HWPOISON) < 0 ? -errno : 0;
		atomic_store(&ctx->self_poison, 0);
		if (err) {
			*why = "MADV_HWPOISON failed";
			return err;
		}
		offlined = !reload;
		break;
	case SEAWALL_ISOLATE_MEMSLOT_SPLIT:
		if (can_split(ctx, r)) {
			err = carve(ctx, r, page, why);
			if (err < 0)
				return err;
		}
		if (hva) {
			q = quarantine_move(hva, r->page_size, why);
			if (!q)
				return -errno;
			if (!reload)
				offlined = host_offline(ctx, q, r->page_size);
			mprotect(q, (size_t)r->page_size, PROT_NONE);
			/* Hold the old address so nothing else gets mapped into guest RAM. */
			mmap(hva, (size_t)r->page_size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
		}
		break;
	default:		/* SEAWALL_ISOLATE_POISON */
		/* No host memory here: the VMM keeps the guest from it (0.1 as well). */
		if (!hva)
			break;
		err = isolate_move(ctx, r, hva, reload, &q, why);
		if (!err) {
			if (q)
				offlined = host_offline(ctx, q, r->page_size);
			poisoned = in_place = true;
			break;
		}
		if (err != -EOPNOTSUPP)
			return err;
		*why = NULL;
		if (!reload) {
			q = quarantine_move(hva, r->page_size, why);
			if (!q)
				return -errno;
			offlined = host_offline(ctx, q, r->page_size);
			mprotect(q, (size_t)r->page_size, PROT_NONE);
		}
		err = poison_at(ctx, r, hva, why);
		if (err) {
			if (q)
				quarantine_undo(q, hva, r->page_size);
			return err;
		}
		poisoned = true;
		break;
	}
	qe = &ctx->quar[ctx->nquar++];
	qe->gpa = page;
	qe->size = r->page_size;
	qe->addr = q;
	qe->region = (uint32_t)(r - ctx->regions);
	qe->strategy = ctx->o.strategy;
	qe->poisoned = poisoned;
	qe->offlined = offlined;
	qe->in_place = in_place;
	if (offlined)
		ctx->host_offlined++;
	ctx->st.isolations++;
	return 0;
}

int sw_isolate_locked(struct seawall_ctx *ctx, struct sw_region *r, uint64_t page,
		      const char **why)
{
	return isolate_page(ctx, r, page, false, why);
}

/* Was the bad host page at gpa handed to memory_failure()? */
bool sw_isolate_offlined(struct seawall_ctx *ctx, uint64_t page)
{
	struct sw_quarantine *qe = quar_find(ctx, page);

	return qe && qe->offlined;
}

void sw_isolate_fini(struct seawall_ctx *ctx)
{
	if (ctx->uffd >= 0)
		close(ctx->uffd);
	ctx->uffd = -1;
}

int seawall_ctx_isolate(struct seawall_ctx *ctx, uint64_t gpa)
{
	struct sw_region *r;
	struct sw_lpage *p;
	const char *why = NULL;
	int err;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	r = sw_region_find(ctx, gpa);
	if (!r) {
		err = -ENOENT;
	} else {
		uint64_t page = gpa & ~(r->page_size - 1);

		err = sw_isolate_locked(ctx, r, page, &why);
		p = sw_ledger_find(&ctx->ledger, page);
		if (!err && p)
			p->flags |= SEAWALL_PAGE_ISOLATED;
		if (err)
			sw_log(ctx, SEAWALL_LOG_ERR, "isolating 0x%llx: %s",
			       (unsigned long long)page, why ? why : strerror(-err));
	}
	pthread_mutex_unlock(&ctx->lock);
	return err;
}

/* After a reload: isolate and re-announce every page still bad. */
int seawall_ctx_reisolate(struct seawall_ctx *ctx)
{
	int n = 0, first_err = 0;
	uint32_t outside = 0;
	uint64_t first_outside = 0;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	for (uint32_t i = 0; i < ctx->ledger.n; i++) {
		struct sw_lpage *p = &ctx->ledger.ent[i];
		struct sw_region *r;
		const char *why = NULL;
		int err;

		if (p->flags & (SEAWALL_PAGE_REPLACED | SEAWALL_PAGE_ISOLATED))
			continue;
		r = sw_region_find(ctx, p->gpa);
		if (!r || r->page_shift != p->page_shift) {
			if (!outside++)
				first_outside = p->gpa;
			if (!first_err)
				first_err = -ENOENT;
			continue;
		}
		err = isolate_page(ctx, r, p->gpa, true, &why);
		if (err) {
			sw_log(ctx, SEAWALL_LOG_ERR, "re-isolating 0x%llx: %s",
			       (unsigned long long)p->gpa, why ? why : strerror(-err));
			if (!first_err)
				first_err = err;
			continue;
		}
		p->flags |= SEAWALL_PAGE_ISOLATED;
		if (!(p->flags & SEAWALL_PAGE_ACKED) &&
		    sw_notify_push(&ctx->notify, p->gpa, r->page_size) >= 0)
			p->flags |= SEAWALL_PAGE_NOTIFIED;
		n++;
	}
	/* One line, however many: they may be thousands. */
	if (outside)
		sw_log(ctx, SEAWALL_LOG_WARN,
		       "%u page(s) from the journal (first 0x%llx) match no registered region: "
		       "kept in the journal, not isolated, not counted toward the restart threshold",
		       outside, (unsigned long long)first_outside);
	pthread_mutex_unlock(&ctx->lock);
	return first_err ? first_err : n;
}

/*
 * Fresh anonymous memory at a quarantined page's old address.  For a
 * file-backed region too: the bad page is the file's page at that
 * offset, and punching a hole there (or truncating) would free it to
 * the host while the quarantine mapping still names it; mapping the file
 * there again would read it.  So the file keeps its bad page, held by
 * the quarantine, and the guest gets a private page that is no longer
 * shared through the file.
 */
static int fresh_memory(struct sw_region *r, uint64_t page)
{
	uint8_t *hva = r->hva + (page - r->gpa);
	size_t sz = (size_t)r->page_size;
	int fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	void *m;

	if (r->page_size >= (1ull << 21))
		fl |= MAP_HUGETLB | (int)(r->page_shift << MAP_HUGE_SHIFT);
	m = mmap(hva, sz, PROT_READ | PROT_WRITE, fl, -1, 0);
	return m == MAP_FAILED ? -errno : 0;
}

/* On VM reset: fresh memory at every hole, the memslots made whole again. */
int seawall_ctx_reset(struct seawall_ctx *ctx)
{
	int n = 0, first_err = 0, err = 0;
	bool change;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	/* A restart performed, whatever follows: seawall_restarts_total. */
	ctx->restarts_done++;
	/*
	 * Memslots (MEMSLOT_SPLIT) change only while no other vCPU can run.
	 * Poisoned placeholders need no pause: the fresh mapping replaces the
	 * placeholder and its registration, and KVM's MMU notifier drops the
	 * entries of that 2 MiB block.
	 */
	change = ctx->next_spare != 0;
	for (uint32_t i = 0; i < ctx->nregions && !change; i++)
		change = ctx->regions[i].npieces != 1;
	if (change)
		err = pause_vcpus(ctx);
	if (err) {
		pthread_mutex_unlock(&ctx->lock);
		sw_log(ctx, SEAWALL_LOG_ERR, "reset: cannot pause the other vCPUs: %s",
		       strerror(-err));
		return err;
	}
	for (uint32_t i = 0; i < ctx->nquar; i++) {
		struct sw_region *r = &ctx->regions[ctx->quar[i].region];

		if (!r->hva)
			continue;
		if (ctx->quar[i].in_place)
			/* Drops the poison marker; one stage-2 entry. */
			err = madvise(r->hva + (ctx->quar[i].gpa - r->gpa), (size_t)r->page_size,
				      MADV_DONTNEED) < 0 ? -errno : 0;
		else
			err = fresh_memory(r, ctx->quar[i].gpa);
		if (err && !first_err)
			first_err = err;
		n += !err;
	}
	for (uint32_t i = 0; i < ctx->nregions; i++) {
		struct sw_region *r = &ctx->regions[i];
		struct seawall_memslot whole = {
			.slot = r->slot, .flags = r->slot_flags, .gpa = r->gpa,
			.size = r->size, .hva = (uint64_t)(uintptr_t)r->hva,
		};

		if (r->npieces == 1 && !memcmp(&r->pieces[0], &whole, sizeof(whole)))
			continue;
		if (can_split(ctx, r)) {
			for (uint32_t k = 0; k < r->npieces; k++) {
				struct seawall_memslot d = r->pieces[k];

				d.size = 0;
				err = set_slot(ctx, &d);
				if (err && !first_err)
					first_err = err;
			}
			err = set_slot(ctx, &whole);
			if (err && !first_err)
				first_err = err;
		}
		r->pieces[0] = whole;
		r->npieces = 1;
	}
	if (change)
		resume_vcpus(ctx);
	ctx->next_spare = 0;
	ctx->nquar = 0;
	ctx->live_pages = 0;
	ctx->outside_pages = 0;
	ctx->notify.n = 0;
	change = false;
	for (uint32_t i = 0; i < ctx->ledger.n; i++) {
		struct sw_lpage *p = &ctx->ledger.ent[i];

		if (p->flags & SEAWALL_PAGE_REPLACED)
			continue;
		p->flags = (uint8_t)((p->flags | SEAWALL_PAGE_REPLACED) &
				     ~(SEAWALL_PAGE_ISOLATED | SEAWALL_PAGE_NOTIFIED));
		if (!ctx->journal)
			continue;
		/* One sync for all of them, below. */
		err = sw_journal_append_lpage(ctx->journal, p, false);
		if (err < 0) {
			p->flags |= SW_PAGE_UNSAVED;
			ctx->st.journal_errors++;
			if (!first_err)
				first_err = err;
		}
		change = true;
	}
	if (change && !ctx->o.journal_nosync && (err = seawall_journal_sync(ctx->journal)) < 0) {
		ctx->st.journal_errors++;
		if (!first_err)
			first_err = err;
	}
	pthread_mutex_unlock(&ctx->lock);
	return first_err ? first_err : n;
}
