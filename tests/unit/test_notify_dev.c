// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The guest agent's notify-device logic (guest/notify-dev.c) against a
 * fake register file that behaves like swvm's device, and like broken or
 * hostile ones: wrong magic/version, entries that never go away, an
 * endless queue, values that change while read, malformed entries.  Also
 * the device-tree lookup, on a fake /proc/device-tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../../guest/notify-dev.c"
#include "tap.h"

#define QMAX 64

struct fake {
	uint32_t magic, version;
	struct swn_entry q[QMAX];
	unsigned int n;
	uint32_t total, status;
	/* misbehaviour */
	int stuck;		/* ACK confirmed but the entry stays */
	int endless;		/* every ACK presents a new entry */
	int seq_drift;		/* SEQ changes on every read */
	int pending_lie;	/* PENDING says 1 with nothing presented */
	unsigned int acks, reads;
};

static uint32_t f_rd(void *arg, uint32_t off)
{
	struct fake *f = arg;
	const struct swn_entry *e = f->n ? &f->q[0] : NULL;

	f->reads++;
	switch (off) {
	case SWN_REG_MAGIC: return f->magic;
	case SWN_REG_VERSION: return f->version;
	case SWN_REG_PENDING: return f->pending_lie ? 1 : f->n;
	case SWN_REG_TOTAL: return f->total;
	case SWN_REG_GPA_LO: return e ? (uint32_t)e->gpa : 0;
	case SWN_REG_GPA_HI: return e ? (uint32_t)(e->gpa >> 32) : 0;
	case SWN_REG_SIZE: return e ? (uint32_t)e->size : 0;
	case SWN_REG_SEQ:
		if (f->seq_drift)
			return f->reads;
		return e ? e->seq : 0;
	case SWN_REG_STATUS: return f->status;
	default: return 0xdeadbeef;
	}
}

static void f_wr(void *arg, uint32_t off, uint32_t val)
{
	struct fake *f = arg;

	if (off != SWN_REG_ACK)
		return;
	f->acks++;
	f->status = f->n && val == f->q[0].seq ? SWN_STATUS_ACK_OK : 0;
	if (!f->status || f->stuck)
		return;
	if (f->endless) {
		f->q[0].seq++;
		f->total++;
		return;
	}
	memmove(&f->q[0], &f->q[1], (f->n - 1) * sizeof(f->q[0]));
	f->n--;
}

static void push(struct fake *f, uint64_t gpa, uint64_t size)
{
	f->q[f->n].gpa = gpa;
	f->q[f->n].size = size;
	f->q[f->n].seq = ++f->total;
	f->n++;
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->magic = SWN_MAGIC;
	f->version = SWN_VERSION;
}

#define LOGMAX 1024
struct log {
	uint64_t page[LOGMAX];
	enum swn_bad bad[LOGMAX];
	unsigned int n, calls;
	int fail_every;		/* fail each Nth page */
};

static int on_page(uint64_t page, const struct swn_entry *e, enum swn_bad bad, void *arg)
{
	struct log *l = arg;

	(void)e;
	l->calls++;
	if (l->n < LOGMAX) {
		l->page[l->n] = page;
		l->bad[l->n] = bad;
		l->n++;
	}
	if (!bad && l->fail_every && l->calls % (unsigned int)l->fail_every == 0)
		return -EBUSY;
	return 0;
}

static void test_probe(void)
{
	struct fake f;
	struct swn_io io = { f_rd, f_wr, &f };
	uint32_t m, v;

	fake_init(&f);
	tap_eq(swn_probe(&io, &m, &v), 0, "probe: good magic and version");
	f.magic = 0xffffffff;
	tap_eq(swn_probe(&io, &m, &v), -ENODEV, "probe: bad magic is -ENODEV");
	tap_eq(m, 0xffffffff, "probe: the magic read is reported");
	f.magic = SWN_MAGIC;
	f.version = 2;
	tap_eq(swn_probe(&io, &m, &v), -EPROTONOSUPPORT, "probe: version 2 is -EPROTONOSUPPORT");
	tap_eq(v, 2, "probe: the version read is reported");
}

