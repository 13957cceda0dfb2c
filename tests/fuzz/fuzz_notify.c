// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's notify device (vmm/notify.c, built natively as the unit test
 * does) over a real libseawall context, driven by a script of guest
 * register accesses and host events, against a model written from
 * docs/notify-device.md.
 *
 * Input: ops...; each op is one byte, then its arguments:
 *   0: guest read   u16 offset | u8 width
 *   1: guest write  u16 offset | u8 width | u64 value
 *   2: a bad page   u16 page
 *   3: VM reset
 *   4: the agent acknowledges by address (seawall_notify_ack_gpa) u16 page
 *
 * Properties: every read of any width at any offset returns the bytes of
 * the register file the model computes (MAGIC, VERSION, PENDING, TOTAL,
 * the oldest entry, STATUS, zeros elsewhere and past the end); ACK
 * follows the documented rules; the queue is bounded, oldest first.
 */
#include <errno.h>

#include <seawall.h>

#include "../../vmm/notify.c"
#include "fuzz.h"

#define RAM		0x40000000ULL
#define PAGES		4096
#define QCAP		8
#define MAX_OPS		512

struct entry {
	uint64_t seq, gpa;
};

struct model {
	struct entry q[QCAP];
	unsigned int n;
	uint64_t next_seq;
	uint32_t status;
	unsigned int total;
	uint8_t state[PAGES];		/* 0 good, 1 bad, 2 bad but replaced at reset */
	/*
	 * The pages whose state is not 0, in the order they went bad: a reset
	 * and the next input's clean-up walk these, not all PAGES.  Walking
	 * every page on each of up to 512 resets, with libFuzzer tracing
	 * every comparison, was most of the harness's time.
	 */
	uint16_t bad[PAGES];
	unsigned int nbad;
};

static uint32_t model_reg(const struct model *m, uint64_t reg)
{
	switch (reg) {
	case SWVM_NOTIFY_REG_MAGIC:
		return 0x544e5753;
	case SWVM_NOTIFY_REG_VERSION:
		return 1;
	case SWVM_NOTIFY_REG_PENDING:
		return m->n;
	case SWVM_NOTIFY_REG_TOTAL:
		return m->total;
	case SWVM_NOTIFY_REG_GPA_LO:
		return m->n ? (uint32_t)m->q[0].gpa : 0;
	case SWVM_NOTIFY_REG_GPA_HI:
		return m->n ? (uint32_t)(m->q[0].gpa >> 32) : 0;
	case SWVM_NOTIFY_REG_SIZE:
		return m->n ? 4096 : 0;
	case SWVM_NOTIFY_REG_SEQ:
		return m->n ? (uint32_t)m->q[0].seq : 0;
	case SWVM_NOTIFY_REG_STATUS:
		return m->status;
	default:
		return 0;
	}
}

static void drop(struct model *m, unsigned int i)
{
	memmove(&m->q[i], &m->q[i + 1], (m->n - i - 1) * sizeof(m->q[0]));
	m->n--;
}

static void guest_read(struct model *m, struct swvm_notify *dev, struct fuzz_in *in)
{
	uint64_t off = fuzz_take(in, 2), got, want = 0;
	unsigned int len = (unsigned int)fuzz_take(in, 1) % 10;

	/* Far offsets as well: the bus may hand over anything in 64 bits. */
	if (off & 0x8000)
		off = ~0ULL - (off & 0x7fff);
	got = swvm_notify_read(dev, off, len);
	for (unsigned int i = 0; i < (len > 8 ? 8 : len); i++) {
		uint64_t b = off + i;

		if (b < off || b >= SWVM_NOTIFY_SIZE)
			break;
		want |= (uint64_t)((model_reg(m, b & ~3ULL) >> (8 * (b & 3))) & 0xff) << (8 * i);
	}
	fuzz_check(got == want, "read %u at 0x%llx: 0x%llx, want 0x%llx", len,
		   (unsigned long long)off, (unsigned long long)got, (unsigned long long)want);
}

