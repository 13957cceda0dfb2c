// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The journal: an append-only file of fixed-layout, checksummed records.
 *
 *   file header  "SWJRNL01" | u32 version | u32 crc32c(first 12 bytes)
 *   record       u32 magic | u16 len | u16 type | u64 seq | payload | u32 crc32c
 *   type 1       a page (48 bytes, encode_page())
 *   type 2       u64 event number | u64 0: every event number up to it may
 *                have been used; the last such record counts (since 0.2;
 *                earlier readers skip it as a type they do not know, and
 *                earlier journals have none)
 *
 * All little-endian.  A record is valid when its magic, length and CRC
 * agree, and a page record names a page (4 KiB to 1 GiB, aligned).
 * Replay scans for the next valid record after any damage, so a
 * damaged record in the middle costs only itself (reported), while damage
 * that runs to the end of the file is a torn tail (a write cut short by a
 * crash): dropped with a warning and cut off before the next append.
 *
 * The file may come from anyone who could write it, so replay costs
 * O(size) whatever it holds: a record's length is checked against its
 * type before any CRC (a page record is exactly REC_PAGE_LEN bytes, a type
 * this version does not know at most REC_MAX), the cheap page checks come
 * before the CRC too, and resync jumps from one magic to the next.  As the
 * four magic bytes differ, candidates are at least 4 bytes apart, so at
 * most REC_MAX / 4 bytes are checksummed per byte of file.  The file is
 * read through a fixed window, never whole.
 *
 * A writable open may be compacted (sw_journal_compact): the live set
 * goes to a new file in the same directory, made with mkstemp (O_EXCL:
 * never over a planted file), synced, renamed over the journal, and the
 * directory synced, so a crash leaves either the old file or the new one.
 * Symbolic links are refused (O_NOFOLLOW).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define HDR_MAGIC	"SWJRNL01"
#define HDR_SIZE	16
#define JOURNAL_VERSION	1
#define REC_MAGIC	0x524a5753u	/* "SWJR" */
#define REC_PAGE	1
#define REC_EV_SEQ	2
#define EV_SEQ_PAYLOAD	16
#define REC_EV_SEQ_LEN	(REC_HDR + EV_SEQ_PAYLOAD + 4)
/* Event numbers stay exact in a JSON reader's double: a mark near 2^53 is not ours. */
#define EV_SEQ_LIMIT	((1ULL << 53) - (1ULL << 32))
#define REC_HDR		16
#define PAGE_PAYLOAD	48
#define REC_PAGE_LEN	(REC_HDR + PAGE_PAYLOAD + 4)
#define REC_MIN		(REC_HDR + 4)
#define REC_MAX		128		/* longest record of a type we do not know */
#define WINDOW		65536		/* replay reads the file this much at a time */

struct seawall_journal {
	int fd;
	unsigned int flags;
	int scanned;
	uint64_t end;
	uint64_t seq;
	uint64_t crc_bytes;		/* checksummed by the last replay */
	uint64_t ev_seq;		/* highest event number recorded as used */
	uint64_t other_records;		/* valid records that are not pages */
	char *path;
	struct seawall_journal_stats st;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static void encode_page(uint8_t *p, const struct seawall_page *pg)
{
	put64(p, pg->gpa);
	put64(p + 8, pg->gva);
	put64(p + 16, pg->first_ns);
	put64(p + 24, pg->last_ns);
	put32(p + 32, pg->esr);
	put32(p + 36, pg->hits);
	put16(p + 40, (uint16_t)pg->actions);
	p[42] = pg->source;
	p[43] = (uint8_t)(((pg->guest_el & 3) << 6) | (pg->page_shift & 0x3f));
	p[44] = pg->flags;
	memset(p + 45, 0, 3);
}

static void decode_page(const uint8_t *p, struct seawall_page *pg)
{
	memset(pg, 0, sizeof(*pg));
	pg->gpa = get64(p);
	pg->gva = get64(p + 8);
	pg->first_ns = get64(p + 16);
	pg->last_ns = get64(p + 24);
	pg->esr = get32(p + 32);
	pg->hits = get32(p + 36);
	pg->actions = get16(p + 40);
	pg->source = p[42];
	pg->guest_el = (int8_t)((p[43] >> 6) == 3 ? -1 : (p[43] >> 6));
	pg->page_shift = p[43] & 0x3f;
	pg->flags = p[44];
}

static int write_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

struct seawall_journal *seawall_journal_open(const char *path, unsigned int flags)
{
	struct seawall_journal *j;
	uint8_t hdr[HDR_SIZE];
	struct stat sb;
	int err;

