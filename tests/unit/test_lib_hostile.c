// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The library against a hostile guest and a hostile neighbour (issue 14),
 * with a fake clock (sw_test_clock) so every count is exact: a steady
 * flood on one page is reported at rate_per_sec over time, not only its
 * first burst; a flood that keeps asking for a restart does not make one
 * event per hit; check_range is exact at the top of the address space;
 * the metrics temporary file never follows a planted link; events carry
 * no host address unless asked; the worst case of one call keeps both of
 * its restart events; si_addr_lsb is honoured and checked; a reset never
 * punches the file page a quarantine holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seawall.h>
#include "internal.h"
#include "tap.h"

#define PG	4096ull
#define RAM	0x40000000ull

#ifndef BUS_MCEERR_AO
#define BUS_MCEERR_AO 5
#endif

static uint64_t fake_now = 1700000000000000000ull;

static uint64_t fake_clock(void)
{
	return fake_now;
}

#define MAXEV 64
static struct seawall_event evs[MAXEV];
static char json[MAXEV][512];
static int nev, nev_all;

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	nev_all++;
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

static struct seawall_ctx *new_ctx(unsigned int restart_after, unsigned int burst, unsigned int rate)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE,
		     .strategy = tap_isolate_strategy());
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_ctx *ctx;

	o.event_fn = on_event;
	o.strategy = SEAWALL_ISOLATE_NONE;
	ctx = seawall_ctx_new(&o);
	ro.gpa = RAM;
	ro.size = 1 << 20;
	seawall_region_add(ctx, &ro);
	po.restart_after_pages = restart_after;
	po.rate_burst = burst;
	po.rate_per_sec = rate;
	seawall_ctx_set_policy(ctx, &po);
	nev = nev_all = 0;
	return ctx;
}

static int fail_set(void *arg, const struct seawall_memslot *s)
{
	(void)arg;
	(void)s;
	return -EIO;
}

static int ok_set(void *arg, const struct seawall_memslot *s)
{
	(void)arg;
	(void)s;
	return 0;
}

/* The descriptor this process has open on path (the library's journal). */
static int fd_of(const char *path)
{
	char link[64], target[512];

	for (int fd = 3; fd < 1024; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			if (!strcmp(target, path))
				return fd;
		}
	}
	return -1;
}

static void rate_limit(void)
{
	struct seawall_outcome out;
	struct seawall_stats st;
	struct seawall_ctx *ctx;
	int reports;

	/* The reproduction: 17,549 hits at 1 ms on one page, default policy (16, 4/s). */
	ctx = new_ctx(SEAWALL_POLICY_NEVER, 0, 0);
	for (int i = 0; i < 17549; i++) {
		seawall_ctx_handle_test(ctx, RAM + 0x3000, &out);
		fake_now += 1000000;
	}
	reports = count_type(SEAWALL_EV_POISON) + count_type(SEAWALL_EV_REPEAT) + nev_all - nev;
	/* 16 at once, then 4 a second over the 17.548 s that follow: 70 more. */
	tap_ok(reports >= 85 && reports <= 87,
	       "17,549 hits at 1 ms: %d reported (the burst of 16, then 4/s: 86)", reports);
	seawall_ctx_get_stats(ctx, &st);
	tap_eq(st.rate_limited, 17549 - reports, "the rest counted as rate limited");
	seawall_ctx_free(ctx);

	/* Closer still: 100 us apart for 10 s, burst 4 and 10/s: 4 + 100. */
	ctx = new_ctx(SEAWALL_POLICY_NEVER, 4, 10);
	for (int i = 0; i < 100000; i++) {
		seawall_ctx_handle_test(ctx, RAM + 0x3000, NULL);
		fake_now += 100000;
	}
	reports = nev_all;
	tap_ok(reports >= 103 && reports <= 105, "100,000 hits at 100 us, 4 + 10/s: %d reported (104)",
	       reports);
	seawall_ctx_free(ctx);
}

