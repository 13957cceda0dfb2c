// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
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
	    (o.flags & ~(SEAWALL_REGION_FILE | SEAWALL_REGION_NO_SLOT)) ||
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

/* -EHWPOISON when [gpa, gpa + len) touches a poisoned page. */
int seawall_ledger_check_range(struct seawall_ctx *ctx, uint64_t gpa, uint64_t len)
{
	int err = 0;

	if (!ctx || gpa + len < gpa)
		return -EINVAL;
	if (!len)
		return 0;
	pthread_mutex_lock(&ctx->lock);
	if (ctx->ledger.n < 64 || len / 4096 > ctx->ledger.n) {
		for (uint32_t i = 0; i < ctx->ledger.n && !err; i++) {
			const struct sw_lpage *p = &ctx->ledger.ent[i];
			uint64_t sz = 1ull << p->page_shift;

			if (live(p) && p->gpa < gpa + len && gpa < p->gpa + sz)
				err = -EHWPOISON;
		}
	} else {
		uint64_t a = gpa;

		while (a < gpa + len && !err) {
			struct sw_region *r = sw_region_find(ctx, a);
			uint64_t ps = r ? r->page_size : 4096;

			if (r && live(sw_ledger_find(&ctx->ledger, a & ~(ps - 1))))
				err = -EHWPOISON;
			a = (a & ~(ps - 1)) + ps;
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

	if (p)
		p->flags |= SEAWALL_PAGE_ACKED;
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