static void test_drain(void)
{
	struct fake f;
	struct swn_io io = { f_rd, f_wr, &f };
	struct swn_stats st = { 0 };
	struct log l = { 0 };

	fake_init(&f);
	tap_eq(swn_poll(&io, on_page, &l, &st), 0, "empty device: nothing done");
	tap_eq(f.acks, 0, "empty device: no ACK written");

	push(&f, 0x48001000, 4096);
	push(&f, 0x140000000ull, 8192);		/* above 4 GiB: GPA_HI used */
	push(&f, 0x48200000, 2u << 20);		/* a 2 MiB backing page */
	tap_eq(swn_poll(&io, on_page, &l, &st), 3, "three entries drained");
	tap_eq(f.n, 0, "the device queue is empty");
	tap_eq(f.acks, 3, "one ACK per entry");
	tap_eq(st.entries, 3, "stats: 3 entries");
	tap_eq(st.pages, 1 + 2 + 512, "stats: every 4 KiB page of each entry");
	tap_eq(l.n, 515, "callback once per page");
	tap_eq(l.page[0], 0x48001000, "first page");
	tap_eq(l.page[1], 0x140000000ull, "64-bit GPA assembled from LO/HI");
	tap_eq(l.page[2], 0x140001000ull, "second page of the 8 KiB entry");
	tap_eq(l.page[3], 0x48200000, "2 MiB entry starts at its base");
	tap_eq(l.page[514], 0x48200000 + (2u << 20) - 4096, "and ends at its last 4 KiB page");
	tap_eq(st.ack_failed + st.rejected + st.stuck, 0, "no failures");
}

static void test_page_errors(void)
{
	struct fake f;
	struct swn_io io = { f_rd, f_wr, &f };
	struct swn_stats st = { 0 };
	struct log l = { .fail_every = 2 };

	fake_init(&f);
	push(&f, 0x50000000, 16384);
	tap_eq(swn_poll(&io, on_page, &l, &st), 1, "failing pages: the entry is still processed");
	tap_eq(st.page_errors, 2, "failing pages are counted");
	tap_eq(st.pages, 4, "every page was tried");
	tap_eq(f.n, 0, "and the entry acknowledged");
}