static void restart_flood(void)
{
	struct seawall_outcome out;
	struct seawall_stats st;
	struct seawall_ctx *ctx;
	int asked = 0;

	/* Every hit asks for a restart (threshold 1); the events stay within the rate limit. */
	ctx = new_ctx(1, 3, 1);
	for (int i = 0; i < 1000; i++) {
		seawall_ctx_handle_test(ctx, RAM + 0x7000, &out);
		asked += !!(out.actions & SEAWALL_ACT_RESTART);
		fake_now += 1000000;
	}
	tap_eq(asked, 1000, "1000 hits over 1 s, threshold 1: each outcome asks for the restart");
	tap_ok(nev_all <= 2 * (3 + 2), "but %d events, not one or two a hit (burst 3, 1/s)", nev_all);
	seawall_ctx_get_stats(ctx, &st);
	tap_eq(st.restarts_requested, 1000, "every request is counted");
	seawall_ctx_free(ctx);
}

static void check_range(void)
{
	const uint64_t top = ~0ull;
	struct seawall_ctx *ctx = new_ctx(SEAWALL_POLICY_NEVER, 0, 0);
	struct sw_lpage *p;

	/* 64 pages: past the ledger size the old code walked the range page by page. */
	for (int i = 0; i < 64; i++)
		seawall_ctx_handle_test(ctx, RAM + (uint64_t)i * PG, NULL);
	tap_eq(seawall_ledger_check_range(ctx, top - PG + 1, PG - 1), 0,
	       "the last page of the space but its last byte, 64 pages low: clean (no wrap to 0)");
	tap_eq(seawall_ledger_check_range(ctx, top - 3 * PG + 1, 3 * PG), 0,
	       "the last 3 pages, to the very top: clean");
	tap_eq(seawall_ledger_check_range(ctx, top - PG + 1, PG + 1), -EINVAL,
	       "a range past 2^64: -EINVAL");
	tap_eq(seawall_ledger_check_range(ctx, RAM + 63 * PG + 5, 1), -EHWPOISON, "a poisoned byte");
	tap_eq(seawall_ledger_check_range(ctx, RAM + 64 * PG, 1ull << 40), 0,
	       "a terabyte above them: clean");
	tap_eq(seawall_ledger_check_range(ctx, 0, top), -EHWPOISON, "all of the space but a byte");

	/* A journal's page at the very top (its end is 2^64). */
	pthread_mutex_lock(&ctx->lock);
	if (sw_ledger_insert(&ctx->ledger, top - PG + 1, &p) == 1)
		p->page_shift = 12;
	pthread_mutex_unlock(&ctx->lock);
	tap_eq(seawall_ledger_check_range(ctx, top - 2 * PG + 1, PG + 1), -EHWPOISON,
	       "a range into the last page, poisoned: -EHWPOISON");
	tap_eq(seawall_ledger_check_range(ctx, top, 1), -EHWPOISON, "its last byte");
	tap_eq(seawall_ledger_check_range(ctx, top - 2 * PG + 1, PG), 0, "the page below it: clean");
	seawall_ctx_free(ctx);

	/* Few pages (the other walk): the top page still found. */
	ctx = new_ctx(SEAWALL_POLICY_NEVER, 0, 0);
	pthread_mutex_lock(&ctx->lock);
	if (sw_ledger_insert(&ctx->ledger, top - PG + 1, &p) == 1)
		p->page_shift = 12;
	pthread_mutex_unlock(&ctx->lock);
	tap_eq(seawall_ledger_check_range(ctx, top - 1024 * PG, 1024 * PG), -EHWPOISON,
	       "one page at the top, a 4 MiB range up to it: -EHWPOISON");
	seawall_ctx_free(ctx);
}

