// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The guest agent's view of the notify device: probe, read the presented
 * entry consistently, acknowledge, drain with bounds.  Pure logic over
 * swn_io, plus the device tree lookup; no MMIO here, so it builds and is
 * tested on any host.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "notify-dev.h"

int swn_probe(const struct swn_io *io, uint32_t *magic, uint32_t *version)
{
	uint32_t m = io->rd(io->arg, SWN_REG_MAGIC);
	uint32_t v = io->rd(io->arg, SWN_REG_VERSION);

	if (magic)
		*magic = m;
	if (version)
		*version = v;
	if (m != SWN_MAGIC)
		return -ENODEV;
	if (v != SWN_VERSION)
		return -EPROTONOSUPPORT;
	return 0;
}

static enum swn_bad check_entry(const struct swn_entry *e)
{
	if (!e->gpa)
		return SWN_BAD_NO_GPA;
	if (e->size < SWN_PAGE || e->size % SWN_PAGE || e->size > SWN_MAX_SIZE)
		return SWN_BAD_SIZE;
	if (e->gpa % SWN_PAGE)
		return SWN_BAD_ALIGN;
	if (e->gpa + e->size < e->gpa)
		return SWN_BAD_WRAP;
	return SWN_BAD_NONE;
}

int swn_read_entry(const struct swn_io *io, struct swn_entry *e, enum swn_bad *bad)
{
	*bad = SWN_BAD_NONE;
	memset(e, 0, sizeof(*e));
	/*
	 * The four registers are separate reads; a new error arriving between
	 * them would change what an empty queue presents.  SEQ read before and
	 * after brackets the entry.
	 */
	for (int i = 0; i < SWN_READ_RETRIES; i++) {
		uint32_t s1, s2, lo, hi, size;

		if (!io->rd(io->arg, SWN_REG_PENDING))
			return 0;
		s1 = io->rd(io->arg, SWN_REG_SEQ);
		lo = io->rd(io->arg, SWN_REG_GPA_LO);
		hi = io->rd(io->arg, SWN_REG_GPA_HI);
		size = io->rd(io->arg, SWN_REG_SIZE);
		s2 = io->rd(io->arg, SWN_REG_SEQ);
		if (s1 != s2)
			continue;
		e->gpa = (uint64_t)hi << 32 | lo;
		e->size = size;
		e->seq = s1;
		*bad = check_entry(e);
		return *bad ? -EINVAL : 1;
	}
	*bad = SWN_BAD_UNSTABLE;
	return -EINVAL;
}

int swn_ack(const struct swn_io *io, uint32_t seq)
{
	io->wr(io->arg, SWN_REG_ACK, seq);
	return io->rd(io->arg, SWN_REG_STATUS) & SWN_STATUS_ACK_OK ? 0 : -EIO;
}

int swn_poll(const struct swn_io *io, swn_page_fn fn, void *arg, struct swn_stats *st)
{
	uint32_t last = 0;
	int have_last = 0, n = 0;

	while (n < SWN_MAX_PER_POLL) {
		struct swn_entry e;
		enum swn_bad bad;
		int r = swn_read_entry(io, &e, &bad);

		if (r == 0)
			return n;
		if (bad == SWN_BAD_UNSTABLE) {
			st->rejected++;
			fn(0, &e, bad, arg);
			return -EAGAIN;
		}
		if (have_last && e.seq == last) {
			/* Acknowledged, yet presented again: do not spin on it. */
			st->stuck++;
			return -EIO;
		}
		if (r < 0) {
			/*
			 * Acknowledge it anyway: the VMM has recorded and isolated
			 * the page already, and an entry we will never use must
			 * not block the ones behind it.
			 */
			st->rejected++;
			fn(0, &e, bad, arg);
		} else {
			st->entries++;
			for (uint64_t off = 0; off < e.size; off += SWN_PAGE) {
				st->pages++;
				if (fn(e.gpa + off, &e, SWN_BAD_NONE, arg) < 0)
					st->page_errors++;
			}
		}
		if (swn_ack(io, e.seq) < 0)
			st->ack_failed++;
		last = e.seq;
		have_last = 1;
		n++;
	}
	st->truncated++;
	return n;
}

const char *swn_bad_text(enum swn_bad bad)
{
	switch (bad) {
	case SWN_BAD_NONE:
		return "ok";
	case SWN_BAD_NO_GPA:
		return "pending but no address";
	case SWN_BAD_SIZE:
		return "bad size";
	case SWN_BAD_ALIGN:
		return "address not page aligned";
	case SWN_BAD_WRAP:
		return "address range wraps";
	case SWN_BAD_UNSTABLE:
		return "entry kept changing while read";
	}
	return "?";
}

static uint64_t be_cells(const unsigned char *p, unsigned int cells)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < cells * 4; i++)
		v = v << 8 | p[i];
	return v;
}

int swn_dt_parse_reg(const unsigned char *p, size_t len, unsigned int acells,
		     unsigned int scells, uint64_t *base, uint64_t *size)
{
	if (acells < 1 || acells > 2 || scells > 2)
		return -EINVAL;
	if (!p || len < (size_t)(acells + scells) * 4)
		return -EINVAL;
	*base = be_cells(p, acells);
	*size = scells ? be_cells(p + acells * 4, scells) : 0;
	return 0;
}

/* Read a small property file; returns its length or -1. */
static ssize_t read_prop(const char *dir, const char *name, unsigned char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

static unsigned int cells_prop(const char *dir, const char *name, unsigned int dflt)
{
	unsigned char b[4];

	if (read_prop(dir, name, b, sizeof(b)) != 4)
		return dflt;
	return (unsigned int)be_cells(b, 1);
}

static int compatible(const char *dir)
{
	static const char want[] = "seawall,notify-v1";
	unsigned char buf[512];
	ssize_t n = read_prop(dir, "compatible", buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* A NUL-separated string list. */
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen((char *)buf + i) + 1)
		if (!strcmp((char *)buf + i, want))
			return 1;
	return 0;
}

/* Depth-first, bounded in depth and in nodes visited. */
static int dt_walk(const char *dir, unsigned int acells, unsigned int scells,
		   int depth, int *budget, uint64_t *base, uint64_t *size)
{
	unsigned int child_a, child_s;
	struct dirent *d;
	DIR *dp;
	int ret = -ENOENT;

	if (depth > 8 || --*budget < 0)
		return -ENOENT;
	if (depth > 0 && compatible(dir)) {
		unsigned char reg[64];
		ssize_t n = read_prop(dir, "reg", reg, sizeof(reg));

		if (n > 0 && !swn_dt_parse_reg(reg, (size_t)n, acells, scells, base, size))
			return 0;
	}
	child_a = cells_prop(dir, "#address-cells", 2);
	child_s = cells_prop(dir, "#size-cells", 2);
	dp = opendir(dir);
	if (!dp)
		return -ENOENT;
	while (ret && (d = readdir(dp))) {
		char sub[PATH_MAX];

		struct stat sb;

		if (d->d_name[0] == '.' || (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) >= (int)sizeof(sub))
			continue;
		if (d->d_type == DT_UNKNOWN && (lstat(sub, &sb) || !S_ISDIR(sb.st_mode)))
			continue;
		ret = dt_walk(sub, child_a, child_s, depth + 1, budget, base, size);
	}
	closedir(dp);
	return ret;
}

int swn_dt_find(const char *root, uint64_t *base, uint64_t *size)
{
	int budget = 4096;

	return dt_walk(root, 2, 2, 0, &budget, base, size);
}
