// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * seawall_ledger_check_range() against a model.  The input names up to
 * 200 ledger entries (any page size from 4 KiB to 1 GiB, aligned, some at
 * the very top of the 64-bit space, some replaced) and then a list of
 * ranges (some ending at or past 2^64, some tiny, some huge).
 *
 * Properties: the answer is exactly what 128-bit arithmetic over every
 * live entry says (-EINVAL past 2^64, 0 for an empty range, -EHWPOISON
 * iff a live entry intersects); for ranges of up to 64 pages it also
 * agrees with a walk over each 4 KiB page of the range; so nothing wraps,
 * and whichever walk the library picks (entries or range) gives the same.
 */
#include <errno.h>

#include "internal.h"
#include "fuzz.h"

#define MAX_ENT	200

typedef unsigned __int128 u128;

struct ent {
	uint64_t gpa;
	unsigned int shift;
	bool live;
};

static int model(const struct ent *e, unsigned int n, uint64_t gpa, uint64_t len)
{
	u128 lo = gpa, hi = (u128)gpa + len;

	if (hi > ((u128)1 << 64))
		return -EINVAL;
	if (!len)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		u128 elo = e[i].gpa, ehi = elo + ((u128)1 << e[i].shift);

		if (e[i].live && elo < hi && lo < ehi)
			return -EHWPOISON;
	}
	return 0;
}

/* Each 4 KiB page of the range, and each entry that could hold it. */
static int brute(const struct ent *e, unsigned int n, uint64_t gpa, uint64_t len)
{
	u128 end = (u128)gpa + len;

	if (!len)
		return 0;
	for (u128 a = gpa & ~(u128)0xfff; a < end; a += 4096)
		for (unsigned int i = 0; i < n; i++) {
			u128 elo = e[i].gpa, ehi = elo + ((u128)1 << e[i].shift);

			if (e[i].live && elo <= a && a < ehi)
				return -EHWPOISON;
		}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct ent *e = calloc(MAX_ENT, sizeof(*e));
	struct seawall_ctx *ctx = seawall_ctx_new(NULL);
	unsigned int n = (unsigned int)fuzz_take(&in, 1) % (MAX_ENT + 1), k = 0;

	fuzz_check(ctx && e, "context");
	for (unsigned int i = 0; i < n; i++) {
		uint64_t raw = fuzz_take(&in, 8);
		unsigned int sel = (unsigned int)fuzz_take(&in, 1);
		unsigned int shift = 12 + (sel & 0x1f) % 19;
		uint64_t mask = (1ull << shift) - 1;
		struct sw_lpage *p;
		int r;

		/* Bit 7: near the top of the space; bit 6: replaced (not live). */
		if (sel & 0x80)
			raw = ~0ull - (raw & 0xffffffffull);
		raw &= ~mask;
		r = sw_ledger_insert(&ctx->ledger, raw, &p);
		fuzz_check(r >= 0, "insert: %d", r);
		if (r == 0)
			continue;	/* the same address again: keep the first */
		p->page_shift = (uint8_t)shift;
		if (sel & 0x40)
			p->flags |= SEAWALL_PAGE_REPLACED;
		e[k].gpa = raw;
		e[k].shift = shift;
		e[k].live = !(sel & 0x40);
		k++;
	}
	while (in.n) {
		uint64_t gpa = fuzz_take(&in, 8), len = fuzz_take(&in, 8);
		unsigned int mode = (unsigned int)fuzz_take(&in, 1);
		int got, want;

		if (mode & 1)			/* ending near 2^64 */
			gpa = ~0ull - (gpa & 0xffffffull);
		if (mode & 2)			/* small */
			len &= 0x3ffff;
		if (mode & 4 && k)		/* around an entry */
			gpa = e[(gpa >> 32) % k].gpa + (uint64_t)(int16_t)gpa;
		if (mode & 8)			/* up to the very top, or one past it */
			len = ~0ull - gpa + ((mode & 16) ? 2 : 1);
		got = seawall_ledger_check_range(ctx, gpa, len);
		want = model(e, k, gpa, len);
		fuzz_check(got == want, "check_range(0x%llx, 0x%llx) = %d, model %d, %u entries",
			   (unsigned long long)gpa, (unsigned long long)len, got, want, k);
		if (want != -EINVAL && len <= 64 * 4096)
			fuzz_check(got == brute(e, k, gpa, len), "check_range(0x%llx, 0x%llx) = %d, "
				   "page walk differs", (unsigned long long)gpa,
				   (unsigned long long)len, got);
	}
	seawall_ctx_free(ctx);
	free(e);
	return 0;
}