static void guest_write(struct model *m, struct swvm_notify *dev, struct fuzz_in *in)
{
	uint64_t off = fuzz_take(in, 2) & 0xfff;
	unsigned int len = (unsigned int)fuzz_take(in, 1) % 10;
	uint64_t val = fuzz_take(in, 8);
	uint32_t seq = (uint32_t)val;
	unsigned int k = 0;

	/* Mostly at ACK, with the sequence number in play. */
	if (off & 0x800)
		off = SWVM_NOTIFY_REG_ACK;
	if ((val >> 32) == 0x5e)
		seq = m->n ? (uint32_t)m->q[(val & 0xff) % m->n].seq : (uint32_t)val & 0xf;
	val = (val & ~0xffffffffULL) | seq;
	swvm_notify_write(dev, off, len, val);
	if (off != SWVM_NOTIFY_REG_ACK || (len != 4 && len != 8))
		return;
	if (seq && seq < m->next_seq)
		while (m->n && m->q[0].seq <= seq) {
			drop(m, 0);
			k++;
		}
	m->status = k ? 1 : 0;
}

static void bad_page(struct model *m, struct seawall_ctx *ctx, struct fuzz_in *in)
{
	unsigned int pg = (unsigned int)fuzz_take(in, 2) % PAGES;
	uint64_t gpa = RAM + (uint64_t)pg * 4096;
	struct seawall_outcome out;

	fuzz_check(seawall_ctx_handle_test(ctx, gpa, &out) >= 0, "test error");
	if (m->state[pg] == 1)
		return;
	if (m->state[pg] == 0) {
		m->total++;
		m->bad[m->nbad++] = (uint16_t)pg;
	}
	m->state[pg] = 1;
	fuzz_check(!!(out.actions & SEAWALL_ACT_NOTIFY) == (m->n < QCAP), "queued iff room");
	if (m->n < QCAP)
		m->q[m->n++] = (struct entry){ m->next_seq++, gpa };
}

static void ack_gpa(struct model *m, struct seawall_ctx *ctx, struct fuzz_in *in)
{
	unsigned int pg = (unsigned int)fuzz_take(in, 2) % PAGES;
	uint64_t gpa = RAM + (uint64_t)pg * 4096 + (pg & 0xfff);
	int r = seawall_notify_ack_gpa(ctx, gpa), want = -ENOENT;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->q[i].gpa == (gpa & ~4095ULL)) {
			drop(m, i);
			want = 0;
			break;
		}
	fuzz_check(r == want, "ack by address: %d, want %d", r, want);
}

/* A model as new, touching only what the last input dirtied. */
static void model_clear(struct model *m)
{
	for (unsigned int i = 0; i < m->nbad; i++)
		m->state[m->bad[i]] = 0;
	m->n = 0;
	m->nbad = 0;
	m->total = 0;
	m->status = 0;
	m->next_seq = 1;
}

static void model_reset(struct model *m)
{
	m->n = 0;
	for (unsigned int i = 0; i < m->nbad; i++)
		if (m->state[m->bad[i]] == 1)
			m->state[m->bad[i]] = 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	static struct model model;	/* all zeros, and cleared after each input */
	struct model *m = &model;
	struct fuzz_in in = { data, size };
	struct swvm_notify dev = { 0 };
	int ops = 0;

	model_clear(m);
	o.vm_fd = -1;
	o.strategy = SEAWALL_ISOLATE_NONE;
	o.notify_capacity = QCAP;
	o.sigbus_capacity = 2;		/* no SIGBUS here: no 256-record ring per input */
	dev.ctx = seawall_ctx_new(&o);
	fuzz_check(dev.ctx, "context: %s", strerror(errno));
	ro.gpa = RAM;
	ro.size = PAGES * 4096ULL;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	fuzz_check(seawall_region_add(dev.ctx, &ro) == 0, "region");
	{
		SEAWALL_OPTS(seawall_policy_opts, po);

		po.restart_after_pages = SEAWALL_POLICY_NEVER;
		fuzz_check(seawall_ctx_set_policy(dev.ctx, &po) == 0, "policy");
	}

	while (in.n && ops++ < MAX_OPS) {
		switch (fuzz_take(&in, 1) % 5) {
		case 0:
			guest_read(m, &dev, &in);
			break;
		case 1:
			guest_write(m, &dev, &in);
			break;
		case 2:
			bad_page(m, dev.ctx, &in);
			break;
		case 3:
			fuzz_check(seawall_ctx_reset(dev.ctx) >= 0, "reset");
			model_reset(m);
			break;
		default:
			ack_gpa(m, dev.ctx, &in);
			break;
		}
	}
	seawall_ctx_free(dev.ctx);
	return 0;
}
