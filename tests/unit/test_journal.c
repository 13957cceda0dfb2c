// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * Journal crash safety.  A five-record journal is cut at every byte
 * offset and has every bit of every byte flipped in turn; after each
 * change a replay must keep exactly the records that are still intact,
 * report a torn tail as torn and damage before a valid record as
 * corruption, and a later append must land after the valid prefix.
 * Then the same through a context: reload returns every page, and the
 * warnings reach the log and event callbacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seawall.h>
#include "internal.h"
#include "tap.h"

#define NREC	5
#define HDR	16
#define REC	68

static char dir[64] = "/dev/shm/seawall-journal-XXXXXX";
static char path[256], path2[256];

struct seen {
	int n;
	uint64_t gpa[64];
};

static int collect(const struct seawall_page *pg, void *arg)
{
	struct seen *s = arg;

	if (s->n < 64)
		s->gpa[s->n] = pg->gpa;
	s->n++;
	return 0;
}

static void write_file(const char *p, const void *buf, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		abort();
	close(fd);
}

static struct seawall_page page_n(int i)
{
	struct seawall_page pg;

	memset(&pg, 0, sizeof(pg));
	pg.gpa = 0x40000000ull + (uint64_t)i * 0x1000;
	pg.gva = 0x7000 + (uint64_t)i;
	pg.first_ns = 1000 + (uint64_t)i;
	pg.last_ns = 2000 + (uint64_t)i;
	pg.esr = 0x92000010;
	pg.hits = (uint32_t)i + 1;
	pg.actions = SEAWALL_ACT_ISOLATE;
	pg.source = SEAWALL_SRC_SEA;
	pg.guest_el = (int8_t)(i & 1);
	pg.page_shift = 12;
	return pg;
}

static int log_warn, log_err, ev_torn, ev_err;

static void on_log(int level, const char *msg, void *arg)
{
	(void)arg;
	(void)msg;
	if (level == SEAWALL_LOG_WARN)
		log_warn++;
	if (level == SEAWALL_LOG_ERR)
		log_err++;
}

static void on_event(const struct seawall_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == SEAWALL_EV_JOURNAL_TORN)
		ev_torn++;
	if (ev->type == SEAWALL_EV_JOURNAL_ERROR)
		ev_err++;
}

