// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The 0.2 header's side of the ABI, built twice: against libseawall.so
 * and against libseawall.a (which has no symbol versions: the 0.2 calls
 * only).  SEAWALL_OPTS() in both forms zeroes the struct, padding too,
 * over a stack full of garbage; seawall_version() is the library's
 * version; a call whose outcome grew writes the 0.2 struct and no more.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <seawall.h>

#include "tap.h"

#ifndef ABI_LIB_VERSION
#error "build with -DABI_LIB_VERSION='\"x.y.z\"' (LIB_VERSION)"
#endif

#define JUNK	0x5a

/* Leave junk where the next call's frame will be. */
__attribute__((noinline)) static void dirty_stack(void)
{
	volatile unsigned char junk[4096];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = JUNK;
}

/* Bytes of o after its sz member that are not zero. */
static size_t nonzero_after_sz(const void *o, size_t len)
{
	const unsigned char *p = o;
	size_t n = 0;

	for (size_t i = sizeof(size_t); i < len; i++)
		n += p[i] != 0;
	return n;
}

__attribute__((noinline)) static void plain_form(void)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);

	tap_eq(o.sz, sizeof(struct seawall_ctx_opts), "SEAWALL_OPTS(T, o): sz");
	tap_eq(nonzero_after_sz(&o, sizeof(o)), 0, "SEAWALL_OPTS(T, o): every other byte zero");
}

__attribute__((noinline)) static void designated_form(void)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .journal_path = "/nonexistent/j", .max_pages = 64,
		     .strategy = SEAWALL_ISOLATE_NONE);
	struct seawall_ctx_opts want;

	tap_eq(o.sz, sizeof(struct seawall_ctx_opts), "SEAWALL_OPTS(T, o, ...): sz");
	tap_ok(o.journal_path && strcmp(o.journal_path, "/nonexistent/j") == 0,
	       "SEAWALL_OPTS(T, o, ...): .journal_path");
	tap_eq(o.max_pages, 64, "SEAWALL_OPTS(T, o, ...): .max_pages");
	tap_eq(o.strategy, SEAWALL_ISOLATE_NONE, "SEAWALL_OPTS(T, o, ...): .strategy");
	/* The rest: compare with a struct built byte by byte. */
	memset(&want, 0, sizeof(want));
	want.sz = sizeof(want);
	want.journal_path = o.journal_path;
	want.max_pages = 64;
	want.strategy = SEAWALL_ISOLATE_NONE;
	tap_ok(memcmp(&o, &want, sizeof(o)) == 0, "SEAWALL_OPTS(T, o, ...): every other byte zero");
}

__attribute__((noinline)) static void small_struct(void)
{
	SEAWALL_OPTS(seawall_policy_opts, p, .restart_after_pages = 3);

	tap_eq(p.sz, sizeof(struct seawall_policy_opts), "SEAWALL_OPTS(seawall_policy_opts): sz");
	tap_eq(p.restart_after_pages, 3, "SEAWALL_OPTS(seawall_policy_opts): the member given");
	tap_eq(p.flags | p.rate_burst | p.rate_per_sec, 0, "SEAWALL_OPTS(seawall_policy_opts): the rest zero");
}

int main(void)
{
	struct { struct seawall_outcome v; unsigned char guard[64]; } out;
	char want[32];
	int r;

	dirty_stack();
	plain_form();
	dirty_stack();
	designated_form();
	dirty_stack();
	small_struct();

	tap_ok(seawall_version() && strcmp(seawall_version(), ABI_LIB_VERSION) == 0,
	       "seawall_version() \"%s\" is LIB_VERSION \"%s\"",
	       seawall_version() ? seawall_version() : "(null)", ABI_LIB_VERSION);
	snprintf(want, sizeof(want), "%d.%d.", SEAWALL_VERSION_MAJOR, SEAWALL_VERSION_MINOR);
	tap_ok(strncmp(seawall_version(), want, strlen(want)) == 0,
	       "seawall_version() matches the header's %d.%d", SEAWALL_VERSION_MAJOR,
	       SEAWALL_VERSION_MINOR);

	/* The 0.2 layout, end to end: a designated-initialiser opts the library accepts. */
	SEAWALL_OPTS(seawall_ctx_opts, o, .vm_fd = -1, .strategy = SEAWALL_ISOLATE_NONE);
	struct seawall_ctx *ctx = seawall_ctx_new(&o);

	if (tap_ok(ctx != NULL, "seawall_ctx_new accepts it")) {
		static unsigned char ram[4 * 4096] __attribute__((aligned(4096)));
		SEAWALL_OPTS(seawall_region_opts, ro, .gpa = 0x80000000, .size = sizeof(ram),
			     .hva = ram, .page_size = 4096, .flags = SEAWALL_REGION_NO_SLOT);

		tap_eq(seawall_region_add(ctx, &ro), 0, "seawall_region_add");
		memset(&out, JUNK, sizeof(out));
		r = seawall_ctx_handle_test(ctx, 0x80001000, &out.v);
		tap_ok(r >= 0 && (r & SEAWALL_ACT_NEW_PAGE), "handle_test (0x%x)", r);
		tap_eq(out.v.gpa, 0x80001000, "outcome.gpa");
		tap_eq(out.v.actions, (uint32_t)r, "outcome.actions");
		tap_eq(out.v.actions, out.v.done | out.v.requests, "outcome.actions is done | requests");
		r = 0;
		for (size_t i = 0; i < sizeof(out.v.reserved) / sizeof(out.v.reserved[0]); i++)
			r |= out.v.reserved[i] != 0;
		tap_eq(r, 0, "outcome.reserved zeroed by the library");
		r = 1;
		for (size_t i = 0; i < sizeof(out.guard); i++)
			r &= out.guard[i] == JUNK;
		tap_ok(r, "nothing written past the 0.2 outcome");
		seawall_ctx_free(ctx);
	}
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
