// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The journal reader, through the library's own open path: the input is
 * written as a journal file (in a directory of its own on tmpfs: the
 * library refuses a symbolic link such as /proc/self/fd/N, and compacts a
 * journal by renaming a new file over it) and read
 * with seawall_journal_open() + seawall_journal_replay(), then loaded by a
 * context the way a restarted VMM would, re-isolated, appended to and
 * read back.
 *
 * Input: u8 mode | file bytes.  mode bit 0: before use, give every
 * record-shaped region (magic, then a length that fits) a correct CRC, so
 * that the fuzzer reaches the record contents and not only the checksum;
 * bit 1: prepend a valid file header.
 *
 * Properties: open fails exactly as documented for a short, foreign or
 * damaged header, and a failed open leaves the file as it was; replay's
 * statistics add up (header + records + skipped bytes + torn tail = the
 * file) and are the same on a second pass; a context loads one ledger
 * entry per distinct page, with every page aligned to its page size;
 * re-isolation only ever cuts whole pages out of memslots; pages count
 * toward the threshold only inside a region at their own size; an append
 * after any damage is read back with every earlier page, and leaves no
 * torn tail; a journal with superseded records is compacted to one
 * record per page at open; replay checksums at most 32 bytes per byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "internal.h"
#include "fuzz.h"

#define HDR_SIZE	16
#define REC_MAGIC	0x524a5753u
#define MAX_PAGES	256
#define RAM		0x40000000ULL	/* 64 MiB of 4 KiB pages */
#define HUGE		0x80000000ULL	/* 64 MiB of 2 MiB pages */
#define SIZE		(64ULL << 20)

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void header(uint8_t *h)
{
	memcpy(h, "SWJRNL01", 8);
	put32(h + 8, 1);
	put32(h + 12, sw_crc32c(0, h, 12));
}

/* Give every record-shaped region its CRC. */
static void fix_crcs(uint8_t *p, size_t n)
{
	for (size_t off = HDR_SIZE; off + 20 <= n;) {
		uint32_t len = (uint32_t)p[off + 4] | (uint32_t)p[off + 5] << 8;

		if (get32(p + off) != REC_MAGIC || len < 20 || len > n - off) {
			off++;
			continue;
		}
		put32(p + off + len - 4, sw_crc32c(0, p + off, len - 4));
		off += len;
	}
}

struct pages {
	struct seawall_page pg[MAX_PAGES];
	struct seawall_page last;
	unsigned int n, total, live;
	uint64_t hash;
};

static int collect(const struct seawall_page *pg, void *arg)
{
	struct pages *ps = arg;
	const uint8_t *b = (const uint8_t *)pg;

	for (size_t i = 0; i < sizeof(*pg); i++)
		ps->hash = (ps->hash ^ b[i]) * 0x100000001b3ULL;
	if (ps->n < MAX_PAGES)
		ps->pg[ps->n++] = *pg;
	ps->last = *pg;
	ps->total++;
	ps->live += !(pg->flags & SEAWALL_PAGE_REPLACED);
	return 0;
}

static int check_unique(const struct seawall_page *pg, void *arg)
{
	struct pages *ps = arg;

	for (unsigned int i = 0; i < ps->n; i++)
		fuzz_check(ps->pg[i].gpa != pg->gpa, "page 0x%llx listed twice",
			   (unsigned long long)pg->gpa);
	fuzz_check(pg->page_shift >= 12 && pg->page_shift <= 30 &&
		   !(pg->gpa & ((1ULL << pg->page_shift) - 1)),
		   "page 0x%llx shift %u: not a page", (unsigned long long)pg->gpa, pg->page_shift);
	return collect(pg, arg);
}

static int memslot_set(void *arg, const struct seawall_memslot *s)
{
	uint64_t ps = s->gpa >= HUGE ? 2ULL << 20 : 4096;

	(void)arg;
	fuzz_check(!(s->gpa & (ps - 1)) && !(s->size & (ps - 1)),
		   "memslot %u at 0x%llx size 0x%llx cuts a %llu-byte page", s->slot,
		   (unsigned long long)s->gpa, (unsigned long long)s->size,
		   (unsigned long long)ps);
	return 0;
}

static int open_errno(const uint8_t *f, size_t n)
{
	uint8_t h[HDR_SIZE];

	header(h);
	if (!n)
		return ENODATA;
	if (n < HDR_SIZE)
		return EBADMSG;
	if (memcmp(f, h, 8))
		return EINVAL;
	return memcmp(f, h, HDR_SIZE) ? EBADMSG : 0;
}

