/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/*
 * The seawall notify device (DT compatible "seawall,notify-v1"), as the
 * guest agent sees it: 32-bit little-endian registers, the oldest
 * unacknowledged poisoned page presented at a time, acknowledged by
 * writing its sequence number back.
 *
 * Register access goes through swn_io so the same logic runs on real MMIO
 * in the guest and on a fake register file in the native unit test.
 */
#ifndef SEAWALL_GUEST_NOTIFY_DEV_H
#define SEAWALL_GUEST_NOTIFY_DEV_H

#include <stddef.h>
#include <stdint.h>

#define SWN_REG_MAGIC	0x00
#define SWN_REG_VERSION	0x04
#define SWN_REG_PENDING	0x08
#define SWN_REG_TOTAL	0x0c
#define SWN_REG_GPA_LO	0x10
#define SWN_REG_GPA_HI	0x14
#define SWN_REG_SIZE	0x18
#define SWN_REG_SEQ	0x1c
#define SWN_REG_ACK	0x20
#define SWN_REG_STATUS	0x24
#define SWN_REG_END	0x28	/* bytes the agent needs mapped */

#define SWN_MAGIC	0x544e5753u	/* "SWNT" */
#define SWN_VERSION	1u
#define SWN_STATUS_ACK_OK (1u << 0)
#define SWN_DEFAULT_BASE 0x09010000ull

#define SWN_PAGE	4096ull
/* Bounds that keep a hostile or broken device from making us loop. */
#define SWN_MAX_SIZE	(1ull << 30)	/* largest backing page: 1 GiB */
#define SWN_MAX_PER_POLL 256		/* entries drained per poll */
#define SWN_READ_RETRIES 8		/* re-reads of a changing entry */

struct swn_io {
	uint32_t (*rd)(void *arg, uint32_t off);
	void (*wr)(void *arg, uint32_t off, uint32_t val);
	void *arg;
};

struct swn_entry {
	uint64_t gpa;
	uint64_t size;
	uint32_t seq;
};

/* Why an entry could not be used; each is counted in swn_stats. */
enum swn_bad {
	SWN_BAD_NONE = 0,
	SWN_BAD_NO_GPA,		/* PENDING > 0 but GPA is 0 */
	SWN_BAD_SIZE,		/* size < 4096, not a multiple, or > 1 GiB */
	SWN_BAD_ALIGN,		/* GPA not aligned to 4 KiB */
	SWN_BAD_WRAP,		/* GPA + SIZE overflows */
	SWN_BAD_UNSTABLE,	/* the entry kept changing while read */
};

struct swn_stats {
	uint64_t entries;	/* entries handled (valid ones) */
	uint64_t pages;		/* 4 KiB pages given to the callback */
	uint64_t page_errors;	/* pages the callback failed */
	uint64_t rejected;	/* invalid entries (acknowledged, not offlined) */
	uint64_t ack_failed;	/* STATUS did not confirm an ACK */
	uint64_t stuck;		/* the device presented an acknowledged entry again */
	uint64_t truncated;	/* polls that hit SWN_MAX_PER_POLL */
};

/*
 * Called once per 4 KiB page of an entry; returns 0 or a negative errno.
 * It is also told about rejected entries (page_gpa 0, bad != 0) so the
 * caller can log them.
 */
typedef int (*swn_page_fn)(uint64_t page_gpa, const struct swn_entry *e,
			   enum swn_bad bad, void *arg);

/* 0; -ENODEV on a bad magic; -EPROTONOSUPPORT on another version. */
int swn_probe(const struct swn_io *io, uint32_t *magic, uint32_t *version);

/*
 * Read the presented entry.  1: *e filled and valid; 0: nothing pending;
 * -EINVAL: an entry that must not be used (*bad says why, *e holds what
 * was read).
 */
int swn_read_entry(const struct swn_io *io, struct swn_entry *e, enum swn_bad *bad);

/* Write seq to ACK; 0 if STATUS confirms it, -EIO otherwise. */
int swn_ack(const struct swn_io *io, uint32_t seq);

/*
 * Drain what is pending: for each entry, call fn for every 4 KiB page,
 * then acknowledge it.  At most SWN_MAX_PER_POLL entries; stops when the
 * device does not move past an acknowledged entry.  Returns the number of
 * entries processed (valid or rejected), or a negative errno when the
 * device stopped answering sensibly (-EIO: stuck).
 */
int swn_poll(const struct swn_io *io, swn_page_fn fn, void *arg, struct swn_stats *st);

const char *swn_bad_text(enum swn_bad bad);

/*
 * Device tree: find the node compatible with "seawall,notify-v1" under
 * root (e.g. /proc/device-tree) and its first reg entry.  0, or -ENOENT.
 */
int swn_dt_find(const char *root, uint64_t *base, uint64_t *size);

/* Parse a reg property (big-endian cells). 0 or -EINVAL. */
int swn_dt_parse_reg(const unsigned char *p, size_t len, unsigned int acells,
		     unsigned int scells, uint64_t *base, uint64_t *size);

#endif
