// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The pipeline and its policy, through the public API with a kvm_run
 * built by hand: SEA exits become ledger pages and actions; malformed and
 * unattributable exits still produce an event and a restart request;
 * restart threshold, guest-EL1 and SET=UC restarts; the rate limit; MMIO
 * exits on isolated pages re-raised; options structs; events as JSON;
 * metrics text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seawall.h>
#include "tap.h"

static uint64_t run_buf[4096 / 8];
static struct kvm_run *run = (struct kvm_run *)run_buf;

static void set_exit(uint32_t reason, const uint64_t *words, int n)
{
	memset(run_buf, 0, sizeof(run_buf));
	memcpy((char *)run_buf + 8, &reason, 4);
	memcpy((char *)run_buf + 32, words, (size_t)n * 8);
}

static void sea_exit(uint64_t flags, uint64_t esr, uint64_t gva, uint64_t gpa)
{
	uint64_t w[4] = { flags, esr, gva, gpa };

	set_exit(SEAWALL_KVM_EXIT_ARM_SEA, w, 4);
}

#define MAXEV 64
static struct seawall_event evs[MAXEV];
static int nev;
static char json[MAXEV][1024];

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (nev < MAXEV) {
		evs[nev] = *ev;
		seawall_event_render_json(ev, json[nev], sizeof(json[0]));
		nev++;
	}
}

static int count_type(unsigned int t)
{
	int k = 0;

	for (int i = 0; i < nev; i++)
		k += evs[i].type == t;
	return k;
}

static struct seawall_ctx *new_ctx(void)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct seawall_ctx *ctx;

	o.event_fn = on_event;
	o.strategy = SEAWALL_ISOLATE_NONE;
	ctx = seawall_ctx_new(&o);
	ro.gpa = 0x40000000;
	ro.size = 1ull << 30;
	ro.page_size = 2 << 20;		/* 2 MiB backing pages */
	seawall_region_add(ctx, &ro);
	ro.gpa = 0x100000000ull;
	ro.size = 1 << 20;
	ro.page_size = 0;		/* 4 KiB */
	ro.slot = 1;
	seawall_region_add(ctx, &ro);
	nev = 0;
	return ctx;
}

#define GV SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID

int main(void)
{
	struct seawall_ctx *ctx = new_ctx();
	struct seawall_outcome out;
	struct seawall_page pg;
	struct seawall_stats st;
	int r;

	/* A plain data abort from guest EL0 (PSTATE unknown: no vCPU). */
	sea_exit(GV, 0x92000010, 0x7f0000001234ull, 0x40345000);
	r = seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
	tap_ok(r >= 0 && (unsigned int)r == out.actions, "SEA exit handled, actions returned");
	tap_ok((out.actions & SEAWALL_ACT_NEW_PAGE) && (out.actions & SEAWALL_ACT_INJECT_DABT) &&
	       (out.actions & SEAWALL_ACT_NOTIFY) && !(out.actions & SEAWALL_ACT_RESTART),
	       "first error: new page, inject a data abort, notify, no restart");
	tap_ok(out.page_gpa == 0x40200000 && out.page_size == (2 << 20),
	       "ledger granularity follows the 2 MiB backing page");
	tap_ok(seawall_ledger_lookup(ctx, 0x403fffff, &pg) == 0 && pg.gpa == 0x40200000 &&
	       pg.hits == 1 && pg.esr == 0x92000010 && pg.gva == 0x7f0000001234ull &&
	       pg.source == SEAWALL_SRC_SEA && pg.page_shift == 21,
	       "lookup anywhere in the backing page finds the entry");
	tap_eq(seawall_ledger_lookup(ctx, 0x40400000, &pg), -ENOENT, "the next page is clean");
	tap_ok(nev == 1 && evs[0].type == SEAWALL_EV_POISON && evs[0].page_gpa == 0x40200000,
	       "one poison event");
	tap_ok(strstr(json[0], "\"type\":\"poison\"") && strstr(json[0], "\"source\":\"sea\"") &&
	       strstr(json[0], "\"page_gpa\":\"0x40200000\"") && strstr(json[0], "\"inject_dabt\""),
	       "event as JSON: %s", json[0]);

	/* Same page again: a repeat, still injected. */
	nev = 0;
	sea_exit(GV, 0x92000050, 0x7f0000001238ull, 0x40345000);
	seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
	tap_ok(!(out.actions & SEAWALL_ACT_NEW_PAGE) && (out.actions & SEAWALL_ACT_INJECT_DABT) &&
	       out.hits == 2 && count_type(SEAWALL_EV_REPEAT) == 1,
	       "a second hit: repeat event, hits 2, injected again");

	/* Instruction abort: the IABT action. */
	sea_exit(GV, 0x82000010, 0x400000, 0x100002000ull);
	seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
	tap_ok((out.actions & SEAWALL_ACT_INJECT_IABT) && !(out.actions & SEAWALL_ACT_INJECT_DABT) &&
	       out.page_size == 4096, "instruction abort: emulated IABT wanted");

	/* Guest EL1 consumed it: restart (default), or not (policy). */
	{
		struct seawall_kvm_arm_sea raw = { GV, 0x92000010, 0xffff000000001000ull, 0x100003000ull };
		struct seawall_vcpu_state vs = { .pstate = 0x3c5, .valid = 1 };
		SEAWALL_OPTS(seawall_policy_opts, po);

		r = seawall_ctx_handle_sea(ctx, &raw, &vs, &out);
		tap_ok((out.actions & SEAWALL_ACT_RESTART) && out.restart_reason == SEAWALL_RESTART_GUEST_KERNEL &&
		       out.guest_el == 1, "guest EL1 consumed it: restart requested");
		po.flags = SEAWALL_POLICY_NO_RESTART_EL1;
		tap_eq(seawall_ctx_set_policy(ctx, &po), 0, "policy: keep running on EL1");
		raw.gpa = 0x100004000ull;
		seawall_ctx_handle_sea(ctx, &raw, &vs, &out);
		tap_ok(!(out.actions & SEAWALL_ACT_RESTART), "then no restart for EL1");
		vs.pstate = 0;
		raw.gpa = 0x100005000ull;
		seawall_ctx_handle_sea(ctx, &raw, &vs, &out);
		tap_eq(out.guest_el, 0, "PSTATE EL0t: guest EL0");
		raw.esr = 0x92001010;	/* SET = UC */
		raw.gpa = 0x100006000ull;
		seawall_ctx_handle_sea(ctx, &raw, &vs, &out);
		tap_ok((out.actions & SEAWALL_ACT_RESTART) && out.restart_reason == SEAWALL_RESTART_UNCONTAINABLE,
		       "SET = UC: restart, uncontainable");
	}
	seawall_ctx_free(ctx);

	/* Threshold: the default is 8 distinct pages. */
	ctx = new_ctx();
	for (int i = 0; i < 8; i++) {
		sea_exit(GV, 0x92000010, 0x1000, 0x100000000ull + (uint64_t)i * 4096);
		seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
		if (i < 7 && (out.actions & SEAWALL_ACT_RESTART))
			break;
	}
	tap_ok((out.actions & SEAWALL_ACT_RESTART) && out.restart_reason == SEAWALL_RESTART_THRESHOLD,
	       "the 8th distinct page requests a restart, not before");
	{
		SEAWALL_OPTS(seawall_policy_opts, po);

		po.restart_after_pages = 3;
		seawall_ctx_set_policy(ctx, &po);
		sea_exit(GV, 0x92000010, 0x1000, 0x100000000ull);	/* a known page */
		seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
		tap_ok(out.restart_reason == SEAWALL_RESTART_THRESHOLD, "a lower threshold applies at once");
		po.restart_after_pages = SEAWALL_POLICY_NEVER;
		po.flags = SEAWALL_POLICY_NO_INJECT | SEAWALL_POLICY_NO_NOTIFY;
		seawall_ctx_set_policy(ctx, &po);
		sea_exit(GV, 0x92000010, 0x1000, 0x100080000ull);
		seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
		tap_ok(!(out.actions & (SEAWALL_ACT_RESTART | SEAWALL_ACT_INJECT | SEAWALL_ACT_NOTIFY)),
		       "NEVER, NO_INJECT, NO_NOTIFY honoured");
	}
	seawall_ctx_free(ctx);

	/* Rate limit: burst 3, slow refill. */
	ctx = new_ctx();
	{
		SEAWALL_OPTS(seawall_policy_opts, po);
		int limited = 0, reported = 0;

		po.rate_burst = 3;
		po.rate_per_sec = 1;
		seawall_ctx_set_policy(ctx, &po);
		for (int i = 0; i < 20; i++) {
			sea_exit(GV, 0x92000010, 0x1000, 0x100010000ull);
			seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
			limited += !!(out.actions & SEAWALL_ACT_RATE_LIMITED);
			tap_ok(out.actions & SEAWALL_ACT_INJECT_DABT, "hit %d: always injected", i);
		}
		reported = count_type(SEAWALL_EV_POISON) + count_type(SEAWALL_EV_REPEAT);
		tap_ok(reported == 3 && limited == 17, "burst of 3 reported, 17 suppressed (%d, %d)",
		       reported, limited);
		seawall_ctx_get_stats(ctx, &st);
		tap_eq(st.rate_limited, 17, "suppressed hits counted");
		seawall_ledger_lookup(ctx, 0x100010000ull, &pg);
		tap_eq(pg.hits, 20, "the ledger still counts every hit");
	}
	seawall_ctx_free(ctx);

	/* Malformed and unattributable: error, event, restart; nothing dropped. */
	ctx = new_ctx();
	{
		static const struct { const char *name; uint64_t f, esr, gva, gpa; int err; } bad[] = {
			{ "unknown flag", 4 | GV, 0x92000010, 0, 0x40000000, -EINVAL },
			{ "non-abort EC", 0, 0x56000000, 0, 0, -EINVAL },
			{ "FnV with gva", 0, 0x92000410, 0x1234, 0, -EINVAL },
			{ "unaligned gpa", GV, 0x92000010, 0, 0x40000010, -EINVAL },
			{ "FnV, no gpa", 0, 0x92000410, 0, 0, 0 },
			{ "table walk, no gpa", 0, 0x92000015, 0x5000, 0, 0 },
			{ "gpa outside regions", GV, 0x92000010, 0, 0x10000000, 0 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			nev = 0;
			sea_exit(bad[i].f, bad[i].esr, bad[i].gva, bad[i].gpa);
			r = seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
			tap_ok((bad[i].err ? r == bad[i].err : r >= 0) &&
			       (out.actions & SEAWALL_ACT_UNATTRIBUTED) && (out.actions & SEAWALL_ACT_RESTART) &&
			       out.restart_reason == SEAWALL_RESTART_UNATTRIBUTABLE && out.reason &&
			       count_type(SEAWALL_EV_UNATTRIBUTABLE) == 1 && count_type(SEAWALL_EV_RESTART) == 1,
			       "%s: r=%d, unattributable event + restart (%s)", bad[i].name, r,
			       out.reason ? out.reason : "-");
		}
		seawall_ctx_get_stats(ctx, &st);
		tap_ok(st.unattributable == 7 && st.restarts_requested == 7 && st.events[SEAWALL_SRC_SEA] == 7,
		       "all 7 counted");
		tap_eq(seawall_ledger_count(ctx), 0, "and none in the ledger");
		set_exit(SEAWALL_KVM_EXIT_MMIO, (uint64_t[]){ 0x9000000 }, 1);
		tap_eq(seawall_ctx_handle_sea_exit(ctx, -1, run, &out), -ENOMSG, "not an SEA exit: -ENOMSG");
	}

	/* MMIO and NISV exits on an isolated page come back as an SEA. */
	{
		sea_exit(GV, 0x92000010, 0x1000, 0x100020000ull);
		seawall_ctx_handle_sea_exit(ctx, -1, run, &out);
		set_exit(SEAWALL_KVM_EXIT_MMIO, (uint64_t[]){ 0x100020010ull }, 1);
		r = seawall_ctx_handle_fault_exit(ctx, -1, run, &out);
		tap_ok(r > 0 && (out.actions & SEAWALL_ACT_INJECT_DABT) && out.page_gpa == 0x100020000ull,
		       "MMIO exit on a poisoned page: re-raised as a data abort");
		set_exit(SEAWALL_KVM_EXIT_ARM_NISV, (uint64_t[]){ 0x93c08006, 0x100020ff8ull }, 2);
		r = seawall_ctx_handle_fault_exit(ctx, -1, run, &out);
		tap_ok(r > 0 && (out.actions & SEAWALL_ACT_INJECT_DABT), "NISV exit on it: the same");
		set_exit(SEAWALL_KVM_EXIT_MMIO, (uint64_t[]){ 0x9000000 }, 1);
		tap_eq(seawall_ctx_handle_fault_exit(ctx, -1, run, &out), 0, "an ordinary MMIO exit: 0");
		seawall_ctx_get_stats(ctx, &st);
		tap_eq(st.events[SEAWALL_SRC_FAULT], 2, "fault events counted");
	}

	/* Notification queue. */
	{
		struct seawall_notice nt[4];

		seawall_ctx_handle_test(ctx, 0x100030000ull, NULL);
		seawall_ctx_handle_test(ctx, 0x100031000ull, NULL);
		r = seawall_notify_peek(ctx, nt, 4);
		tap_ok(r == 3 && nt[0].gpa == 0x100020000ull && nt[1].gpa == 0x100030000ull &&
		       nt[0].seq < nt[1].seq && nt[1].seq < nt[2].seq, "three notices, oldest first");
		tap_eq(seawall_notify_ack_gpa(ctx, 0x100030abcull), 0, "ack by address inside the page");
		tap_eq(seawall_notify_ack_gpa(ctx, 0x100030000ull), -ENOENT, "twice: -ENOENT");
		tap_eq(seawall_notify_ack_seq(ctx, nt[2].seq), 2, "ack up to a sequence number");
		tap_eq(seawall_notify_peek(ctx, NULL, 0), 0, "queue empty");
		seawall_ledger_lookup(ctx, 0x100031000ull, &pg);
		tap_ok(pg.flags & SEAWALL_PAGE_ACKED, "the ledger remembers the acknowledgement");
	}

	/* Metrics. */
	{
		char buf[8192], path[] = "/tmp/seawall-metrics-XXXXXX";
		int fd = mkstemp(path);
		FILE *f;
		size_t n;

		r = seawall_metrics_render(ctx, buf, sizeof(buf));
		tap_ok(r > 0 && (size_t)r == strlen(buf), "metrics rendered (%d bytes)", r);
		tap_ok(strstr(buf, "# TYPE seawall_events_total counter\n") &&
		       strstr(buf, "seawall_events_total{source=\"sea\"} 8\n") &&
		       strstr(buf, "seawall_events_total{source=\"fault\"} 2\n") &&
		       strstr(buf, "# HELP seawall_poisoned_pages ") &&
		       strstr(buf, "\nseawall_restarts_requested_total 7\n") &&
		       strstr(buf, "\nseawall_journal_errors_total 0\n"),
		       "metrics: names, labels, HELP/TYPE, values");
		tap_ok(seawall_metrics_render(ctx, buf, 10) == r, "render reports the full size when short");
		tap_eq(seawall_metrics_write(ctx, path), 0, "metrics written to a file");
		f = fopen(path, "r");
		n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		tap_ok(n == (size_t)r, "the file holds the whole exposition");
		unlink(path);
		close(fd);
	}
	seawall_ctx_free(ctx);

	/* Options structs: size first, unknown trailing bytes rejected. */
	{
		struct {
			struct seawall_policy_opts p;
			uint64_t future;
		} big;
		SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);

		ctx = new_ctx();
		memset(&big, 0, sizeof(big));
		big.p.sz = sizeof(big);
		tap_eq(seawall_ctx_set_policy(ctx, &big.p), 0, "larger opts with zero tail accepted");
		big.future = 1;
		tap_eq(seawall_ctx_set_policy(ctx, &big.p), -EINVAL, "non-zero unknown tail: -EINVAL");
		big.p.sz = sizeof(size_t);
		tap_eq(seawall_ctx_set_policy(ctx, &big.p), 0, "older, smaller opts accepted");
		big.p.sz = 0;
		tap_eq(seawall_ctx_set_policy(ctx, &big.p), -EINVAL, "size 0: -EINVAL");
		big.p.sz = sizeof(big.p);
		big.p.flags = 1u << 20;
		tap_eq(seawall_ctx_set_policy(ctx, &big.p), -EINVAL, "unknown policy flag: -EINVAL");
		seawall_ctx_free(ctx);
		o.strategy = 99;
		tap_ok(!seawall_ctx_new(&o) && errno == EINVAL, "ctx_new with a bad strategy: NULL, EINVAL");
	}

	/* Regions. */
	{
		SEAWALL_OPTS(seawall_region_opts, ro);
		void *hva;
		uint64_t gpa, ps;
		/* Not a static aligned(65536) array: loaders (valgrind's) may ignore the alignment. */
		char *area = aligned_alloc(1 << 16, 1 << 16);

		ctx = new_ctx();
		ro.gpa = 0x40100000;
		ro.size = 0x1000;
		ro.slot = 5;
		tap_eq(seawall_region_add(ctx, &ro), -EEXIST, "overlapping region: -EEXIST");
		ro.gpa = 0x200000000ull;
		ro.size = 0x3000;
		ro.page_size = 0x3000;
		tap_eq(seawall_region_add(ctx, &ro), -EINVAL, "page size 12K: -EINVAL");
		ro.page_size = 0x10000;
		ro.size = 0x10000;
		ro.hva = area;
		tap_eq(seawall_region_add(ctx, &ro), 2, "64K region added as #2");
		tap_ok(seawall_region_gpa_to_hva(ctx, 0x200000123ull, &hva, &ps) == 0 &&
		       hva == area + 0x123 && ps == 0x10000, "gpa to hva");
		tap_ok(seawall_region_hva_to_gpa(ctx, area + 0xfff0, &gpa, &ps) == 0 &&
		       gpa == 0x20000fff0ull, "hva to gpa");
		tap_eq(seawall_region_gpa_to_hva(ctx, 0x40000000, &hva, NULL), -ENODATA,
		       "region without host address: -ENODATA");
		tap_eq(seawall_region_gpa_to_hva(ctx, 0x10, &hva, NULL), -ENOENT, "outside: -ENOENT");
		seawall_ctx_free(ctx);
		free(area);
	}
	return tap_done();
}