static void metrics_link(void)
{
	char dir[] = "/tmp/seawall-metrics-XXXXXX", victim[128], target[128], plant[160], buf[64];
	struct seawall_ctx *ctx = new_ctx(SEAWALL_POLICY_NEVER, 0, 0);
	struct stat sb;
	int fd;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(target, sizeof(target), "%s/seawall.prom", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	tap_ok(fd >= 0 && write(fd, "precious\n", 9) == 9, "a file someone else owns");
	close(fd);
	/* The name the library used to pick, and a few around it. */
	int planted = 0;

	for (int d = -2; d <= 2; d++) {
		snprintf(plant, sizeof(plant), "%s.tmp.%ld", target, (long)getpid() + d);
		planted += symlink(victim, plant) == 0;
	}
	tap_eq(planted, 5, "links planted at the old temporary names");
	tap_eq(seawall_metrics_write(ctx, target), 0, "metrics written next to planted links");
	fd = open(victim, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	tap_ok(fd >= 0 && read(fd, buf, sizeof(buf)) == 9 && !strcmp(buf, "precious\n"),
	       "the links' target is neither truncated nor written");
	close(fd);
	tap_ok(lstat(target, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0777) == 0644 &&
	       sb.st_size > 100, "the metrics file is a regular file, 0644");
	for (int d = -2; d <= 2; d++) {
		snprintf(plant, sizeof(plant), "%s.tmp.%ld", target, (long)getpid() + d);
		unlink(plant);
	}
	unlink(target);
	unlink(victim);
	tap_eq(rmdir(dir), 0, "no temporary file left behind");
	seawall_ctx_free(ctx);
}

static void host_addresses(uint8_t *mem)
{
	for (int opt = 0; opt < 2; opt++) {
		SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE,
		     .strategy = tap_isolate_strategy());
		SEAWALL_OPTS(seawall_region_opts, ro);
		struct seawall_ctx *ctx;

		o.event_fn = on_event;
		o.strategy = SEAWALL_ISOLATE_NONE;
		o.event_hva = (unsigned int)opt;
		ctx = seawall_ctx_new(&o);
		ro.gpa = RAM;
		ro.size = 1 << 20;
		ro.hva = mem;
		seawall_region_add(ctx, &ro);
		nev = nev_all = 0;
		seawall_sigbus_record(ctx, mem + 0x5123, BUS_MCEERR_AO, 12);
		seawall_ctx_handle_pending(ctx, -1, NULL);
		if (!opt)
			tap_ok(nev == 1 && evs[0].hva == 0 && !strstr(json[0], "hva") &&
			       strstr(json[0], "\"gpa\":\"0x40005123\""),
			       "by default an event has no host address: %s", json[0]);
		else
			tap_ok(nev == 1 && evs[0].hva == (uintptr_t)(mem + 0x5123) && strstr(json[0], "\"hva\""),
			       "with event_hva it has: %s", json[0]);
		seawall_ctx_free(ctx);
	}
}

static void worst_case_events(uint8_t *mem)
{
	char dir[] = "/tmp/seawall-evbuf-XXXXXX", path[128];
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE,
		     .strategy = tap_isolate_strategy());
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	SEAWALL_OPTS(seawall_memslot_ops, ops);
	struct seawall_outcome out;
	struct seawall_ctx *ctx;
	int fd, rfd, k, lost = 0, threshold = 0, seq_ok = 1;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/journal", dir);
	ops.set = fail_set;			/* isolation fails */
	o.strategy = SEAWALL_ISOLATE_MEMSLOT_SPLIT;
	o.memslot_ops = &ops;
	o.spare_slot_base = 1;
	o.spare_slot_count = 4;
	o.notify_capacity = 1;			/* the second page overflows the notices */
	o.sigbus_capacity = 2;			/* the third record is lost */
	o.journal_path = path;
	o.journal_nosync = 1;
	o.event_fn = on_event;
	ctx = seawall_ctx_new(&o);
	ro.gpa = RAM;
	ro.size = 1 << 20;
	ro.hva = mem;
	seawall_region_add(ctx, &ro);
	po.restart_after_pages = SEAWALL_POLICY_NEVER;
	seawall_ctx_set_policy(ctx, &po);
	seawall_ctx_handle_test(ctx, RAM + 0x1000, NULL);
	po.restart_after_pages = 1;
	seawall_ctx_set_policy(ctx, &po);
	/* The journal's descriptor now writes nowhere: the append fails. */
	fd = fd_of(path);
	rfd = open("/dev/null", O_RDONLY);
	tap_ok(fd >= 0 && rfd >= 0 && dup2(rfd, fd) == fd, "the journal made unwritable");
	close(rfd);
	for (k = 0; k < 8 && seawall_sigbus_record(ctx, mem + 0x9000 + (uint64_t)k * PG,
						      BUS_MCEERR_AO, 12) == 0; k++)
		;
	tap_ok(k == 2, "the queue takes 2 records, the third is lost");
	nev = nev_all = 0;
	tap_eq(seawall_ctx_handle_pending(ctx, -1, &out), k, "handle_pending drains them");
	for (int i = 0; i < nev; i++) {
		lost += evs[i].type == SEAWALL_EV_RESTART && evs[i].restart_reason == SEAWALL_RESTART_LOST;
		threshold += evs[i].type == SEAWALL_EV_RESTART &&
			     evs[i].restart_reason == SEAWALL_RESTART_THRESHOLD;
		if (i && evs[i].seq != evs[i - 1].seq + 1)
			seq_ok = 0;
	}
	/* The first record is handled with the loss report: 7 events in one buffer. */
	tap_ok(count_type(SEAWALL_EV_SIGBUS_OVERFLOW) == 1 && count_type(SEAWALL_EV_ISOLATE_FAILED) == k &&
	       count_type(SEAWALL_EV_NOTIFY_OVERFLOW) == k && count_type(SEAWALL_EV_JOURNAL_ERROR) == k &&
	       count_type(SEAWALL_EV_POISON) == k,
	       "overflow once; isolate, notify, journal failures and poison for each record");
	tap_ok(lost == 1 && threshold == k, "every restart event is there: lost %d, threshold %d of %d",
	       lost, threshold, k);
	tap_ok(nev == 2 + 5 * k && seq_ok, "%d events, numbered without a gap", nev);
	seawall_ctx_free(ctx);
	unlink(path);
	rmdir(dir);
}