static void test_bad_entries(void)
{
	static const struct { uint64_t gpa, size; enum swn_bad bad; const char *what; } bad[] = {
		{ 0x48000000, 0, SWN_BAD_SIZE, "size 0" },
		{ 0x48000000, 100, SWN_BAD_SIZE, "size 100" },
		{ 0x48000000, 6144, SWN_BAD_SIZE, "size not a multiple of 4 KiB" },
		{ 0x48000000, 0x80000000u, SWN_BAD_SIZE, "size 2 GiB" },
		{ 0x48000800, 4096, SWN_BAD_ALIGN, "unaligned GPA" },
		{ 0xfffffffffffff000ull, 8192, SWN_BAD_WRAP, "GPA + SIZE wraps" },
		{ 0, 4096, SWN_BAD_NO_GPA, "GPA 0 with PENDING > 0" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fake f;
		struct swn_io io = { f_rd, f_wr, &f };
		struct swn_stats st = { 0 };
		struct log l = { 0 };

		fake_init(&f);
		push(&f, bad[i].gpa, bad[i].size);
		push(&f, 0x49000000, 4096);
		tap_eq(swn_poll(&io, on_page, &l, &st), 2, "%s: both entries consumed", bad[i].what);
		tap_ok(st.rejected == 1 && l.n == 2 && l.bad[0] == bad[i].bad && l.page[0] == 0,
		       "%s: rejected as '%s', never offlined", bad[i].what, swn_bad_text(bad[i].bad));
		tap_ok(l.bad[1] == SWN_BAD_NONE && l.page[1] == 0x49000000 && st.pages == 1,
		       "%s: the entry behind it is handled", bad[i].what);
	}
}

static void test_hostile(void)
{
	struct fake f;
	struct swn_io io = { f_rd, f_wr, &f };
	struct swn_stats st = { 0 };
	struct log l = { 0 };

	fake_init(&f);
	f.stuck = 1;
	push(&f, 0x48001000, 4096);
	tap_eq(swn_poll(&io, on_page, &l, &st), -EIO, "stuck entry: -EIO");
	tap_eq(l.n, 1, "stuck entry: offlined once, not in a loop");
	tap_eq(st.stuck, 1, "stuck entry: counted");

	fake_init(&f);
	memset(&st, 0, sizeof(st));
	memset(&l, 0, sizeof(l));
	f.endless = 1;
	push(&f, 0x48001000, 4096);
	tap_eq(swn_poll(&io, on_page, &l, &st), SWN_MAX_PER_POLL, "endless queue: bounded per poll");
	tap_eq(st.truncated, 1, "endless queue: truncation counted");

	fake_init(&f);
	memset(&st, 0, sizeof(st));
	memset(&l, 0, sizeof(l));
	f.seq_drift = 1;
	push(&f, 0x48001000, 4096);
	tap_eq(swn_poll(&io, on_page, &l, &st), -EAGAIN, "SEQ changing under us: -EAGAIN");
	tap_ok(l.n == 1 && l.bad[0] == SWN_BAD_UNSTABLE && f.acks == 0,
	       "SEQ changing under us: reported, nothing offlined or acknowledged");
	tap_ok(f.reads < 100, "SEQ changing under us: bounded re-reads (%u)", f.reads);

	fake_init(&f);
	memset(&st, 0, sizeof(st));
	memset(&l, 0, sizeof(l));
	f.pending_lie = 1;
	tap_eq(swn_poll(&io, on_page, &l, &st), -EIO, "PENDING stuck at 1 with nothing: stops");
	tap_ok(f.acks <= 2 && st.rejected <= 2, "PENDING stuck: at most two tries (%u acks)", f.acks);

	/* An ACK the device does not confirm is counted, not retried forever. */
	fake_init(&f);
	memset(&st, 0, sizeof(st));
	memset(&l, 0, sizeof(l));
	push(&f, 0x48001000, 4096);
	tap_eq(swn_ack(&io, 77), -EIO, "ACK of a wrong SEQ: STATUS says no");
	tap_eq(f.n, 1, "ACK of a wrong SEQ: entry kept");
	tap_eq(swn_ack(&io, 1), 0, "ACK of the right SEQ: STATUS says yes");
}

static void wfile(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		tap_ok(0, "write %s", path);
	if (fd >= 0)
		close(fd);
}

static void test_dt(void)
{
	static const unsigned char reg22[] = { 0, 0, 0, 0, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0 };
	static const unsigned char reg11[] = { 0x0a, 0x00, 0x30, 0x00, 0, 0, 0x02, 0 };
	static const unsigned char one[] = { 0, 0, 0, 1 };
	static const char compat[] = "vendor,other\0seawall,notify-v1";
	static const char decoy[] = "seawall,notify-v10\0arm,pl011";
	char root[] = "/tmp/seawall-dt.XXXXXX", p[512];
	uint64_t base = 0, size = 0;

	tap_eq(swn_dt_parse_reg(reg22, sizeof(reg22), 2, 2, &base, &size), 0, "reg 2+2 cells");
	tap_ok(base == 0x09010000 && size == 0x1000, "reg 2+2: base 0x%llx size 0x%llx",
	       (unsigned long long)base, (unsigned long long)size);
	tap_eq(swn_dt_parse_reg(reg11, sizeof(reg11), 1, 1, &base, &size), 0, "reg 1+1 cells");
	tap_ok(base == 0x0a003000 && size == 0x200, "reg 1+1: values");
	tap_eq(swn_dt_parse_reg(reg11, sizeof(reg11), 2, 2, &base, &size), -EINVAL, "reg too short");
	tap_eq(swn_dt_parse_reg(reg22, sizeof(reg22), 3, 2, &base, &size), -EINVAL, "3 address cells refused");

	if (!mkdtemp(root)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(p, sizeof(p), "%s/uart@9000000", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/uart@9000000/compatible", root);
	wfile(p, decoy, sizeof(decoy));
	snprintf(p, sizeof(p), "%s/uart@9000000/reg", root);
	wfile(p, reg22, sizeof(reg22));
	base = size = 0;
	tap_eq(swn_dt_find(root, &base, &size), -ENOENT, "dt: a near-miss compatible is not taken");

	snprintf(p, sizeof(p), "%s/bus", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/bus/#address-cells", root);
	wfile(p, one, 4);
	snprintf(p, sizeof(p), "%s/bus/#size-cells", root);
	wfile(p, one, 4);
	snprintf(p, sizeof(p), "%s/bus/notify@a003000", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/bus/notify@a003000/compatible", root);
	wfile(p, compat, sizeof(compat));
	snprintf(p, sizeof(p), "%s/bus/notify@a003000/reg", root);
	wfile(p, reg11, sizeof(reg11));
	tap_eq(swn_dt_find(root, &base, &size), 0, "dt: found under a 1+1-cell bus");
	tap_ok(base == 0x0a003000 && size == 0x200, "dt: reg read with the parent's cell sizes");

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	if (system(p))
		tap_diag("could not remove the fake tree");
}

int main(void)
{
	test_probe();
	test_drain();
	test_page_errors();
	test_bad_entries();
	test_hostile();
	test_dt();
	return tap_done();
}
