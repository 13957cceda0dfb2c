// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/* Guest memory regions, and the ledger and notification queries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const uint64_t page_sizes[] = {
	1ull << 12, 1ull << 14, 1ull << 16, 1ull << 21, 1ull << 25, 1ull << 29, 1ull << 30,
};

static int page_shift_of(uint64_t ps)
{
	for (size_t i = 0; i < SW_ARRAY_SIZE(page_sizes); i++)
		if (page_sizes[i] == ps)
			return __builtin_ctzll(ps);
	return -1;
}

int seawall_region_add(struct seawall_ctx *ctx, const struct seawall_region_opts *opts)
{
	struct seawall_region_opts o;
	struct sw_region *r, *regions;
	uint64_t ps;
	int shift, err;

	if (!ctx || !opts)
		return -EINVAL;
	err = sw_opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	ps = o.page_size ? o.page_size : 4096;
	shift = page_shift_of(ps);
	if (shift < 0 || !o.size || (o.gpa | o.size) & (ps - 1) ||
	    ((uintptr_t)o.hva & (ps - 1)) || o.gpa + o.size < o.gpa ||
	    (o.flags & ~(SEAWALL_REGION_FILE | SEAWALL_REGION_NO_SLOT | SEAWALL_REGION_DEVICE)) ||
	    ((o.flags & SEAWALL_REGION_FILE) && (o.fd < 0 || (o.offset & (ps - 1)))))
		return -EINVAL;

	pthread_mutex_lock(&ctx->lock);
	for (uint32_t i = 0; i < ctx->nregions; i++) {
		r = &ctx->regions[i];
		if (o.gpa < r->gpa + r->size && r->gpa < o.gpa + o.size) {
			err = -EEXIST;
			goto out;
		}
		if (!(o.flags & SEAWALL_REGION_NO_SLOT) && !(r->flags & SEAWALL_REGION_NO_SLOT) &&
		    r->slot == o.slot) {
			err = -EEXIST;
			goto out;
		}
	}
	regions = realloc(ctx->regions, (ctx->nregions + 1) * sizeof(*regions));
	if (!regions) {
		err = -ENOMEM;
		goto out;
	}
	ctx->regions = regions;
	r = &regions[ctx->nregions];
	memset(r, 0, sizeof(*r));
	r->pieces = malloc(sizeof(*r->pieces));
	if (!r->pieces) {
		err = -ENOMEM;
		goto out;
	}
	r->gpa = o.gpa;
	r->size = o.size;
	r->hva = o.hva;
	r->page_size = ps;
	r->page_shift = (uint32_t)shift;
	r->slot = o.slot;
	r->slot_flags = o.slot_flags;
	r->flags = o.flags;
	r->fd = (o.flags & SEAWALL_REGION_FILE) ? o.fd : -1;
	r->offset = o.offset;
	r->pieces[0] = (struct seawall_memslot){
		.slot = o.slot, .flags = o.slot_flags, .gpa = o.gpa, .size = o.size,
		.hva = (uint64_t)(uintptr_t)o.hva,
	};
	r->npieces = 1;
	err = (int)ctx->nregions++;
	sw_recount_locked(ctx);
out:
	pthread_mutex_unlock(&ctx->lock);
	return err;
}

int seawall_region_gpa_to_hva(struct seawall_ctx *ctx, uint64_t gpa, void **hva,
			      uint64_t *page_size)
{
	struct sw_region *r;
	int err = 0;

	if (!ctx || !hva)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	r = sw_region_find(ctx, gpa);
	if (!r || !r->hva) {
		err = r ? -ENODATA : -ENOENT;
	} else {
		*hva = r->hva + (gpa - r->gpa);
		if (page_size)
			*page_size = r->page_size;
	}
	pthread_mutex_unlock(&ctx->lock);
	return err;
}

