// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The journal against a hostile guest and a hostile file (issue 14):
 * replay reads through a bounded window (a 128 MiB file costs no more
 * memory than a small one) and checksums O(size) bytes whatever the file
 * holds; a page hit in a loop adds records only when its state changes,
 * and the counters come back after a clean close; an open compacts the
 * journal to its live set, safely; a symbolic link is refused; pages of
 * the journal that no region holds do not count toward the restart
 * threshold; and more pages than max_pages is an error that says what to do.
 * A fake clock (sw_test_clock) makes the timing exact.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seawall.h>
#include "internal.h"
#include "tap.h"

#define HDR	16
#define REC	68
#define EV_REC	36	/* the event-number mark a context records (0.2) */
#define RAM	0x40000000ull

static char dir[64] = "/dev/shm/seawall-hostile-XXXXXX";
static char path[256];
static uint64_t fake_now = 1700000000000000000ull;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static char logbuf[4096];

static void on_log(int level, const char *msg, void *arg)
{
	(void)arg;
	(void)level;
	strncat(logbuf, msg, sizeof(logbuf) - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

static void header(uint8_t *h)
{
	memcpy(h, "SWJRNL01", 8);
	put32(h + 8, 1);
	put32(h + 12, sw_crc32c(0, h, 12));
}

static off_t size_of(const char *p)
{
	struct stat sb;

	return stat(p, &sb) ? -1 : sb.st_size;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int entries_in(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;

	while (dp && (de = readdir(dp)))
		n += de->d_name[0] != '.';
	if (dp)
		closedir(dp);
	return n;
}

static struct seawall_page page_at(uint64_t gpa, uint32_t hits)
{
	struct seawall_page pg;

	memset(&pg, 0, sizeof(pg));
	pg.gpa = gpa;
	pg.first_ns = 1;
	pg.last_ns = hits;
	pg.hits = hits;
	pg.source = SEAWALL_SRC_TEST;
	pg.guest_el = -1;
	pg.page_shift = 12;
	return pg;
}

/* A journal of the given pages, each written reps times (hits 1..reps). */
static void write_journal(const uint64_t *gpa, int n, int reps)
{
	struct seawall_journal *j;

	unlink(path);
	j = seawall_journal_open(path, SEAWALL_JOURNAL_NOSYNC);
	for (int r = 1; j && r <= reps; r++)
		for (int i = 0; i < n; i++) {
			struct seawall_page pg = page_at(gpa[i], (uint32_t)r);

			seawall_journal_append(j, &pg);
		}
	seawall_journal_close(j);
}

static struct seawall_ctx *ctx_on(const char *jpath, unsigned int max_pages)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);

	o.journal_path = jpath;
	o.journal_nosync = 1;
	o.strategy = SEAWALL_ISOLATE_NONE;
	o.max_pages = max_pages;
	o.log_fn = on_log;
	return seawall_ctx_new(&o);
}

static void add_ram(struct seawall_ctx *ctx)
{
	SEAWALL_OPTS(seawall_region_opts, ro);

	ro.gpa = RAM;
	ro.size = 1 << 20;
	seawall_region_add(ctx, &ro);
}

/* A file of 'size' bytes: header, then the reclen bytes of rec every stride bytes. */
static void write_pattern(const char *p, size_t size, const uint8_t *rec, size_t reclen,
			  size_t stride)
{
	uint8_t *buf = calloc(1, size);
	int fd;

	header(buf);
	for (size_t off = HDR; off + reclen <= size; off += stride)
		memcpy(buf + off, rec, reclen);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, size) != (ssize_t)size)
		abort();
	close(fd);
	free(buf);
}

