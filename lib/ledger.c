// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The ledger: distinct bad pages, keyed by the page-aligned guest physical
 * address of the backing page.  Entries live in a dense array (48 bytes
 * each) that only grows; a separate table of 32-bit indices, kept at most
 * half full, is probed linearly.  Nothing is ever deleted: a bad page stays
 * bad for the life of the VM.  About 56 bytes per entry at 10^6 entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

_Static_assert(sizeof(struct sw_lpage) == 48, "ledger entry grew");

static inline uint32_t slot_of(uint64_t gpa, uint32_t bits)
{
	/* Fibonacci hashing of the page frame number. */
	return (uint32_t)(((gpa >> 12) * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

int sw_ledger_init(struct sw_ledger *l, uint32_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
	l->idx_bits = 7;
	l->idx = calloc(1u << l->idx_bits, sizeof(*l->idx));
	return l->idx ? 0 : -ENOMEM;
}

void sw_ledger_fini(struct sw_ledger *l)
{
	free(l->ent);
	free(l->idx);
	memset(l, 0, sizeof(*l));
}

struct sw_lpage *sw_ledger_find(const struct sw_ledger *l, uint64_t gpa)
{
	uint32_t mask = (1u << l->idx_bits) - 1;
	uint32_t i = slot_of(gpa, l->idx_bits);

	for (;; i = (i + 1) & mask) {
		uint32_t e = l->idx[i];

		if (!e)
			return NULL;
		if (l->ent[e - 1].gpa == gpa)
			return &l->ent[e - 1];
	}
}

static void place(uint32_t *idx, uint32_t bits, uint64_t gpa, uint32_t e)
{
	uint32_t mask = (1u << bits) - 1;
	uint32_t i = slot_of(gpa, bits);

	while (idx[i])
		i = (i + 1) & mask;
	idx[i] = e;
}

static int grow_index(struct sw_ledger *l)
{
	uint32_t bits = l->idx_bits + 1;
	uint32_t *idx = calloc(1u << bits, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (uint32_t e = 0; e < l->n; e++)
		place(idx, bits, l->ent[e].gpa, e + 1);
	free(l->idx);
	l->idx = idx;
	l->idx_bits = bits;
	return 0;
}

/* 1: inserted, 0: already there, -ENOSPC: at the bound, -ENOMEM. */
int sw_ledger_insert(struct sw_ledger *l, uint64_t gpa, struct sw_lpage **out)
{
	struct sw_lpage *p = sw_ledger_find(l, gpa);
	int err;

	if (p) {
		*out = p;
		return 0;
	}
	if (l->n >= l->max)
		return -ENOSPC;
	if (l->n == l->ent_cap) {
		uint32_t cap = l->ent_cap ? l->ent_cap * 2 : 64;
		void *ent;

		if (cap > l->max)
			cap = l->max;
		ent = realloc(l->ent, (size_t)cap * sizeof(*l->ent));
		if (!ent)
			return -ENOMEM;
		l->ent = ent;
		l->ent_cap = cap;
	}
	if ((uint64_t)(l->n + 1) * 2 > (1ull << l->idx_bits)) {
		err = grow_index(l);
		if (err)
			return err;
	}
	p = &l->ent[l->n];
	memset(p, 0, sizeof(*p));
	p->gpa = gpa;
	l->n++;
	place(l->idx, l->idx_bits, gpa, l->n);
	*out = p;
	return 1;
}

size_t sw_ledger_bytes(const struct sw_ledger *l)
{
	return (size_t)l->ent_cap * sizeof(*l->ent) +
	       ((size_t)1 << l->idx_bits) * sizeof(*l->idx);
}

void sw_page_export(const struct sw_lpage *in, struct seawall_page *out)
{
	memset(out, 0, sizeof(*out));
	out->gpa = in->gpa;
	out->gva = in->gva;
	out->first_ns = in->first_ns;
	out->last_ns = in->last_ns;
	out->esr = in->esr;
	out->hits = in->hits;
	out->actions = in->actions;
	out->source = in->source;
	out->guest_el = in->guest_el;
	out->page_shift = in->page_shift;
	out->flags = in->flags & SW_PAGE_PUBLIC;
}