static void addr_lsb(uint8_t *mem)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE,
		     .strategy = tap_isolate_strategy());
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_policy_opts, po);
	struct seawall_outcome out;
	struct seawall_ctx *ctx;
	int n;

	o.strategy = SEAWALL_ISOLATE_NONE;
	o.notify_capacity = 1024;
	ctx = seawall_ctx_new(&o);
	ro.gpa = RAM;
	ro.size = 4 << 20;
	ro.hva = mem;
	seawall_region_add(ctx, &ro);
	po.restart_after_pages = SEAWALL_POLICY_NEVER;
	seawall_ctx_set_policy(ctx, &po);
	tap_eq(seawall_sigbus_record(ctx, mem, BUS_MCEERR_AO, 5), -EINVAL, "lsb 5: -EINVAL");
	tap_eq(seawall_sigbus_record(ctx, mem, BUS_MCEERR_AO, 64), -EINVAL, "lsb 64: -EINVAL");
	tap_eq(seawall_sigbus_record(ctx, mem, BUS_MCEERR_AO, -1), -EINVAL, "lsb -1: -EINVAL");
	tap_eq(seawall_ctx_handle_pending(ctx, -1, NULL), 0, "nothing queued by them");

	/* A 2 MiB unit in a region registered with 4 KiB pages: all 512 of them. */
	tap_eq(seawall_sigbus_record(ctx, mem + (2 << 20) + 0x1234, BUS_MCEERR_AO, 21), 0, "lsb 21 recorded");
	n = seawall_ctx_handle_pending(ctx, -1, &out);
	tap_ok(n == 1 && out.page_gpa == RAM + (2 << 20) + 0x1000, "one record, its own page reported");
	tap_eq(seawall_ledger_count(ctx), 512, "every 4 KiB page of the 2 MiB unit is in the ledger");
	tap_ok(seawall_ledger_check_range(ctx, RAM + (2 << 20), PG) == -EHWPOISON &&
	       seawall_ledger_check_range(ctx, RAM + (4 << 20) - PG, PG) == -EHWPOISON &&
	       seawall_ledger_check_range(ctx, RAM + (2 << 20) - PG, PG) == 0,
	       "from its first page to its last, not the one below");
	/* lsb 12 as before: one page. */
	seawall_sigbus_record(ctx, mem + 0x3000, BUS_MCEERR_AO, 12);
	seawall_ctx_handle_pending(ctx, -1, NULL);
	tap_eq(seawall_ledger_count(ctx), 513, "lsb 12: one page");
	/* A unit of a GiB: more than can be recorded one by one. */
	seawall_sigbus_record(ctx, mem + 0x5000, BUS_MCEERR_AO, 30);
	seawall_ctx_handle_pending(ctx, -1, &out);
	tap_ok((out.actions & SEAWALL_ACT_RESTART) && out.restart_reason == SEAWALL_RESTART_LOST,
	       "lsb 30 over 4 KiB pages: a restart (records lost)");
	seawall_ctx_free(ctx);
}