int main(void)
{
	struct seawall_journal_stats st;
	struct seawall_journal *j;
	struct seawall_outcome out;
	struct seawall_ctx *ctx;
	struct seawall_page pg;
	int r;

	if (!mkdtemp(dir)) {
		memcpy(dir, "/tmp/seawall-hostile-XXXXXX", sizeof("/tmp/seawall-hostile-XXXXXX"));
		if (!mkdtemp(dir))
			tap_skip_all("cannot create a temporary directory");
	}
	snprintf(path, sizeof(path), "%s/journal", dir);
	sw_test_clock = fake_clock;

	/* Streaming replay: first, while this process's peak memory is low. */
	{
		long before, grew;
		int fd;

		unlink(path);
		j = seawall_journal_open(path, SEAWALL_JOURNAL_NOSYNC);
		seawall_journal_close(j);
		fd = open(path, O_WRONLY);
		tap_ok(fd >= 0 && ftruncate(fd, 128 << 20) == 0, "a 128 MiB journal (a sparse file)");
		close(fd);
		before = max_rss_kib();
		j = seawall_journal_open(path, SEAWALL_JOURNAL_RDONLY);
		r = seawall_journal_replay(j, NULL, NULL, &st);
		seawall_journal_close(j);
		grew = max_rss_kib() - before;
		tap_ok(r == 0 && st.torn_bytes == (128 << 20) - HDR, "replayed: no record, all torn");
		tap_ok(grew < 16 * 1024, "replay's peak memory grew by %ld KiB (< 16 MiB for a 128 MiB file)",
		       grew);
	}

	/*
	 * Replay checksums at most 32 bytes per byte of file, whatever it
	 * holds: record-shaped bytes as densely as they fit, each with a
	 * wrong CRC.  A magic every 4 bytes makes every length 0x5753 (the
	 * next magic); every 8 bytes leaves room for a length and a type;
	 * every 68, for a whole page record that passes every check but its CRC.
	 */
	{
		static const struct { const char *name; uint16_t len, type; size_t stride; } pat[] = {
			{ "magic every 4 bytes", 0x5753, 0x524a, 4 },
			{ "page type, longest length", 0xffff, 1, 8 },
			{ "unknown type, longest length", 0xffff, 7, 8 },
			{ "unknown type, 128 bytes", 128, 7, 8 },
			{ "page type, page length", REC, 1, 8 },
			{ "page records with a bad CRC", REC, 1, REC },
		};
		const size_t size = 256 << 10;

		for (size_t i = 0; i < sizeof(pat) / sizeof(pat[0]); i++) {
			uint8_t rec[REC];
			uint64_t crc;

			memset(rec, 0, sizeof(rec));
			put32(rec, 0x524a5753u);
			put16(rec + 4, pat[i].len);
			put16(rec + 6, pat[i].type);
			rec[16 + 43] = 12;	/* page 0, 4 KiB */
			write_pattern(path, size, rec, pat[i].stride < REC ? pat[i].stride : REC,
				      pat[i].stride);
			j = seawall_journal_open(path, SEAWALL_JOURNAL_RDONLY);
			r = seawall_journal_replay(j, NULL, NULL, &st);
			crc = sw_journal_crc_bytes(j);
			seawall_journal_close(j);
			tap_ok(r == 0 && crc <= 32 * size,
			       "a crafted %zu KiB file (%s): %llu bytes checksummed (<= 32 per byte)",
			       size >> 10, pat[i].name, (unsigned long long)crc);
		}
	}

	/* A hit storm on two pages: records only on changes of state. */
	{
		SEAWALL_OPTS(seawall_policy_opts, po);
		off_t grown;

		unlink(path);
		ctx = ctx_on(path, 0);
		add_ram(ctx);
		po.restart_after_pages = SEAWALL_POLICY_NEVER;
		seawall_ctx_set_policy(ctx, &po);
		for (int i = 0; i < 1000; i++) {
			fake_now += 300000000;	/* 300 ms: every hit within the rate limit */
			seawall_ctx_handle_test(ctx, RAM + 0x1000, &out);
			seawall_ctx_handle_test(ctx, RAM + 0x2000, NULL);
		}
		grown = size_of(path);
		tap_ok(out.hits == 1000 && !(out.actions & SEAWALL_ACT_RATE_LIMITED),
		       "1000 reported hits on each of two pages");
		tap_ok(grown <= HDR + 2 * 4 * REC,
		       "the journal holds %lld bytes (<= header + 4 records a page)", (long long)grown);
		seawall_ctx_free(ctx);
		ctx = ctx_on(path, 0);
		tap_ok(ctx && seawall_ledger_lookup(ctx, RAM + 0x1000, &pg) == 0 && pg.hits == 1000 &&
		       pg.last_ns == fake_now, "after a clean close the hit count and last hit come back");
		tap_eq(size_of(path), HDR + 2 * REC + EV_REC,
		       "and the reopened journal is compacted to 2 page records and the event-number mark");
		seawall_ctx_free(ctx);
	}

	/* Compaction at open: the live set, the mode kept, no file left over, still locked. */
	{
		uint64_t gpa[3] = { RAM, RAM + 0x5000, RAM + 0x9000 };
		struct stat sb;

		write_journal(gpa, 3, 500);
		chmod(path, 0640);
		tap_eq(size_of(path), HDR + 1500 * REC, "a journal of 1500 records for 3 pages");
		ctx = ctx_on(path, 0);
		tap_ok(ctx && seawall_ledger_count(ctx) == 3, "the context loads 3 pages");
		tap_eq(size_of(path), HDR + 3 * REC, "the journal is compacted to 3 records at open");
		memset(&sb, 0, sizeof(sb));
		stat(path, &sb);
		tap_ok((sb.st_mode & 07777) == 0640, "with its mode kept (%o)",
		       (unsigned int)(sb.st_mode & 07777));
		tap_eq(entries_in(dir), 1, "no temporary file left in the directory");
		j = seawall_journal_open(path, 0);
		tap_ok(!j && errno == EBUSY, "the compacted journal is still locked: EBUSY");
		seawall_ledger_lookup(ctx, RAM + 0x5000, &pg);
		tap_eq(pg.hits, 500, "the last record of a page wins");
		add_ram(ctx);
		seawall_ctx_handle_test(ctx, RAM + 0xa000, &out);
		tap_ok(out.actions & SEAWALL_ACT_JOURNALED, "a new page is appended to the new file");
		seawall_ctx_free(ctx);
		j = seawall_journal_open(path, SEAWALL_JOURNAL_RDONLY);
		r = seawall_journal_replay(j, NULL, NULL, &st);
		seawall_journal_close(j);
		tap_ok(r == 6 && st.corrupt == 0 && st.torn_bytes == 0,
		       "which replays as 4 clean page records and 2 event-number marks (reserved, at close)");
	}

	/* Symbolic links are not followed. */
	{
		char victim[300], link[300];

		snprintf(victim, sizeof(victim), "%s/victim", dir);
		snprintf(link, sizeof(link), "%s/link", dir);
		close(open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600));
		tap_ok(symlink(victim, link) == 0, "a symbolic link planted where the journal goes");
		errno = 0;
		j = seawall_journal_open(link, 0);
		tap_ok(!j && errno == ELOOP, "journal open refuses it: ELOOP");
		ctx = ctx_on(link, 0);
		tap_ok(!ctx && errno == ELOOP, "so does a context");
		tap_eq(size_of(victim), 0, "the link's target is untouched");
		unlink(link);
		unlink(victim);
	}

	/* Journal pages outside every region do not count toward the threshold. */
	{
		uint64_t gpa[8];
		char buf[8192];

		for (int i = 0; i < 8; i++)
			gpa[i] = 0x1000000000ull + (uint64_t)i * 0x1000;
		write_journal(gpa, 8, 1);
		logbuf[0] = 0;
		ctx = ctx_on(path, 0);
		add_ram(ctx);
		seawall_ctx_handle_test(ctx, RAM + 0x3000, &out);
		tap_ok(!(out.actions & SEAWALL_ACT_RESTART),
		       "8 journal pages outside RAM + 1 new page: no threshold restart (default 8)");
		tap_eq(seawall_ledger_count(ctx), 9, "the outside pages stay in the ledger");
		seawall_metrics_render(ctx, buf, sizeof(buf));
		tap_ok(strstr(buf, "\nseawall_journal_outside_pages 8\n") &&
		       strstr(buf, "\nseawall_poisoned_pages_since_reset 1\n") &&
		       strstr(buf, "\nseawall_poisoned_pages 9\n"),
		       "metrics: 1 poisoned page since the reset, 8 outside, 9 in the ledger");
		tap_eq(seawall_ctx_reisolate(ctx), -ENOENT, "reisolate still says some match no region");
		tap_ok(strstr(logbuf, "8 page(s) from the journal") != NULL, "in one log line: %s", logbuf);
		seawall_ctx_free(ctx);
		j = seawall_journal_open(path, SEAWALL_JOURNAL_RDONLY);
		r = seawall_journal_replay(j, NULL, NULL, &st);
		seawall_journal_close(j);
		tap_eq(r, 11, "and stay in the journal (with 2 event-number marks)");
	}

	/* More distinct pages than max_pages: an error that says what to do. */
	{
		uint64_t gpa[10];

		for (int i = 0; i < 10; i++)
			gpa[i] = RAM + (uint64_t)i * 0x1000;
		write_journal(gpa, 10, 1);
		logbuf[0] = 0;
		errno = 0;
		ctx = ctx_on(path, 4);
		tap_ok(!ctx && errno == EOVERFLOW, "10 pages, max_pages 4: EOVERFLOW (%s)", strerror(errno));
		tap_ok(strstr(logbuf, "max_pages") && strstr(logbuf, "raise"), "the log says why: %s", logbuf);
		tap_eq(size_of(path), HDR + 10 * REC, "the journal is left as it was");
	}

	unlink(path);
	rmdir(dir);
	return tap_done();
}