int seawall_region_hva_to_gpa(struct seawall_ctx *ctx, const void *hva, uint64_t *gpa,
			      uint64_t *page_size)
{
	uintptr_t a = (uintptr_t)hva;
	int err = -ENOENT;

	if (!ctx || !gpa)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	for (uint32_t i = 0; i < ctx->nregions; i++) {
		struct sw_region *r = &ctx->regions[i];
		uintptr_t base = (uintptr_t)r->hva;

		if (r->hva && a >= base && a - base < r->size) {
			*gpa = r->gpa + (a - base);
			if (page_size)
				*page_size = r->page_size;
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	return err;
}

/*
 * Bad pages still live (not replaced), split by whether a registered
 * region holds them at their own page size.  Those of a journal that no
 * region holds (the VM's memory map changed) stay in the ledger and the
 * journal but do not count toward the restart threshold: they are not
 * this VM's memory.
 */
void sw_recount_locked(struct seawall_ctx *ctx)
{
	uint32_t in = 0, out = 0;

	for (uint32_t i = 0; i < ctx->ledger.n; i++) {
		const struct sw_lpage *p = &ctx->ledger.ent[i];
		const struct sw_region *r;

		if (p->flags & SEAWALL_PAGE_REPLACED)
			continue;
		r = sw_region_find(ctx, p->gpa);
		if (r && r->page_shift == p->page_shift)
			in++;
		else
			out++;
	}
	ctx->live_pages = in;
	ctx->outside_pages = out;
}

/* The ledger entry covering gpa: aligned by its region, else by every size. */
static struct sw_lpage *lookup_locked(struct seawall_ctx *ctx, uint64_t gpa)
{
	struct sw_region *r = sw_region_find(ctx, gpa);
	struct sw_lpage *p;

	if (r)
		return sw_ledger_find(&ctx->ledger, gpa & ~(r->page_size - 1));
	for (size_t i = 0; i < SW_ARRAY_SIZE(page_sizes); i++) {
		p = sw_ledger_find(&ctx->ledger, gpa & ~(page_sizes[i] - 1));
		if (p && p->page_shift == __builtin_ctzll(page_sizes[i]))
			return p;
	}
	return NULL;
}

int seawall_ledger_lookup(struct seawall_ctx *ctx, uint64_t gpa, struct seawall_page *page)
{
	struct sw_lpage *p;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	p = lookup_locked(ctx, gpa);
	if (p && page)
		sw_page_export(p, page);
	pthread_mutex_unlock(&ctx->lock);
	return p ? 0 : -ENOENT;
}

int seawall_ledger_count(struct seawall_ctx *ctx)
{
	int n;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	n = (int)ctx->ledger.n;
	pthread_mutex_unlock(&ctx->lock);
	return n;
}

/*
 * The callback runs on a snapshot, without the lock, so it may call the
 * library (seawall_ctx_isolate(), for one).
 */
int seawall_ledger_foreach(struct seawall_ctx *ctx, seawall_page_fn fn, void *arg)
{
	struct seawall_page *snap;
	uint32_t n;
	int r = 0;

	if (!ctx || !fn)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	n = ctx->ledger.n;
	snap = malloc((n ? n : 1) * sizeof(*snap));
	if (snap)
		for (uint32_t i = 0; i < n; i++)
			sw_page_export(&ctx->ledger.ent[i], &snap[i]);
	pthread_mutex_unlock(&ctx->lock);
	if (!snap)
		return -ENOMEM;
	for (uint32_t i = 0; i < n && !r; i++)
		r = fn(&snap[i], arg);
	free(snap);
	return r ? r : (int)n;
}

static bool live(const struct sw_lpage *p)
{
	return p && !(p->flags & SEAWALL_PAGE_REPLACED);
}

/*
 * -EHWPOISON when [gpa, gpa + len) touches a poisoned page.  The range
 * is kept as [gpa, last] so that nothing wraps at the top of the space,
 * and the cost is the smaller of two bounded walks: every ledger entry,
 * or every page-aligned address of the range at each page size a ledger
 * entry can have (4 KiB to 1 GiB), about 2 * len / 4 KiB lookups.
 */
int seawall_ledger_check_range(struct seawall_ctx *ctx, uint64_t gpa, uint64_t len)
{
	uint64_t last;
	int err = 0;

	if (!ctx || (len && len - 1 > UINT64_MAX - gpa))
		return -EINVAL;
	if (!len)
		return 0;
	last = gpa + (len - 1);
	pthread_mutex_lock(&ctx->lock);
	if ((len - 1) / 4096 / 2 >= ctx->ledger.n) {
		for (uint32_t i = 0; i < ctx->ledger.n && !err; i++) {
			const struct sw_lpage *p = &ctx->ledger.ent[i];
			uint64_t p_last = p->gpa + ((1ull << p->page_shift) - 1);

			if (live(p) && p->gpa <= last && gpa <= p_last)
				err = -EHWPOISON;
		}
	} else {
		for (unsigned int shift = 12; shift <= 30 && !err; shift++) {
			uint64_t mask = (1ull << shift) - 1;

			for (uint64_t a = gpa & ~mask;; a += mask + 1) {
				const struct sw_lpage *p = sw_ledger_find(&ctx->ledger, a);

				if (live(p) && p->page_shift == shift) {
					err = -EHWPOISON;
					break;
				}
				if (a >= (last & ~mask))
					break;		/* the last page: a + size may be 2^64 */
			}
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	return err;
}

int seawall_notify_peek(struct seawall_ctx *ctx, struct seawall_notice *out, size_t max)
{
	uint32_t n;

	if (!ctx || (!out && max))
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	n = ctx->notify.n;
	if (n > max)
		n = (uint32_t)max;
	if (n)
		memcpy(out, ctx->notify.ring, n * sizeof(*out));
	n = ctx->notify.n;
	pthread_mutex_unlock(&ctx->lock);
	return (int)n;
}

static void mark_acked(struct seawall_ctx *ctx, uint64_t gpa)
{
	struct sw_lpage *p = lookup_locked(ctx, gpa);

	if (p && !(p->flags & SEAWALL_PAGE_ACKED))
		p->flags |= SEAWALL_PAGE_ACKED | SW_PAGE_UNSAVED;
}

int seawall_notify_ack_gpa(struct seawall_ctx *ctx, uint64_t gpa)
{
	int r;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	r = sw_notify_ack_gpa(&ctx->notify, gpa);
	if (r > 0) {
		mark_acked(ctx, gpa);
		r = 0;
	}
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

int seawall_notify_ack_seq(struct seawall_ctx *ctx, uint64_t seq)
{
	int r;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	for (uint32_t i = 0; i < ctx->notify.n && ctx->notify.ring[i].seq <= seq; i++)
		if (seq < ctx->notify.next_seq)
			mark_acked(ctx, ctx->notify.ring[i].gpa);
	r = sw_notify_ack_seq(&ctx->notify, seq);
	pthread_mutex_unlock(&ctx->lock);
	return r;
}