int main(void)
{
	struct seawall_journal_stats st;
	struct seawall_journal *j;
	uint8_t orig[HDR + NREC * REC], buf[sizeof(orig)];
	struct seen s;
	int bad_cut = 0, bad_flip = 0, bad_append = 0, r;

	/* tmpfs keeps thousands of rewrites fast; any directory would do. */
	if (!mkdtemp(dir)) {
		memcpy(dir, "/tmp/seawall-journal-XXXXXX", sizeof("/tmp/seawall-journal-XXXXXX"));
		if (!mkdtemp(dir))
			tap_skip_all("cannot create a temporary directory");
	}
	snprintf(path, sizeof(path), "%s/j", dir);
	snprintf(path2, sizeof(path2), "%s/j2", dir);

	j = seawall_journal_open(path, 0);
	tap_ok(j != NULL, "open a new journal");
	if (!j)
		return tap_done();
	for (int i = 0; i < NREC; i++) {
		struct seawall_page pg = page_n(i);

		r = seawall_journal_append(j, &pg);
		if (r)
			break;
	}
	tap_eq(r, 0, "append %d records with fsync", NREC);
	seawall_journal_close(j);
	{
		int fd = open(path, O_RDONLY);
		struct stat sb;
		ssize_t n = read(fd, orig, sizeof(orig));

		fstat(fd, &sb);
		close(fd);
		tap_ok(n == (ssize_t)sizeof(orig) && sb.st_size == (off_t)sizeof(orig),
		       "file is header + %d records of %d bytes", NREC, REC);
	}

	j = seawall_journal_open(path, SEAWALL_JOURNAL_RDONLY);
	memset(&s, 0, sizeof(s));
	r = seawall_journal_replay(j, collect, &s, &st);
	seawall_journal_close(j);
	tap_ok(r == NREC && s.n == NREC && st.corrupt == 0 && st.torn_bytes == 0 &&
	       st.last_seq == NREC, "clean replay: %d records, no damage", r);
	{
		int same = s.n == NREC;

		for (int i = 0; i < NREC && same; i++)
			same = s.gpa[i] == page_n(i).gpa;
		tap_ok(same, "records come back in order with their addresses");
	}

	/* Cut at every offset. */
	for (size_t cut = 0; cut <= sizeof(orig); cut++) {
		int want = cut < HDR ? 0 : (int)((cut - HDR) / REC);
		size_t torn = cut < HDR ? 0 : (cut - HDR) % REC;
		struct seawall_page extra = page_n(9);

		write_file(path2, orig, cut);
		j = seawall_journal_open(path2, SEAWALL_JOURNAL_NOSYNC);
		if (!j) {
			bad_cut++;
			continue;
		}
		memset(&s, 0, sizeof(s));
		r = seawall_journal_replay(j, collect, &s, &st);
		if (r != want || s.n != want || st.torn_bytes != torn || st.corrupt)
			bad_cut++;
		for (int i = 0; i < s.n && i < want; i++)
			if (s.gpa[i] != page_n(i).gpa)
				bad_cut++;
		/* The next append goes right after the valid prefix. */
		if (seawall_journal_append(j, &extra))
			bad_append++;
		seawall_journal_close(j);
		j = seawall_journal_open(path2, SEAWALL_JOURNAL_RDONLY);
		memset(&s, 0, sizeof(s));
		r = j ? seawall_journal_replay(j, collect, &s, &st) : -1;
		if (r != want + 1 || st.torn_bytes || st.corrupt || s.gpa[want] != extra.gpa)
			bad_append++;
		seawall_journal_close(j);
	}
	tap_eq(bad_cut, 0, "cut at each of %zu offsets: valid prefix kept, torn tail measured",
	       sizeof(orig) + 1);
	tap_eq(bad_append, 0, "after every cut an append follows the valid prefix");

	/* Flip every bit. */
	for (size_t b = 0; b < sizeof(orig); b++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, orig, sizeof(buf));
			buf[b] ^= (uint8_t)(1u << bit);
			write_file(path2, buf, sizeof(buf));
			j = seawall_journal_open(path2, SEAWALL_JOURNAL_RDONLY);
			if (b < HDR) {
				/* A damaged header: refused, never rewritten. */
				if (j || (errno != EINVAL && errno != EBADMSG))
					bad_flip++;
				seawall_journal_close(j);
				continue;
			}
			if (!j) {
				bad_flip++;
				continue;
			}
			memset(&s, 0, sizeof(s));
			r = seawall_journal_replay(j, collect, &s, &st);
			seawall_journal_close(j);
			{
				int k = (int)((b - HDR) / REC);
				int last = k == NREC - 1;
				int ok = r == NREC - 1 && s.n == NREC - 1 &&
					 st.corrupt == (last ? 0u : 1u) &&
					 st.corrupt_bytes == (last ? 0u : (unsigned)REC) &&
					 st.torn_bytes == (last ? (unsigned)REC : 0u);

				for (int i = 0, g = 0; ok && i < NREC; i++) {
					if (i == k)
						continue;
					ok = s.gpa[g++] == page_n(i).gpa;
				}
				if (!ok)
					bad_flip++;
			}
		}
	}
	tap_eq(bad_flip, 0, "every single-bit flip: only the hit record is lost; "
	       "middle damage reported as corrupt, last as torn");

	/* Through a context: reload, warnings, events. */
	{
		SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
		SEAWALL_OPTS(seawall_region_opts, ro);
		struct seawall_ctx *ctx;
		struct seawall_page pg;
		struct seawall_notice nt[8];

		o.journal_path = path2;
		o.log_fn = on_log;
		o.event_fn = on_event;
		o.strategy = SEAWALL_ISOLATE_NONE;
		o.journal_nosync = 1;

		/* Middle record 1 damaged, tail cut in record 4. */
		memcpy(buf, orig, sizeof(buf));
		buf[HDR + REC + 20] ^= 0x40;
		write_file(path2, buf, sizeof(buf) - 10);
		ctx = seawall_ctx_new(&o);
		tap_ok(ctx != NULL, "context opens a damaged journal");
		tap_eq(seawall_ledger_count(ctx), 3, "records 0, 2, 3 reloaded");
		tap_ok(seawall_ledger_lookup(ctx, page_n(1).gpa, &pg) == -ENOENT &&
		       seawall_ledger_lookup(ctx, page_n(2).gpa, &pg) == 0 && pg.hits == 3 &&
		       pg.esr == 0x92000010 && pg.gva == page_n(2).gva && pg.source == SEAWALL_SRC_SEA,
		       "the reloaded page keeps hits, ESR, gva and source");
		tap_ok(log_warn == 1 && ev_torn == 1, "torn tail: one warning, one event");
		tap_ok(log_err == 1 && ev_err == 1, "middle corruption: one error log, one event");
		seawall_ctx_free(ctx);

		/* Append through the context, reload, re-isolate. */
		ctx = seawall_ctx_new(&o);
		ro.gpa = 0x40000000;
		ro.size = 0x100000;
		seawall_region_add(ctx, &ro);
		seawall_ctx_handle_test(ctx, 0x40080123, NULL);
		seawall_ctx_free(ctx);
		o.strategy = SEAWALL_ISOLATE_QUARANTINE;
		ctx = seawall_ctx_new(&o);
		tap_eq(seawall_ledger_count(ctx), 4, "a page recorded by the last context is reloaded");
		tap_ok(seawall_ledger_lookup(ctx, 0x40080000, &pg) == 0 && pg.source == SEAWALL_SRC_TEST,
		       "with its source");
		seawall_region_add(ctx, &ro);
		tap_eq(seawall_ctx_reisolate(ctx), 4, "every reloaded page is re-isolated");
		tap_eq(seawall_notify_peek(ctx, nt, 8), 4, "and queued for the guest again");
		tap_eq(seawall_ledger_check_range(ctx, 0x40002000, 0x2000), -EHWPOISON,
		       "a device access over a reloaded page is refused");
		seawall_ctx_free(ctx);

		/* Two writers on one journal. */
		ctx = seawall_ctx_new(&o);
		j = seawall_journal_open(path2, 0);
		tap_ok(!j && errno == EBUSY, "a second writer gets EBUSY");
		seawall_ctx_free(ctx);

		/* Not a journal. */
		write_file(path2, "hello, world, this is text\n", 27);
		ctx = seawall_ctx_new(&o);
		tap_ok(!ctx && errno == EINVAL, "a file that is not a journal is refused, untouched");
		{
			struct stat sb;

			tap_ok(stat(path2, &sb) == 0 && sb.st_size == 27, "and left as it was");
		}

		/* Shorter than a header: only the start of ours is (re)initialised. */
		write_file(path2, "hello\n", 6);
		ctx = seawall_ctx_new(&o);
		{
			char got[8] = "";
			int fd = open(path2, O_RDONLY);

			tap_ok(!ctx && errno == EINVAL && fd >= 0 && read(fd, got, sizeof(got)) == 6 &&
			       !memcmp(got, "hello\n", 6), "a short file that is not a journal is refused, untouched");
			close(fd);
		}
		write_file(path2, orig, 7);
		ctx = seawall_ctx_new(&o);
		tap_ok(ctx && seawall_ledger_count(ctx) == 0, "a header cut short is re-initialised");
		seawall_ctx_free(ctx);
	}

	/* A page record the CRC vouches for but that names no page. */
	{
		struct seawall_page pg = page_n(1);

		j = seawall_journal_open(path2, SEAWALL_JOURNAL_NOSYNC);
		pg.gpa += 0x800;
		tap_eq(seawall_journal_append(j, &pg), -EINVAL, "append of a misaligned page: -EINVAL");
		pg = page_n(1);
		pg.page_shift = 21;
		tap_eq(seawall_journal_append(j, &pg), -EINVAL, "append of a 2M page at a 4K boundary: -EINVAL");
		pg.page_shift = 40;
		tap_eq(seawall_journal_append(j, &pg), -EINVAL, "append of a 2^40-byte page: -EINVAL");
		seawall_journal_close(j);

		/* Written as the library would, page size field changed, CRC redone. */
		memcpy(buf, orig, sizeof(buf));
		buf[HDR + REC + 16 + 43] = (uint8_t)((buf[HDR + REC + 16 + 43] & 0xc0) | 21);
		{
			uint32_t crc = sw_crc32c(0, buf + HDR + REC, REC - 4);

			memcpy(buf + HDR + 2 * REC - 4, &crc, 4);
		}
		write_file(path2, buf, sizeof(buf));
		j = seawall_journal_open(path2, SEAWALL_JOURNAL_RDONLY);
		memset(&s, 0, sizeof(s));
		r = seawall_journal_replay(j, collect, &s, &st);
		seawall_journal_close(j);
		tap_ok(r == NREC - 1 && s.n == NREC - 1 && s.gpa[1] == page_n(2).gpa &&
		       st.corrupt == 1 && st.corrupt_bytes == REC,
		       "a CRC-valid record of a misaligned 2M page is damage, not a page");
	}

	unlink(path);
	unlink(path2);
	rmdir(dir);
	return tap_done();
}
