// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * A program from libseawall 0.1's time: built against the 0.1 header
 * (tests/abi/include-0.1) and linked against a 0.1 link-time library, so
 * it binds to name@LIBSEAWALL_0.1, then run against today's library.  It
 * passes 0.1-sized structs with a guard pattern right after each: the 0.2
 * function, reached without lib/compat.c, would write its new members over
 * the guard (an overflow of the caller's stack) or read it as reserved
 * space.  No KVM: strategy NONE, anonymous memory, handle_test and an AO.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <seawall.h>

#include "tap.h"

#if SEAWALL_VERSION_MINOR != 1
#error "abi01 must be built against the 0.1 header (tests/abi/include-0.1)"
#endif

#define GUARD_BYTE	0xa5
#define GUARD_LEN	128
#define RAM_GPA		0x40000000ull
#define RAM_SIZE	(16 * 4096ull)

/* Each 0.1 struct with a guard after it, filled with the pattern. */
#define GUARDED(T) struct { T v; unsigned char guard[GUARD_LEN]; }

static void guard_fill(void *p, size_t len)
{
	memset(p, GUARD_BYTE, len);
}

static int guard_intact(const unsigned char *g)
{
	for (size_t i = 0; i < GUARD_LEN; i++)
		if (g[i] != GUARD_BYTE)
			return 0;
	return 1;
}

static int replay_seen;
static struct seawall_page replay_page;

static int on_replay(const struct seawall_page *page, void *arg)
{
	(void)arg;
	/* A 0.2 struct whose 0.1 part is this program's whole struct. */
	replay_page = *page;
	replay_seen++;
	return 0;
}

int main(void)
{
	GUARDED(struct seawall_outcome) out;
	GUARDED(struct seawall_stats) st;
	GUARDED(struct seawall_page) pg;
	GUARDED(struct seawall_page) rec;
	struct seawall_journal_stats jst;
	struct seawall_journal *j;
	struct seawall_ctx *ctx;
	char jpath[] = "/tmp/seawall-abi01.XXXXXX";
	uint64_t gpa = RAM_GPA + 5 * 4096 + 0x123;
	unsigned char *ram;
	int fd, r;

	tap_eq(sizeof(out.v), 48, "0.1 seawall_outcome is 48 bytes (LP64)");
	tap_eq(sizeof(st.v), 128, "0.1 seawall_stats is 128 bytes");
	tap_eq(sizeof(pg.v), 48, "0.1 seawall_page is 48 bytes");

	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		tap_skip_all("no anonymous memory");

	SEAWALL_OPTS(seawall_ctx_opts, o);
	o.vm_fd = -1;
	o.strategy = SEAWALL_ISOLATE_NONE;
	ctx = seawall_ctx_new(&o);
	if (!tap_ok(ctx != NULL, "seawall_ctx_new with a 0.1-sized opts"))
		return 1;

	SEAWALL_OPTS(seawall_region_opts, ro);
	ro.gpa = RAM_GPA;
	ro.size = RAM_SIZE;
	ro.hva = ram;
	ro.page_size = 4096;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	tap_eq(seawall_region_add(ctx, &ro), 0, "seawall_region_add");

	/* handle_test: writes an outcome. */
	guard_fill(&out, sizeof(out));
	r = seawall_ctx_handle_test(ctx, gpa, &out.v);
	tap_ok(r >= 0 && (r & SEAWALL_ACT_NEW_PAGE), "handle_test returns the actions (0x%x)", r);
	tap_eq(out.v.actions, (uint32_t)r, "handle_test: outcome.actions");
	tap_eq(out.v.restart_reason, SEAWALL_RESTART_NONE, "handle_test: outcome.restart_reason");
	tap_eq(out.v.gpa, gpa, "handle_test: outcome.gpa");
	tap_eq(out.v.page_gpa, gpa & ~0xfffull, "handle_test: outcome.page_gpa");
	tap_eq(out.v.page_size, 4096, "handle_test: outcome.page_size");
	tap_eq(out.v.guest_el, -1, "handle_test: outcome.guest_el");
	tap_eq(out.v.hits, 1, "handle_test: outcome.hits");
	tap_ok(out.v.reason == NULL, "handle_test: outcome.reason NULL");
	tap_ok(guard_intact(out.guard), "handle_test: nothing written past the 0.1 outcome");

	/* ctx_get_stats: the 0.1 layout, events[7] then the counters. */
	guard_fill(&st, sizeof(st));
	tap_eq(seawall_ctx_get_stats(ctx, &st.v), 0, "ctx_get_stats");
	tap_eq(st.v.events[SEAWALL_SRC_TEST], 1, "stats: events[TEST]");
	tap_eq(st.v.events[SEAWALL_SRC_SEA], 0, "stats: events[SEA]");
	tap_eq(st.v.events[SEAWALL_SRC_JOURNAL], 0, "stats: events[JOURNAL]");
	tap_eq(st.v.poisoned_pages, 1, "stats: poisoned_pages");
	tap_eq(st.v.injections, 0, "stats: injections");
	tap_eq(st.v.sigbus_overflows, 0, "stats: sigbus_overflows");
	tap_eq(st.v.restarts_requested, 0, "stats: restarts_requested");
	tap_eq(st.v.journal_errors, 0, "stats: journal_errors");
	tap_eq(st.v.unattributable, 0, "stats: unattributable");
	tap_eq(st.v.notify_pending, 1, "stats: notify_pending");
	tap_ok(guard_intact(st.guard), "ctx_get_stats: nothing written past the 0.1 stats");

	/* ledger_lookup: writes a page. */
	guard_fill(&pg, sizeof(pg));
	tap_eq(seawall_ledger_lookup(ctx, gpa, &pg.v), 0, "ledger_lookup");
	tap_eq(pg.v.gpa, gpa & ~0xfffull, "lookup: page.gpa");
	tap_eq(pg.v.hits, 1, "lookup: page.hits");
	tap_eq(pg.v.actions, out.v.actions, "lookup: page.actions");
	tap_eq(pg.v.source, SEAWALL_SRC_TEST, "lookup: page.source");
	tap_eq(pg.v.guest_el, -1, "lookup: page.guest_el");
	tap_eq(pg.v.page_shift, 12, "lookup: page.page_shift");
	tap_eq(pg.v.esr, 0, "lookup: page.esr");
	tap_ok(pg.v.first_ns != 0 && pg.v.last_ns >= pg.v.first_ns, "lookup: first_ns, last_ns");
	tap_ok(guard_intact(pg.guard), "ledger_lookup: nothing written past the 0.1 page");

	/* journal_append: reads a page; the guard must not be taken for 0.2 members. */
	fd = mkstemp(jpath);
	if (fd >= 0) {
		close(fd);
		unlink(jpath);
	}
	j = seawall_journal_open(jpath, SEAWALL_JOURNAL_NOSYNC);
	if (tap_ok(j != NULL, "journal_open %s", jpath)) {
		guard_fill(&rec, sizeof(rec));
		memset(&rec.v, 0, sizeof(rec.v));
		rec.v.gpa = 0x12345000;
		rec.v.gva = 0xffff000012345000ull;
		rec.v.first_ns = 1000;
		rec.v.last_ns = 2000;
		rec.v.esr = 0x92000010;
		rec.v.hits = 3;
		rec.v.actions = SEAWALL_ACT_INJECT_DABT | SEAWALL_ACT_ISOLATE;
		rec.v.source = SEAWALL_SRC_SEA;
		rec.v.guest_el = 0;
		rec.v.page_shift = 12;
		rec.v.flags = SEAWALL_PAGE_ISOLATED;
		tap_eq(seawall_journal_append(j, &rec.v), 0, "journal_append of a 0.1 page");
		seawall_journal_close(j);
		j = seawall_journal_open(jpath, SEAWALL_JOURNAL_RDONLY);
		if (tap_ok(j != NULL, "journal reopened")) {
			tap_eq(seawall_journal_replay(j, on_replay, NULL, &jst), 1, "replay: one record");
			tap_eq(replay_seen, 1, "replay: the callback ran once");
			tap_ok(memcmp(&replay_page, &rec.v, sizeof(rec.v)) == 0,
			       "replay: the record is the 0.1 page appended");
			seawall_journal_close(j);
		}
		unlink(jpath);
	}

	/* An AO in the region, then handle_pending: writes an outcome. */
	tap_eq(seawall_sigbus_record(ctx, ram + 9 * 4096 + 8, BUS_MCEERR_AO, 12), 0,
	       "sigbus_record of an AO");
	guard_fill(&out, sizeof(out));
	tap_eq(seawall_ctx_handle_pending(ctx, -1, &out.v), 1, "handle_pending: one record");
	tap_ok(out.v.actions & SEAWALL_ACT_NEW_PAGE, "handle_pending: outcome.actions 0x%x",
	       out.v.actions);
	tap_ok(!(out.v.actions & SEAWALL_ACT_INJECT), "handle_pending: an AO is not injected");
	tap_eq(out.v.restart_reason, SEAWALL_RESTART_NONE, "handle_pending: outcome.restart_reason");
	tap_eq(out.v.gpa, RAM_GPA + 9 * 4096 + 8, "handle_pending: outcome.gpa");
	tap_eq(out.v.page_gpa, RAM_GPA + 9 * 4096, "handle_pending: outcome.page_gpa");
	tap_eq(out.v.page_size, 4096, "handle_pending: outcome.page_size");
	tap_eq(out.v.hits, 1, "handle_pending: outcome.hits");
	tap_ok(out.v.reason == NULL, "handle_pending: outcome.reason NULL");
	tap_ok(guard_intact(out.guard), "handle_pending: nothing written past the 0.1 outcome");

	guard_fill(&st, sizeof(st));
	tap_eq(seawall_ctx_get_stats(ctx, &st.v), 0, "ctx_get_stats again");
	tap_eq(st.v.events[SEAWALL_SRC_SIGBUS_AO], 1, "stats: events[SIGBUS_AO]");
	tap_eq(st.v.poisoned_pages, 2, "stats: poisoned_pages");
	tap_ok(guard_intact(st.guard), "ctx_get_stats: guard intact");

	seawall_ctx_free(ctx);
	munmap(ram, RAM_SIZE);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
