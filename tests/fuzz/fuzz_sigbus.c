// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The SIGBUS path: seawall_sigbus_record() (what a signal handler calls)
 * and seawall_ctx_handle_pending() (the drain after KVM_RUN returns),
 * driven by a script and checked against a model of the queue.
 *
 * Input: u8 queue capacity | ops...; each op is one byte, then its
 * arguments:
 *   0: record  u8 si_code selector | u32 page | u16 offset | u8 where
 *   1: drain
 *   2: record from inside a signal handler (as 0)
 *   3: reset the VM (seawall_ctx_reset)
 *
 * Properties: a record is refused exactly when the model's ring is full
 * (or the si_code is not BUS_MCEERR_*), and every refusal comes back as a
 * lost-records restart at the next drain; a drain handles exactly the
 * records queued since the last one; each handled address inside guest
 * RAM lands in the ledger at its page, addresses outside are
 * unattributed; an abort is put back only for an action-required record;
 * event sequence numbers have no gaps.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>

#include <seawall.h>

#include "fuzz.h"

#define RAM		0x40000000ULL
#define RAM_PAGES	64
#define MAX_OPS		256

static uint8_t ram[RAM_PAGES * 4096] __attribute__((aligned(4096)));

struct model {
	unsigned int cap;		/* the ring, rounded up to a power of two */
	unsigned int queued;
	unsigned int lost;
	bool ar_queued;
	int pending[16];		/* page index of each queued record, or -1 */
	bool seen[RAM_PAGES];		/* in the ledger */
	unsigned int ledger;
	uint64_t unattributed;
	uint64_t last_seq;
	uint64_t events;
};

static struct {
	struct seawall_ctx *ctx;
	void *addr;
	int code;
	int ret;
} in_handler;

static void on_usr1(int sig)
{
	(void)sig;
	in_handler.ret = seawall_sigbus_record(in_handler.ctx, in_handler.addr,
					       in_handler.code, 12);
}

static void on_event(const struct seawall_event *ev, void *arg)
{
	struct model *m = arg;

	fuzz_check(ev->seq == m->last_seq + 1, "event seq %llu after %llu",
		   (unsigned long long)ev->seq, (unsigned long long)m->last_seq);
	m->last_seq = ev->seq;
	m->events++;
}

static void record(struct model *m, struct seawall_ctx *ctx, struct fuzz_in *in, bool handler)
{
	static const int codes[] = { BUS_MCEERR_AR, BUS_MCEERR_AO, 0, BUS_MCEERR_AR + 2 };
	int code = codes[fuzz_take(in, 1) & 3];
	uint32_t page = (uint32_t)fuzz_take(in, 4);
	uint64_t off = fuzz_take(in, 2) & 0xfff;
	unsigned int where = (unsigned int)fuzz_take(in, 1);
	uint8_t *addr;
	int r;

	/* Mostly inside guest RAM; sometimes just outside, or anywhere. */
	if (where < 200)
		addr = ram + (page % RAM_PAGES) * 4096 + off;
	else if (where < 230)
		addr = ram + sizeof(ram) + (page % 4) * 4096 + off;
	else
		addr = (uint8_t *)(uintptr_t)((uint64_t)page << 12 | off);

	if (handler) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		in_handler.ctx = ctx;
		in_handler.addr = addr;
		in_handler.code = code;
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		r = in_handler.ret;
	} else {
		r = seawall_sigbus_record(ctx, addr, code, 12);
	}
	if (code != BUS_MCEERR_AR && code != BUS_MCEERR_AO) {
		fuzz_check(r == -EINVAL, "si_code %d refused: %d", code, r);
		return;
	}
	if (m->queued == m->cap) {
		fuzz_check(r == -ENOSPC, "full ring refuses: %d", r);
		m->lost++;
		return;
	}
	fuzz_check(r == 0, "record into a ring with room: %d", r);
	if (code == BUS_MCEERR_AR)
		m->ar_queued = true;
	if (addr >= ram && addr < ram + sizeof(ram)) {
		m->pending[m->queued] = (int)((size_t)(addr - ram) / 4096);
	} else {
		m->pending[m->queued] = -1;
		m->unattributed++;
	}
	m->queued++;
}

static void drain(struct model *m, struct seawall_ctx *ctx)
{
	struct seawall_outcome out;
	struct seawall_stats st;
	int n = seawall_ctx_handle_pending(ctx, -1, &out);

	fuzz_check(n == (int)m->queued, "drained %d of %u", n, m->queued);
	if (m->lost)
		fuzz_check((out.actions & SEAWALL_ACT_RESTART) &&
			   out.restart_reason != SEAWALL_RESTART_NONE, "lost records restart");
	fuzz_check(!!(out.actions & SEAWALL_ACT_INJECT_DABT) == m->ar_queued,
		   "abort put back iff an AR record was drained");
	fuzz_check(!(out.actions & SEAWALL_ACT_INJECT_IABT), "never an instruction abort");
	fuzz_check(seawall_ctx_get_stats(ctx, &st) == 0, "stats");
	fuzz_check(st.unattributable == m->unattributed, "unattributed %llu, want %llu",
		   (unsigned long long)st.unattributable, (unsigned long long)m->unattributed);
	for (unsigned int i = 0; i < m->queued; i++) {
		struct seawall_page pg;
		int k = m->pending[i];

		if (k < 0)
			continue;
		if (!m->seen[k])
			m->ledger++;
		m->seen[k] = true;
		fuzz_check(seawall_ledger_lookup(ctx, RAM + (uint64_t)k * 4096, &pg) == 0 &&
			   pg.gpa == RAM + (uint64_t)k * 4096 && pg.hits >= 1, "page %d in the ledger", k);
	}
	fuzz_check(seawall_ledger_count(ctx) == (int)m->ledger, "ledger has %d pages, want %u",
		   seawall_ledger_count(ctx), m->ledger);
	fuzz_check(seawall_ctx_handle_pending(ctx, -1, &out) == 0 && !out.actions,
		   "a second drain finds nothing");
	m->queued = 0;
	m->lost = 0;
	m->ar_queued = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct fuzz_in in = { data, size };
	struct model m = { 0 };
	struct seawall_ctx *ctx;
	unsigned int want = (unsigned int)fuzz_take(&in, 1) % 9 + 1;
	int ops = 0;

	for (m.cap = 2; m.cap < want; m.cap <<= 1)
		;
	o.vm_fd = -1;
	o.strategy = SEAWALL_ISOLATE_NONE;
	o.sigbus_capacity = want;
	o.notify_capacity = 4;
	o.event_fn = on_event;
	o.event_arg = &m;
	ctx = seawall_ctx_new(&o);
	fuzz_check(ctx, "context: %s", strerror(errno));
	ro.gpa = RAM;
	ro.size = sizeof(ram);
	ro.hva = ram;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	fuzz_check(seawall_region_add(ctx, &ro) == 0, "region");
	{
		SEAWALL_OPTS(seawall_policy_opts, po);

		po.restart_after_pages = SEAWALL_POLICY_NEVER;
		fuzz_check(seawall_ctx_set_policy(ctx, &po) == 0, "policy");
	}

	while (in.n && ops++ < MAX_OPS) {
		switch (fuzz_take(&in, 1) & 3) {
		case 0:
			record(&m, ctx, &in, false);
			break;
		case 1:
			drain(&m, ctx);
			break;
		case 2:
			record(&m, ctx, &in, true);
			break;
		default:
			fuzz_check(seawall_ctx_reset(ctx) >= 0, "reset");
			break;
		}
	}
	drain(&m, ctx);
	seawall_ctx_free(ctx);
	return 0;
}
