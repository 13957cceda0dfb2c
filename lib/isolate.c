// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * Isolation.  Default (quarantine): the page is cut out of its KVM memslot
 * so the guest can no longer reach it (a later access exits as MMIO/NISV
 * and is turned back into an SEA), and the host page is moved with mremap
 * to a PROT_NONE quarantine mapping so it is neither read by the VMM nor
 * freed to the host.  A PROT_NONE placeholder keeps its old address from
 * being reused by a later mmap.  With privilege the page may instead be
 * handed to the host's memory_failure() with MADV_HWPOISON.
 */
#include <errno.h>
#include <fcntl.h>
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
	       ((ctx->o.memslot_ops && ctx->o.memslot_ops->set) || ctx->o.vm_fd > 0);
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

static void *quarantine(void *hva, uint64_t size, const char **why)
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
	if (mremap(hva, sz, sz, MREMAP_MAYMOVE | MREMAP_FIXED, q) == MAP_FAILED) {
		int e = errno;

		munmap(q, sz);
		errno = e;
		*why = "mremap to quarantine failed";
		return NULL;
	}
	mprotect(q, sz, PROT_NONE);
	/* Hold the old address so nothing else gets mapped into guest RAM. */
	mmap(hva, sz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	return q;
}

static struct sw_quarantine *quar_find(struct seawall_ctx *ctx, uint64_t gpa)
{
	for (uint32_t i = 0; i < ctx->nquar; i++)
		if (ctx->quar[i].gpa == gpa)
			return &ctx->quar[i];
	return NULL;
}

/* 0: isolated now or before; -errno with *why on failure. */
int sw_isolate_locked(struct seawall_ctx *ctx, struct sw_region *r, uint64_t page,
		      const char **why)
{
	struct sw_quarantine *qe;
	void *hva = r->hva ? r->hva + (page - r->gpa) : NULL;
	void *q = NULL;
	int err;

	if (quar_find(ctx, page))
		return 0;
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
	if (ctx->o.strategy == SEAWALL_ISOLATE_HWPOISON) {
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
	} else {
		if (can_split(ctx, r)) {
			err = carve(ctx, r, page, why);
			if (err < 0)
				return err;
		}
		if (hva) {
			q = quarantine(hva, r->page_size, why);
			if (!q)
				return -errno;
		}
	}
	qe = &ctx->quar[ctx->nquar++];
	qe->gpa = page;
	qe->size = r->page_size;
	qe->addr = q;
	qe->region = (uint32_t)(r - ctx->regions);
	qe->strategy = ctx->o.strategy;
	ctx->st.isolations++;
	return 0;
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
		err = sw_isolate_locked(ctx, r, p->gpa, &why);
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
	/* Nothing changes unless no other vCPU can run meanwhile. */
	change = ctx->nquar || ctx->next_spare;
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