	if (!path || (flags & ~(SEAWALL_JOURNAL_RDONLY | SEAWALL_JOURNAL_NOSYNC))) {
		errno = EINVAL;
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		errno = ENOMEM;
		return NULL;
	}
	j->flags = flags;
	j->fd = -1;
	j->path = strdup(path);
	if (!j->path) {
		err = -ENOMEM;
		goto fail;
	}
	for (int tries = 0;; tries++) {
		struct stat now;

		/* Not through a symbolic link (ELOOP), nor blocked on a FIFO. */
		j->fd = open(path, ((flags & SEAWALL_JOURNAL_RDONLY) ? O_RDONLY : O_RDWR | O_CREAT) |
			     O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		if (j->fd < 0)
			goto fail_errno;
		if (fstat(j->fd, &sb) < 0)
			goto fail_errno;
		if (!S_ISREG(sb.st_mode)) {
			err = -EINVAL;
			goto fail;
		}
		if (flags & SEAWALL_JOURNAL_RDONLY)
			break;
		if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
			err = errno == EWOULDBLOCK ? -EBUSY : -errno;
			goto fail;
		}
		/*
		 * A writer compacting the journal renames a new file over it
		 * before it lets go of the old one's lock: the lock we got may
		 * be on the file that is no longer the journal.
		 */
		if (fstatat(AT_FDCWD, path, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_dev == sb.st_dev && now.st_ino == sb.st_ino)
			break;
		close(j->fd);
		j->fd = -1;
		if (tries == 8) {
			err = -EBUSY;
			goto fail;
		}
	}
	if (sb.st_size < HDR_SIZE) {
		/* New, or created and cut before its header was complete. */
		uint8_t old[HDR_SIZE];
		ssize_t n;

		if (flags & SEAWALL_JOURNAL_RDONLY) {
			err = sb.st_size ? -EBADMSG : -ENODATA;
			goto fail;
		}
		memcpy(hdr, HDR_MAGIC, 8);
		put32(hdr + 8, JOURNAL_VERSION);
		put32(hdr + 12, sw_crc32c(0, hdr, 12));
		n = pread(j->fd, old, (size_t)sb.st_size, 0);
		if (n < 0)
			goto fail_errno;
		if (n != sb.st_size || memcmp(old, hdr, (size_t)n)) {
			err = -EINVAL;		/* anything else that short is not ours */
			goto fail;
		}
		if (ftruncate(j->fd, 0) < 0)
			goto fail_errno;
		err = write_all(j->fd, hdr, sizeof(hdr), 0);
		if (!err && !(flags & SEAWALL_JOURNAL_NOSYNC) && fsync(j->fd) < 0)
			err = -errno;
		if (!err && !(flags & SEAWALL_JOURNAL_NOSYNC))
			err = sync_dir(path);
		if (err)
			goto fail;
	} else {
		ssize_t n = pread(j->fd, hdr, sizeof(hdr), 0);

		if (n != (ssize_t)sizeof(hdr)) {
			err = n < 0 ? -errno : -EIO;
			goto fail;
		}
		if (memcmp(hdr, HDR_MAGIC, 8)) {
			err = -EINVAL;		/* not ours: do not touch it */
			goto fail;
		}
		if (get32(hdr + 12) != sw_crc32c(0, hdr, 12) ||
		    get32(hdr + 8) != JOURNAL_VERSION) {
			err = -EBADMSG;
			goto fail;
		}
	}
	j->end = HDR_SIZE;
	return j;

fail_errno:
	err = -errno;
fail:
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
	errno = -err;
	return NULL;
}

void seawall_journal_close(struct seawall_journal *j)
{
	if (!j)
		return;
	close(j->fd);
	free(j->path);
	free(j);
}

/* A page record must name a page: 4 KiB to 1 GiB, aligned. */
static bool page_ok(uint64_t gpa, unsigned int shift)
{
	return shift >= 12 && shift <= 30 && !(gpa & ((1ULL << shift) - 1));
}

/*
 * Length of a valid record at p (n bytes available), or 0.  Everything
 * that costs nothing is checked before the CRC; *crc counts what the CRC
 * read.
 */
static uint32_t valid_record(const uint8_t *p, size_t n, uint64_t *crc)
{
	uint32_t len, type;

	if (n < REC_MIN || get32(p) != REC_MAGIC)
		return 0;
	len = get16(p + 4);
	type = get16(p + 6);
	if (type == REC_PAGE ? len != REC_PAGE_LEN : len < REC_MIN || len > REC_MAX)
		return 0;
	if (len > n)
		return 0;
	/* The CRC vouches for the bytes, not for the writer. */
	if (type == REC_PAGE && !page_ok(get64(p + REC_HDR), p[REC_HDR + 43] & 0x3f))
		return 0;
	*crc += len - 4;
	if (get32(p + len - 4) != sw_crc32c(0, p, len - 4))
		return 0;
	return len;
}

/* Where the next record magic could start in p[0, n), or n. */
static size_t next_magic(const uint8_t *p, size_t n)
{
	const uint8_t *m = memmem(p, n, "SWJR", 4);

	if (m)
		return (size_t)(m - p);
	/* Keep a magic cut by the end of the window. */
	return n < 3 ? 0 : n - 3;
}

/* Fill buf[have, cap) from the file at off, up to size; the new have. */
static ssize_t fill(int fd, uint8_t *buf, size_t have, size_t cap, uint64_t off, uint64_t size)
{
	while (have < cap && off < size) {
		size_t want = cap - have;
		ssize_t n;

		if (want > size - off)
			want = (size_t)(size - off);
		n = pread(fd, buf + have, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;		/* cut shorter meanwhile */
		have += (size_t)n;
		off += (uint64_t)n;
	}
	return (ssize_t)have;
}

int seawall_journal_replay(struct seawall_journal *j, seawall_page_fn fn, void *arg,
			   struct seawall_journal_stats *stp)
{
	struct seawall_journal_stats st = { 0 };
	struct stat sb;
	uint8_t *buf;
	uint64_t size, base, good, crc = 0;
	size_t have = 0, pos = 0;
	bool eof = false;
	int ret = 0;

	if (!j)
		return -EINVAL;
	if (fstat(j->fd, &sb) < 0)
		return -errno;
	size = (uint64_t)sb.st_size;
	buf = malloc(WINDOW);
	if (!buf)
		return -ENOMEM;

	/* buf[0, have) is the file from offset base; the scan is at base + pos. */
	base = good = HDR_SIZE;
	j->ev_seq = 0;
	j->other_records = 0;
	for (;;) {
		uint32_t len;
		uint8_t *p;

		if (!eof && have - pos < REC_MAX) {
			ssize_t n;

			memmove(buf, buf + pos, have - pos);
			base += pos;
			have -= pos;
			pos = 0;
			n = fill(j->fd, buf, have, WINDOW, base + have, size);
			if (n < 0) {
				ret = (int)n;
				goto out;
			}
			eof = (size_t)n < WINDOW;
			have = (size_t)n;
		}
		if (pos >= have)
			break;
		p = buf + pos;
		len = valid_record(p, have - pos, &crc);
		if (!len) {
			/* Damage, or not yet a record: on to the next magic. */
			pos += 1 + next_magic(p + 1, have - pos - 1);
			continue;
		}
		if (base + pos > good) {
			st.corrupt++;
			st.corrupt_bytes += base + pos - good;
		}
		st.records++;
		if (get64(p + 8) > st.last_seq)
			st.last_seq = get64(p + 8);
		if (get16(p + 6) == REC_PAGE && fn && !ret) {
			struct seawall_page pg;

			decode_page(p + REC_HDR, &pg);
			ret = fn(&pg, arg);
		}
		if (get16(p + 6) != REC_PAGE)
			j->other_records++;
		/*
		 * The last one says it: a block reserved ahead, or at a clean
		 * close the exact number.  Of another length: a later
		 * version's; its number is not ours to read.
		 */
		if (get16(p + 6) == REC_EV_SEQ && len == REC_EV_SEQ_LEN &&
		    get64(p + REC_HDR) < EV_SEQ_LIMIT)
			j->ev_seq = get64(p + REC_HDR);
		pos += len;
		good = base + pos;
	}
	size = base + have;
	st.torn_bytes = size > good ? size - good : 0;
	st.end = good;
	j->st = st;
	j->end = good;
	j->seq = st.last_seq;
	j->scanned = 1;
out:
	j->crc_bytes = crc;
	free(buf);
	if (stp)
		*stp = st;
	return ret < 0 ? ret : (int)(st.records > INT32_MAX ? INT32_MAX : st.records);
}

uint64_t sw_journal_crc_bytes(const struct seawall_journal *j)
{
	return j ? j->crc_bytes : 0;
}

uint64_t sw_journal_ev_seq(const struct seawall_journal *j)
{
	return j ? j->ev_seq : 0;
}

uint64_t sw_journal_other_records(const struct seawall_journal *j)
{
	return j ? j->other_records : 0;
}

static int ensure_scanned(struct seawall_journal *j)
{
	int r;

	if (j->scanned)
		return 0;
	r = seawall_journal_replay(j, NULL, NULL, NULL);
	return r < 0 ? r : 0;
}

static void encode_record(uint8_t *rec, uint64_t seq, const struct seawall_page *pg)
{
	put32(rec, REC_MAGIC);
	put16(rec + 4, REC_PAGE_LEN);
	put16(rec + 6, REC_PAGE);
	put64(rec + 8, seq);
	encode_page(rec + REC_HDR, pg);
	put32(rec + REC_PAGE_LEN - 4, sw_crc32c(0, rec, REC_PAGE_LEN - 4));
}

static void encode_ev_seq(uint8_t *rec, uint64_t seq, uint64_t ev_seq)
{
	put32(rec, REC_MAGIC);
	put16(rec + 4, REC_EV_SEQ_LEN);
	put16(rec + 6, REC_EV_SEQ);
	put64(rec + 8, seq);
	put64(rec + REC_HDR, ev_seq);
	put64(rec + REC_HDR + 8, 0);
	put32(rec + REC_EV_SEQ_LEN - 4, sw_crc32c(0, rec, REC_EV_SEQ_LEN - 4));
}

/* rec (len bytes, its seq field set here) after the last valid record. */
static int append_rec(struct seawall_journal *j, uint8_t *rec, size_t len, bool sync)
{
	int err;

	if (j->flags & SEAWALL_JOURNAL_RDONLY)
		return -EBADF;
	err = ensure_scanned(j);
	if (err)
		return err;
	if (j->st.torn_bytes) {
		/* Cut the torn tail so the new record is not behind garbage. */
		if (ftruncate(j->fd, (off_t)j->end) < 0)
			return -errno;
		j->st.torn_bytes = 0;
	}
	/* The CRC covers the seq: set it, then checksum again. */
	put64(rec + 8, j->seq + 1);
	put32(rec + len - 4, sw_crc32c(0, rec, len - 4));
	err = write_all(j->fd, rec, len, (off_t)j->end);
	if (err)
		return err;
	j->end += len;
	j->seq++;
	if (sync && !(j->flags & SEAWALL_JOURNAL_NOSYNC))
		return seawall_journal_sync(j);
	return 0;
}

static int append(struct seawall_journal *j, const struct seawall_page *pg, bool sync)
{
	uint8_t rec[REC_PAGE_LEN];

	if (!j || !pg || !page_ok(pg->gpa, pg->page_shift))
		return -EINVAL;
	encode_record(rec, 0, pg);
	return append_rec(j, rec, sizeof(rec), sync);
}

int sw_journal_append_ev_seq(struct seawall_journal *j, uint64_t ev_seq, bool sync)
{
	uint8_t rec[REC_EV_SEQ_LEN];
	int err;

	if (!j)
		return -EINVAL;
	encode_ev_seq(rec, 0, ev_seq);
	err = append_rec(j, rec, sizeof(rec), sync);
	if (!err)
		j->ev_seq = ev_seq;
	return err;
}

int seawall_journal_append(struct seawall_journal *j, const struct seawall_page *pg)
{
	return append(j, pg, true);
}

int seawall_journal_sync(struct seawall_journal *j)
{
	if (!j)
		return -EINVAL;
	if (j->flags & SEAWALL_JOURNAL_RDONLY)
		return 0;
	return fdatasync(j->fd) < 0 ? -errno : 0;
}

/* A ledger entry's record; its copy is then the journal's (SW_PAGE_UNSAVED cleared). */
int sw_journal_append_lpage(struct seawall_journal *j, struct sw_lpage *p, bool sync)
{
	struct seawall_page pg;
	int err;

	sw_page_export(p, &pg);
	err = append(j, &pg, sync);
	if (!err)
		p->flags &= (uint8_t)~SW_PAGE_UNSAVED;
	return err;
}

/*
 * Replace the journal with one record per ledger entry (its live set).
 * The new file is made next to the old one with mkstemp, so it is never
 * a file someone planted, and it carries the old one's mode.  It is
 * locked before the rename, and the old one is unlocked only after, so
 * a second writer never gets in between.
 */
int sw_journal_compact(struct seawall_journal *j, const struct sw_ledger *l, uint64_t ev_seq)
{
	bool sync = !(j->flags & SEAWALL_JOURNAL_NOSYNC);
	size_t plen, used = 0, cap = 256 * REC_PAGE_LEN;
	uint64_t off = HDR_SIZE, seq = 0;
	uint8_t *buf;
	struct stat sb;
	char *tmp;
	int fd, err = 0;

	if (j->flags & SEAWALL_JOURNAL_RDONLY)
		return -EBADF;
	plen = strlen(j->path);
	tmp = malloc(plen + sizeof(".compact.XXXXXX"));
	buf = malloc(cap);
	if (!tmp || !buf) {
		free(tmp);
		free(buf);
		return -ENOMEM;
	}
	memcpy(tmp, j->path, plen);
	memcpy(tmp + plen, ".compact.XXXXXX", sizeof(".compact.XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		free(buf);
		return err;
	}
	if (fstat(j->fd, &sb) == 0 && fchmod(fd, sb.st_mode & 07777) < 0)
		err = -errno;
	if (!err && flock(fd, LOCK_EX | LOCK_NB) < 0)
		err = -errno;
	memcpy(buf, HDR_MAGIC, 8);
	put32(buf + 8, JOURNAL_VERSION);
	put32(buf + 12, sw_crc32c(0, buf, 12));
	if (!err)
		err = write_all(fd, buf, HDR_SIZE, 0);
	for (uint32_t i = 0; i < l->n && !err; i++) {
		struct seawall_page pg;

		sw_page_export(&l->ent[i], &pg);
		if (!page_ok(pg.gpa, pg.page_shift))
			continue;
		encode_record(buf + used, ++seq, &pg);
		used += REC_PAGE_LEN;
		if (used + REC_PAGE_LEN > cap) {
			err = write_all(fd, buf, used, (off_t)off);
			off += used;
			used = 0;
		}
	}
	/* The event numbers used so far, after the pages (room: cap > 2 records). */
	if (!err && ev_seq) {
		encode_ev_seq(buf + used, ++seq, ev_seq);
		used += REC_EV_SEQ_LEN;
	}
	if (!err && used) {
		err = write_all(fd, buf, used, (off_t)off);
		off += used;
	}
	if (!err && sync && fsync(fd) < 0)
		err = -errno;
	if (!err && rename(tmp, j->path) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		close(fd);
		goto out;
	}
	/* The new file is the journal now, whatever the directory sync says. */
	close(j->fd);
	j->fd = fd;
	j->end = off;
	j->seq = seq;
	j->scanned = 1;
	memset(&j->st, 0, sizeof(j->st));
	j->st.records = seq;
	j->st.end = off;
	j->st.last_seq = seq;
	j->ev_seq = ev_seq;
	j->other_records = ev_seq ? 1 : 0;
	for (uint32_t i = 0; i < l->n; i++)
		l->ent[i].flags &= (uint8_t)~SW_PAGE_UNSAVED;
	if (sync)
		err = sync_dir(j->path);
out:
	free(tmp);
	free(buf);
	return err;
}
