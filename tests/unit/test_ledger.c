// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The ledger at scale: 10^6 distinct pages, every one found again, none
 * invented, memory per entry within the 64-byte target, the bound
 * enforced.  Uses the internal ledger directly (static library).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "tap.h"

#define N 1000000u

int main(void)
{
	struct sw_ledger l;
	struct sw_lpage *p;
	unsigned int bad = 0, dup = 0;
	int r;

	tap_eq(sw_ledger_init(&l, N), 0, "ledger for %u pages", N);
	/* Pages scattered over 4 TiB of guest space, in a stride that defeats locality. */
	for (uint32_t i = 0; i < N; i++) {
		uint64_t gpa = ((uint64_t)i * 2654435761u % (1u << 30)) << 12;

		r = sw_ledger_insert(&l, gpa, &p);
		if (r != 1)
			dup++;
		else
			p->hits = i + 1;
	}
	tap_eq(dup, 0, "%u distinct inserts", N);
	tap_eq(l.n, N, "count");
	for (uint32_t i = 0; i < N; i++) {
		uint64_t gpa = ((uint64_t)i * 2654435761u % (1u << 30)) << 12;

		p = sw_ledger_find(&l, gpa);
		if (!p || p->gpa != gpa || p->hits != i + 1)
			bad++;
	}
	tap_eq(bad, 0, "every page found with its data");
	bad = 0;
	for (uint32_t i = 0; i < 100000; i++)
		if (sw_ledger_find(&l, ((uint64_t)(1u << 30) + i) << 12))
			bad++;
	tap_eq(bad, 0, "no page found that was never inserted");
	tap_eq(sw_ledger_insert(&l, 0x7ffff000ull << 20, &p), -ENOSPC, "past the bound: -ENOSPC");
	r = sw_ledger_insert(&l, 0, &p);
	tap_eq(r, 0, "re-inserting a known page finds it");
	{
		double per = (double)sw_ledger_bytes(&l) / N;

		tap_ok(per <= 64.0, "%.1f bytes per entry at %u entries (target <= 64)", per, N);
	}
	sw_ledger_fini(&l);

	tap_eq(sw_ledger_init(&l, 3), 0, "a tiny ledger");
	for (int i = 0; i < 3; i++)
		sw_ledger_insert(&l, (uint64_t)i << 12, &p);
	tap_eq(sw_ledger_insert(&l, 9ull << 12, &p), -ENOSPC, "bound of 3 enforced");
	sw_ledger_fini(&l);
	return tap_done();
}
