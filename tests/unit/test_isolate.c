// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * SEAWALL_ISOLATE_MEMSLOT_SPLIT without KVM: the memslot split arithmetic, the exact
 * KVM_SET_USER_MEMORY_REGION sequence issued through a recording
 * memslot_ops, the host page moved to a PROT_NONE quarantine (its old
 * address kept reserved), running out of spare slot ids, and reset giving
 * fresh memory and whole memslots back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <seawall.h>
#include "tap.h"

#define PG 4096ull
#define BASE 0x40000000ull

static struct seawall_memslot calls[32];
static int ncalls;
/* The vCPU pause hooks: how often, and memslot changes made unpaused. */
static int paused, npause, nresume, unpaused_sets, pause_err;

static int rec_set(void *arg, const struct seawall_memslot *s)
{
	(void)arg;
	if (ncalls < 32)
		calls[ncalls] = *s;
	ncalls++;
	unpaused_sets += !paused;
	return 0;
}

static int rec_pause(void *arg)
{
	(void)arg;
	if (pause_err)
		return pause_err;
	npause++;
	paused++;
	return 0;
}

static void rec_resume(void *arg)
{
	(void)arg;
	nresume++;
	paused--;
}

static int is_call(int i, uint32_t slot, uint64_t gpa, uint64_t size, uint64_t hva)
{
	return i < ncalls && calls[i].slot == slot && calls[i].size == size &&
	       (!size || (calls[i].gpa == gpa && calls[i].hva == hva));
}

/* The permissions /proc/self/maps shows for addr, e.g. "---p". */
static int perms_of(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];
	int found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
		    (unsigned long)addr >= lo && (unsigned long)addr < hi) {
			found = 1;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static int isolate_failed;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	isolate_failed += ev->type == SEAWALL_EV_ISOLATE_FAILED;
}