/* What a writable open (a context) must do with the file: 0 or an errno. */
static int ctx_errno(const uint8_t *f, size_t n)
{
	uint8_t h[HDR_SIZE];

	header(h);
	if (n < HDR_SIZE)	/* empty, or a header cut short: (re)created */
		return memcmp(f, h, n) ? EINVAL : 0;
	return open_errno(f, n);
}

static bool has_gpa(const struct pages *ps, uint64_t gpa)
{
	for (unsigned int i = 0; i < ps->n; i++)
		if (ps->pg[i].gpa == gpa)
			return true;
	return false;
}

static void file_is(const char *path, const uint8_t *want, size_t n)
{
	uint8_t *got = malloc(n + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r = pread(fd, got, n + 1, 0);

	fuzz_check(r == (ssize_t)n && !memcmp(got, want, n), "a failed open changed the file");
	close(fd);
	free(got);
}

static char jdir[64], jfile[96];

/* After each input: the replay runner ends its children with _exit(). */
static void rm_jdir(void)
{
	unlink(jfile);
	rmdir(jdir);
	jdir[0] = 0;
}

/* The journal file, in a directory of its own. */
static const char *jpath(void)
{
	if (!jdir[0]) {
		strcpy(jdir, "/dev/shm/fuzz-journal-XXXXXX");
		if (!mkdtemp(jdir)) {
			strcpy(jdir, "/tmp/fuzz-journal-XXXXXX");
			fuzz_check(mkdtemp(jdir), "mkdtemp: %s", strerror(errno));
		}
		snprintf(jfile, sizeof(jfile), "%s/j", jdir);
	}
	return jfile;
}

static void write_file(const char *path, const uint8_t *f, size_t n)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	fuzz_check(fd >= 0 && write(fd, f, n) == (ssize_t)n, "write %s: %s", path, strerror(errno));
	close(fd);
}

static bool in_regions(const struct seawall_page *pg)
{
	if (pg->flags & SEAWALL_PAGE_REPLACED)
		return false;
	if (pg->gpa >= RAM && pg->gpa - RAM < SIZE)
		return pg->page_shift == 12;
	if (pg->gpa >= HUGE && pg->gpa - HUGE < SIZE)
		return pg->page_shift == 21;
	return false;
}

static void check_stats(const struct seawall_journal_stats *st, size_t n)
{
	fuzz_check(st->end >= HDR_SIZE && st->end <= n && st->torn_bytes == n - st->end,
		   "end %llu + torn %llu != size %zu", (unsigned long long)st->end,
		   (unsigned long long)st->torn_bytes, n);
	fuzz_check(st->corrupt <= st->records && !st->corrupt == !st->corrupt_bytes,
		   "corrupt regions lie between records");
	fuzz_check(st->records * 20 + st->corrupt_bytes <= st->end - HDR_SIZE,
		   "records and skipped bytes fit before end");
}

