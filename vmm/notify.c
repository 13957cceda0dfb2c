// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * The seawall,notify-v1 device: a page of 32-bit little-endian registers
 * the guest agent polls to learn which guest pages went bad.  The queue
 * itself is libseawall's (seawall_notify_peek/ack); this file only maps
 * it onto registers.  See docs/notify-device.md.
 */
#include <seawall.h>

#include "swvm.h"

static uint32_t reg_read(struct swvm_notify *n, uint64_t reg)
{
	struct seawall_notice nt = { 0 };
	int pending;

	switch (reg) {
	case SWVM_NOTIFY_REG_MAGIC:
		return SWVM_NOTIFY_MAGIC;
	case SWVM_NOTIFY_REG_VERSION:
		return SWVM_NOTIFY_VERSION;
	case SWVM_NOTIFY_REG_TOTAL:
		pending = seawall_ledger_count(n->ctx);
		return pending < 0 ? 0 : (uint32_t)pending;
	case SWVM_NOTIFY_REG_STATUS:
		return n->status;
	case SWVM_NOTIFY_REG_PENDING:
	case SWVM_NOTIFY_REG_GPA_LO:
	case SWVM_NOTIFY_REG_GPA_HI:
	case SWVM_NOTIFY_REG_SIZE:
	case SWVM_NOTIFY_REG_SEQ:
		pending = seawall_notify_peek(n->ctx, &nt, 1);
		if (pending <= 0)
			return 0;
		switch (reg) {
		case SWVM_NOTIFY_REG_PENDING:
			return (uint32_t)pending;
		case SWVM_NOTIFY_REG_GPA_LO:
			return (uint32_t)nt.gpa;
		case SWVM_NOTIFY_REG_GPA_HI:
			return (uint32_t)(nt.gpa >> 32);
		case SWVM_NOTIFY_REG_SIZE:
			return nt.size > UINT32_MAX ? UINT32_MAX : (uint32_t)nt.size;
		default:
			return (uint32_t)nt.seq;
		}
	default:
		return 0;	/* ACK is write-only; holes read as zero */
	}
}

/* Any width at any offset: assemble the bytes from the aligned registers. */
uint64_t swvm_notify_read(struct swvm_notify *n, uint64_t off, unsigned int len)
{
	uint64_t v = 0;

	if (len > 8)
		len = 8;
	for (unsigned int i = 0; i < len; i++) {
		uint64_t b = off + i;

		if (b >= SWVM_NOTIFY_SIZE)
			break;
		v |= (uint64_t)((reg_read(n, b & ~3ULL) >> (8 * (b & 3))) & 0xff) << (8 * i);
	}
	return v;
}

void swvm_notify_write(struct swvm_notify *n, uint64_t off, unsigned int len, uint64_t val)
{
	/* Only a 32- or 64-bit store at ACK does anything; the rest is ignored. */
	if (off != SWVM_NOTIFY_REG_ACK || (len != 4 && len != 8))
		return;
	n->status = seawall_notify_ack_seq(n->ctx, (uint32_t)val) > 0 ? 1 : 0;
}