int main(void)
{
	struct seawall_memslot s = { .slot = 3, .flags = 1, .gpa = BASE, .size = 16 * PG,
				     .hva = 0x7f0000000000ull }, out[2];
	struct seawall_memslot_ops ops = { .sz = sizeof(ops), .set = rec_set,
					   .pause = rec_pause, .resume = rec_resume };
	struct seawall_memslot_ops half = { .sz = sizeof(half), .set = rec_set, .pause = rec_pause };
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct seawall_outcome oc;
	struct seawall_ctx *ctx;
	uint8_t *mem;
	char perms[5];
	int n;

	n = seawall_memslot_split(&s, BASE + 5 * PG, PG, 9, out);
	tap_ok(n == 2 && out[0].slot == 3 && out[0].gpa == BASE && out[0].size == 5 * PG &&
	       out[0].hva == s.hva && out[0].flags == 1 &&
	       out[1].slot == 9 && out[1].gpa == BASE + 6 * PG && out[1].size == 10 * PG &&
	       out[1].hva == s.hva + 6 * PG && out[1].flags == 1,
	       "hole in the middle: left keeps the id, right takes the new one");
	n = seawall_memslot_split(&s, BASE, PG, 9, out);
	tap_ok(n == 1 && out[0].slot == 3 && out[0].gpa == BASE + PG && out[0].size == 15 * PG &&
	       out[0].hva == s.hva + PG, "hole at the start: one piece, same id");
	n = seawall_memslot_split(&s, BASE + 15 * PG, PG, 9, out);
	tap_ok(n == 1 && out[0].slot == 3 && out[0].size == 15 * PG, "hole at the end: one piece");
	tap_eq(seawall_memslot_split(&s, BASE, 16 * PG, 9, out), 0, "hole over everything: none");
	n = seawall_memslot_split(&s, BASE + 4 * PG, 2 * PG, 9, out);
	tap_ok(n == 2 && out[0].size == 4 * PG && out[1].gpa == BASE + 6 * PG, "two-page hole");
	tap_eq(seawall_memslot_split(&s, BASE + 16 * PG, PG, 9, out), -ERANGE, "hole past the end");
	tap_eq(seawall_memslot_split(&s, BASE - PG, 2 * PG, 9, out), -ERANGE, "hole across the start");
	tap_eq(seawall_memslot_split(&s, BASE + 0x800, PG, 9, out), -EINVAL, "unaligned hole");
	tap_eq(seawall_memslot_split(&s, BASE + 5 * PG, PG, 3, out), -EINVAL, "new id equal to the old");

	mem = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		tap_skip_all("no memory");
	memset(mem, 0xaa, 16 * PG);
	o.memslot_ops = &half;
	errno = 0;
	tap_ok(!seawall_ctx_new(&o) && errno == EINVAL, "pause without resume: EINVAL");
	o.strategy = SEAWALL_ISOLATE_MEMSLOT_SPLIT;	/* 0.1's default, now chosen */
	o.memslot_ops = &ops;
	o.spare_slot_base = 10;
	o.spare_slot_count = 1;
	o.event_fn = on_event;
	ctx = seawall_ctx_new(&o);
	ro.gpa = BASE;
	ro.size = 16 * PG;
	ro.hva = mem;
	ro.slot = 0;
	ro.slot_flags = 0;
	seawall_region_add(ctx, &ro);

	seawall_ctx_handle_test(ctx, BASE + 5 * PG + 8, &oc);
	tap_ok(oc.actions & SEAWALL_ACT_ISOLATE, "page 5 isolated");
	tap_ok(ncalls == 3 && is_call(0, 0, 0, 0, 0) &&
	       is_call(1, 0, BASE, 5 * PG, (uintptr_t)mem) &&
	       is_call(2, 10, BASE + 6 * PG, 10 * PG, (uintptr_t)(mem + 6 * PG)),
	       "memslots: delete 0, add 0 = [0,5), add spare 10 = [6,16)");
	tap_ok(npause == 1 && nresume == 1 && !paused && !unpaused_sets,
	       "the other vCPUs paused once around the split (%d/%d, %d unpaused)",
	       npause, nresume, unpaused_sets);
	tap_ok(perms_of(mem + 5 * PG, perms) && !strcmp(perms, "---p"),
	       "the old host address is reserved PROT_NONE (%s)", perms);
	tap_ok(mem[4 * PG] == 0xaa && mem[6 * PG] == 0xaa, "neighbours untouched");

	ncalls = 0;
	npause = nresume = 0;
	seawall_ctx_handle_test(ctx, BASE + 5 * PG, &oc);
	tap_ok(ncalls == 0 && npause == 0, "the same page again: no memslot change, no pause");
	pause_err = -EBUSY;
	isolate_failed = 0;
	seawall_ctx_handle_test(ctx, BASE + 6 * PG, &oc);
	tap_ok((oc.actions & SEAWALL_ACT_ISOLATE_FAILED) && oc.reason &&
	       strstr(oc.reason, "pause") && isolate_failed == 1 && ncalls == 0,
	       "the vCPUs cannot be paused: isolation fails, memslots untouched (%s)",
	       oc.reason ? oc.reason : "-");
	pause_err = 0;
	isolate_failed = 0;
	/* Page 6 is in the ledger now, not isolated; reset replaces it. */
	ncalls = 0;
	seawall_ctx_handle_test(ctx, BASE + 9 * PG, &oc);
	tap_ok((oc.actions & SEAWALL_ACT_ISOLATE_FAILED) && !(oc.actions & SEAWALL_ACT_ISOLATE) &&
	       oc.reason && strstr(oc.reason, "spare") && isolate_failed == 1 && ncalls == 0,
	       "no spare slot id left: isolation fails, reported, memslots untouched");
	seawall_ctx_handle_test(ctx, BASE + 15 * PG, &oc);
	tap_ok((oc.actions & SEAWALL_ACT_ISOLATE) && ncalls == 2 && is_call(0, 10, 0, 0, 0) &&
	       is_call(1, 10, BASE + 6 * PG, 9 * PG, (uintptr_t)(mem + 6 * PG)),
	       "page 15, at a slot's end: shrink slot 10 without a new id");
	tap_eq(seawall_ledger_check_range(ctx, BASE + 5 * PG - 1, 2), -EHWPOISON,
	       "a VMM access straddling page 5 is refused");
	tap_eq(seawall_ledger_check_range(ctx, BASE, 5 * PG), 0, "pages 0-4 are fine");

	tap_ok(npause == 1 && nresume == 1 && !unpaused_sets, "paused around the shrink");

	ncalls = 0;
	npause = nresume = 0;
	n = seawall_ctx_reset(ctx);
	tap_eq(n, 2, "reset gives fresh memory to the 2 quarantined pages");
	tap_ok(ncalls == 3 && is_call(0, 0, 0, 0, 0) && is_call(1, 10, 0, 0, 0) &&
	       is_call(2, 0, BASE, 16 * PG, (uintptr_t)mem), "the memslot is whole again");
	tap_ok(npause == 1 && nresume == 1 && !paused && !unpaused_sets,
	       "the vCPUs paused once around the reset's memslot changes");
	ncalls = 0;
	npause = 0;
	tap_eq(seawall_ctx_reset(ctx), 0, "a second reset: nothing to give back");
	tap_ok(ncalls == 0 && npause == 0, "and no memslot change, no pause");
	tap_ok(mem[5 * PG] == 0 && mem[15 * PG] == 0 && mem[4 * PG] == 0xaa,
	       "fresh pages read zero, the rest kept its data");
	tap_eq(seawall_ledger_check_range(ctx, BASE, 16 * PG), 0, "nothing poisoned after reset");
	seawall_ctx_handle_test(ctx, BASE + 5 * PG, &oc);
	tap_ok((oc.actions & SEAWALL_ACT_NEW_PAGE) && (oc.actions & SEAWALL_ACT_ISOLATE),
	       "the same GPA failing again after reset is a new poisoning");
	seawall_ctx_free(ctx);
	return tap_done();
}