static void through_ctx(const uint8_t *f, size_t n, const struct seawall_journal_stats *st0,
			const struct pages *p0)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	SEAWALL_OPTS(seawall_memslot_ops, ops);
	struct seawall_journal_stats st1;
	struct seawall_journal *j;
	struct seawall_outcome out;
	struct seawall_stats cs;
	struct seawall_ctx *ctx;
	struct pages *seen = calloc(1, sizeof(*seen));
	struct pages *p1 = calloc(1, sizeof(*p1));
	const char *path = jpath();
	int r, want = ctx_errno(f, n);
	uint64_t gpa = RAM + SIZE - 4096;
	unsigned int counted = 0;
	uint64_t other0;
	bool compacted;

	write_file(path, f, n);
	ops.set = memslot_set;
	o.vm_fd = -1;
	o.journal_path = path;
	o.journal_nosync = 1;
	o.memslot_ops = &ops;
	o.spare_slot_base = 100;
	o.spare_slot_count = 1000;
	ctx = seawall_ctx_new(&o);
	if (!ctx) {
		fuzz_check(errno == want, "context on a bad journal: %s, want %s",
			   strerror(errno), strerror(want));
		file_is(path, f, n);
		goto out;
	}
	fuzz_check(!want, "context accepted a bad journal (want %s)", strerror(want));

	/* One entry per distinct page. */
	fuzz_check(seawall_ledger_foreach(ctx, check_unique, seen) == (int)seen->total &&
		   seen->total == (unsigned int)seawall_ledger_count(ctx), "foreach");
	/* No region yet: nothing counts toward the threshold. */
	fuzz_check(seawall_ctx_get_stats(ctx, &cs) == 0 && cs.journal_errors == st0->corrupt &&
		   cs.poisoned_pages == 0, "context stats");
	for (unsigned int i = 0; i < p0->n; i++)
		fuzz_check(has_gpa(seen, p0->pg[i].gpa), "replayed page 0x%llx not loaded",
			   (unsigned long long)p0->pg[i].gpa);

	ro.gpa = RAM;
	ro.size = SIZE;
	ro.slot = 1;
	fuzz_check(seawall_region_add(ctx, &ro) >= 0, "region");
	ro.gpa = HUGE;
	ro.page_size = 2ULL << 20;
	ro.slot = 2;
	fuzz_check(seawall_region_add(ctx, &ro) >= 0, "huge region");
	for (unsigned int i = 0; i < seen->n; i++)
		counted += in_regions(&seen->pg[i]);
	fuzz_check(seawall_ctx_get_stats(ctx, &cs) == 0 && cs.poisoned_pages == counted,
		   "%llu pages counted, %u in the regions", (unsigned long long)cs.poisoned_pages,
		   counted);
	seawall_ctx_reisolate(ctx);

	/* A page the journal does not name: new, so always journaled. */
	while (has_gpa(seen, gpa))
		gpa -= 4096;
	r = seawall_ctx_handle_test(ctx, gpa, &out);
	fuzz_check(r >= 0 && (out.actions & SEAWALL_ACT_JOURNALED), "append: actions 0x%x", r);
	seawall_ctx_free(ctx);

	/*
	 * Superseded page records, or more than one record of no page, make
	 * the open compact.  A context adds event-number marks (a record of
	 * no page): one kept by the compaction, one reserved at the first
	 * event, the exact one at close.
	 */
	other0 = st0->records - p0->total;
	compacted = p0->total > seen->total || other0 > 1;
	j = seawall_journal_open(path, SEAWALL_JOURNAL_RDONLY);
	fuzz_check(j, "reopen: %s", strerror(errno));
	fuzz_check(seawall_journal_replay(j, collect, p1, &st1) >= 0, "replay after append");
	seawall_journal_close(j);
	fuzz_check(st1.torn_bytes == 0, "torn tail cut before the append");
	if (compacted)
		fuzz_check(st1.records - p1->total <= 3 && st1.corrupt == 0 &&
			   p1->total == seen->total + 1, "compacted: %llu records for %u pages",
			   (unsigned long long)st1.records, seen->total);
	else
		fuzz_check(st1.records - p1->total <= other0 + 2 && st1.corrupt == st0->corrupt &&
			   p1->total == p0->total + 1, "records %llu -> %llu",
			   (unsigned long long)st0->records, (unsigned long long)st1.records);
	fuzz_check(p1->last.gpa == gpa, "the appended page is last");
out:
	unlink(path);
	free(seen);
	free(p1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seawall_journal_stats st, st2;
	struct seawall_journal *j;
	struct pages *p = calloc(1, sizeof(*p)), *p2 = calloc(1, sizeof(*p2));
	unsigned int mode = size ? data[0] : 0;
	size_t n = size ? size - 1 : 0, off = (mode & 2) ? HDR_SIZE : 0;
	uint8_t *f = malloc(n + off + 1);
	const char *path = jpath();
	int want, r, r2;

	if (off)
		header(f);
	if (n)
		memcpy(f + off, data + 1, n);
	n += off;
	if (mode & 1)
		fix_crcs(f, n);

	write_file(path, f, n);
	want = open_errno(f, n);
	j = seawall_journal_open(path, SEAWALL_JOURNAL_RDONLY);
	fuzz_check(!j == !!want && (j || errno == want), "open: %s, want %s",
		   j ? "ok" : strerror(errno), strerror(want));
	if (j) {
		r = seawall_journal_replay(j, collect, p, &st);
		fuzz_check(sw_journal_crc_bytes(j) <= 32 * (uint64_t)n, "%llu bytes checksummed for %zu",
			   (unsigned long long)sw_journal_crc_bytes(j), n);
		r2 = seawall_journal_replay(j, collect, p2, &st2);
		seawall_journal_close(j);
		fuzz_check(r >= 0 && (uint64_t)r == st.records, "replay %d, %llu records", r,
			   (unsigned long long)st.records);
		check_stats(&st, n);
		fuzz_check(r2 == r && !memcmp(&st, &st2, sizeof(st)) && p->hash == p2->hash &&
			   p->total == p2->total, "a second replay differs");
		fuzz_check(p->total <= st.records, "more pages than records");
	} else {
		memset(&st, 0, sizeof(st));
	}
	file_is(path, f, n);
	through_ctx(f, n, &st, p);
	rm_jdir();
	free(f);
	free(p);
	free(p2);
	return 0;
}