static void reset_file_page(void)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE,
		     .strategy = tap_isolate_strategy());
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_memslot_ops, ops);
	struct seawall_outcome out;
	struct seawall_ctx *ctx;
	uint8_t *mem, page[PG];
	int fd = memfd_create("seawall-ram", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, 16 * PG) < 0) {
		tap_ok(0, "memfd");
		return;
	}
	mem = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memset(mem, 0xaa, 16 * PG);
	ops.set = ok_set;
	o.memslot_ops = &ops;
	o.spare_slot_base = 1;
	o.spare_slot_count = 4;
	ctx = seawall_ctx_new(&o);
	ro.gpa = RAM;
	ro.size = 16 * PG;
	ro.hva = mem;
	ro.flags = SEAWALL_REGION_FILE;
	ro.fd = fd;
	seawall_region_add(ctx, &ro);
	seawall_ctx_handle_test(ctx, RAM + 5 * PG, &out);
	tap_ok(out.actions & SEAWALL_ACT_ISOLATE, "page 5 of a file-backed region quarantined");
	tap_eq(seawall_ctx_reset(ctx), 1, "reset: fresh memory for it");
	memset(page, 0, sizeof(page));
	if (pread(fd, page, PG, 5 * PG) != (ssize_t)PG)
		page[0] = 0;
	tap_ok(page[0] == 0xaa && page[PG - 1] == 0xaa,
	       "the file's page under the quarantine is not punched out (still 0x%02x)", page[0]);
	tap_ok(mem[5 * PG] == 0 && mem[4 * PG] == 0xaa, "the guest reads a zeroed page there");
	mem[5 * PG] = 1;
	tap_ok(pread(fd, page, 1, 5 * PG) == 1 && page[0] == 0xaa,
	       "and writing it does not reach the bad file page");
	seawall_ctx_free(ctx);
	close(fd);
}

int main(void)
{
	/* 4 MiB aligned to 2 MiB: a poisoned 2 MiB unit is aligned in host addresses. */
	uint8_t *mem = mmap(NULL, 6 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		tap_skip_all("no memory");
	mem = (uint8_t *)(((uintptr_t)mem + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
	sw_test_clock = fake_clock;
	rate_limit();
	restart_flood();
	check_range();
	metrics_link();
	host_addresses(mem);
	worst_case_events(mem);
	addr_lsb(mem);
	reset_file_page();
	return tap_done();
}
