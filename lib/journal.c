// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * The journal: an append-only file of fixed-layout, checksummed records.
 *
 *   file header  "SWJRNL01" | u32 version | u32 crc32c(first 12 bytes)
 *   record       u32 magic | u16 len | u16 type | u64 seq | payload | u32 crc32c
 *
 * All little-endian.  A record is valid when its magic, length and CRC
 * agree, and a page record names a page (4 KiB to 1 GiB, aligned).
 * Replay scans for the next valid record after any damage, so a
 * damaged record in the middle costs only itself (reported), while damage
 * that runs to the end of the file is a torn tail (a write cut short by a
 * crash): dropped with a warning and cut off before the next append.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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
#define REC_HDR		16
#define PAGE_PAYLOAD	48
#define REC_PAGE_LEN	(REC_HDR + PAGE_PAYLOAD + 4)

struct seawall_journal {
	int fd;
	unsigned int flags;
	int scanned;
	uint64_t end;
	uint64_t seq;
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
	j->fd = open(path, (flags & SEAWALL_JOURNAL_RDONLY) ? O_RDONLY | O_CLOEXEC :
			    O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0)
		goto fail_errno;
	if (!(flags & SEAWALL_JOURNAL_RDONLY) && flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (fstat(j->fd, &sb) < 0)
		goto fail_errno;
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
	free(j);
	errno = -err;
	return NULL;
}

void seawall_journal_close(struct seawall_journal *j)
{
	if (!j)
		return;
	close(j->fd);
	free(j);
}

/* A page record must name a page: 4 KiB to 1 GiB, aligned. */
static bool page_ok(uint64_t gpa, unsigned int shift)
{
	return shift >= 12 && shift <= 30 && !(gpa & ((1ULL << shift) - 1));
}

/* Length of a valid record at p (n bytes available), or 0. */
static uint32_t valid_record(const uint8_t *p, size_t n)
{
	uint32_t len;

	if (n < REC_HDR + 4 || get32(p) != REC_MAGIC)
		return 0;
	len = get16(p + 4);
	if (len < REC_HDR + 4 || len > n)
		return 0;
	if (get32(p + len - 4) != sw_crc32c(0, p, len - 4))
		return 0;
	/* The CRC vouches for the bytes, not for the writer. */
	if (get16(p + 6) == REC_PAGE && len == REC_PAGE_LEN &&
	    !page_ok(get64(p + REC_HDR), p[REC_HDR + 43] & 0x3f))
		return 0;
	return len;
}

int seawall_journal_replay(struct seawall_journal *j, seawall_page_fn fn, void *arg,
			   struct seawall_journal_stats *stp)
{
	struct seawall_journal_stats st = { 0 };
	struct stat sb;
	uint8_t *buf;
	size_t size, off, good;
	int ret = 0;

	if (!j)
		return -EINVAL;
	if (fstat(j->fd, &sb) < 0)
		return -errno;
	size = (size_t)sb.st_size;
	buf = malloc(size ? size : 1);
	if (!buf)
		return -ENOMEM;
	for (off = 0; off < size;) {
		ssize_t n = pread(j->fd, buf + off, size - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto out;
		}
		off += (size_t)n;
	}

	good = off = HDR_SIZE;
	while (off < size) {
		uint32_t len = valid_record(buf + off, size - off);

		if (!len) {
			off++;
			continue;
		}
		if (off > good) {
			st.corrupt++;
			st.corrupt_bytes += off - good;
		}
		st.records++;
		if (get64(buf + off + 8) > st.last_seq)
			st.last_seq = get64(buf + off + 8);
		if (get16(buf + off + 6) == REC_PAGE && len == REC_PAGE_LEN && fn && !ret) {
			struct seawall_page pg;

			decode_page(buf + off + REC_HDR, &pg);
			ret = fn(&pg, arg);
		}
		good = off + len;
		off = good;
	}
	st.torn_bytes = size > good ? size - good : 0;
	st.end = good;
	j->st = st;
	j->end = good;
	j->seq = st.last_seq;
	j->scanned = 1;
out:
	free(buf);
	if (stp)
		*stp = st;
	return ret < 0 ? ret : (int)(st.records > INT32_MAX ? INT32_MAX : st.records);
}

static int ensure_scanned(struct seawall_journal *j)
{
	int r;

	if (j->scanned)
		return 0;
	r = seawall_journal_replay(j, NULL, NULL, NULL);
	return r < 0 ? r : 0;
}

int seawall_journal_append(struct seawall_journal *j, const struct seawall_page *pg)
{
	uint8_t rec[REC_PAGE_LEN];
	int err;

	if (!j || !pg || !page_ok(pg->gpa, pg->page_shift))
		return -EINVAL;
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
	put32(rec, REC_MAGIC);
	put16(rec + 4, REC_PAGE_LEN);
	put16(rec + 6, REC_PAGE);
	put64(rec + 8, j->seq + 1);
	encode_page(rec + REC_HDR, pg);
	put32(rec + REC_PAGE_LEN - 4, sw_crc32c(0, rec, REC_PAGE_LEN - 4));
	err = write_all(j->fd, rec, sizeof(rec), (off_t)j->end);
	if (err)
		return err;
	j->end += sizeof(rec);
	j->seq++;
	if (!(j->flags & SEAWALL_JOURNAL_NOSYNC))
		return seawall_journal_sync(j);
	return 0;
}

int seawall_journal_sync(struct seawall_journal *j)
{
	if (!j)
		return -EINVAL;
	if (j->flags & SEAWALL_JOURNAL_RDONLY)
		return 0;
	return fdatasync(j->fd) < 0 ? -errno : 0;
}

int sw_journal_append_lpage(struct seawall_journal *j, const struct sw_lpage *p)
{
	struct seawall_page pg;

	sw_page_export(p, &pg);
	return seawall_journal_append(j, &pg);
}
