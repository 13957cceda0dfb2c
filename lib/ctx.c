// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The context: one per VM.  Every intake path (SEA exit, SIGBUS, MMIO/NISV
 * on an isolated page, test) becomes a struct sw_err and goes through
 * process_locked(), which records, decides, isolates, notifies and
 * journals while holding the context lock.  Events are collected and
 * handed to the VMM's callback after the lock is dropped, so a callback
 * may call back into the library.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#endif
#ifndef BUS_MCEERR_AO
#define BUS_MCEERR_AO 5
#endif

#define DEFAULT_MAX_PAGES	65536
#define DEFAULT_SIGBUS_CAP	256
#define DEFAULT_NOTIFY_CAP	64
#define TOKEN			64	/* rate-limit fixed point: 1 token */
#define MAX_BURST		1000
#define MAX_RATE		1000000	/* reports per second; keeps token_clock() in range */
#define LSB_MAX			47	/* si_addr_lsb: past it, larger than a 48-bit space */
#define UNIT_MAX_PAGES		512	/* pages of one poisoned unit recorded one by one */
#define EV_SEQ_BLOCK		1024	/* event numbers recorded as used per journal record */
#define ID_MAX			128	/* bytes of vm_name, vm_uuid */

struct sw_err {
	unsigned int source;
	unsigned int kind;		/* SEAWALL_ABORT_*, or 0: do not inject */
	bool gpa_valid;
	uint64_t gpa;
	uint64_t gva;
	uint64_t hva;
	uint64_t esr;
	int guest_el;
	unsigned int set;
	const char *reason;
};

struct sw_evbuf {
	struct seawall_event ev[SW_MAX_PENDING_EVENTS];
	unsigned int n;
};

/*
 * Make room for a restart in a full buffer: drop the newest event that is
 * not one, and give the later ones their numbers back so that the
 * sequence the VMM sees has no gap.
 */
static bool ev_make_room(struct seawall_ctx *ctx, struct sw_evbuf *eb)
{
	for (unsigned int i = eb->n; i-- > 0;) {
		if (eb->ev[i].type == SEAWALL_EV_RESTART)
			continue;
		for (unsigned int k = i; k + 1 < eb->n; k++) {
			eb->ev[k] = eb->ev[k + 1];
			eb->ev[k].seq--;
		}
		eb->n--;
		ctx->ev_seq--;
		ctx->events_dropped++;
		return true;
	}
	return false;
}

/*
 * Event numbers go on from where the journal says the last process
 * stopped: before one past the recorded mark goes out, a record moves the
 * mark a block ahead (one record and sync per EV_SEQ_BLOCK events).  A
 * crash costs at most the rest of a block, as a gap; never a number twice.
 */
static void reserve_ev_seq(struct seawall_ctx *ctx)
{
	uint64_t mark = ctx->ev_seq + EV_SEQ_BLOCK - 1;
	int err;

	if (!ctx->journal || ctx->ev_seq <= ctx->ev_seq_reserved)
		return;
	err = sw_journal_append_ev_seq(ctx->journal, mark, !ctx->o.journal_nosync);
	if (err) {
		/* Numbered anyway; tried again at the next event. */
		ctx->st.journal_errors++;
		sw_log(ctx, SEAWALL_LOG_ERR, "journal: recording event numbers failed: %s",
		       strerror(-err));
		return;
	}
	ctx->ev_seq_reserved = mark;
}

static struct seawall_event *ev_add(struct seawall_ctx *ctx, struct sw_evbuf *eb,
				    unsigned int type, const struct sw_err *e)
{
	struct seawall_event *ev;

	if (eb->n == SW_ARRAY_SIZE(eb->ev) &&
	    (type != SEAWALL_EV_RESTART || !ev_make_room(ctx, eb))) {
		ctx->events_dropped++;
		return NULL;
	}
	ev = &eb->ev[eb->n++];
	memset(ev, 0, sizeof(*ev));
	ev->seq = ++ctx->ev_seq;
	reserve_ev_seq(ctx);
	ev->time_ns = sw_now_ns();
	ctx->last_event_ns = ev->time_ns;
	ev->type = type;
	ev->guest_el = -1;
	ev->vm = ctx->o.vm_name;
	ev->uuid = ctx->o.vm_uuid;
	if (e) {
		ev->source = e->source;
		ev->gpa = e->gpa_valid ? e->gpa : 0;
		ev->gva = e->gva;
		/* A host address says where the VMM's memory is: only when asked. */
		ev->hva = ctx->o.event_hva ? e->hva : 0;
		ev->esr = e->esr;
		ev->guest_el = e->guest_el;
		ev->reason = e->reason;
	}
	return ev;
}

/* The structured log's copy: the JSON in a stack buffer, or the heap when longer. */
static void ev_log(struct seawall_ctx *ctx, const struct seawall_event *ev)
{
	char small[1024], *json = small;
	int n = seawall_event_render_json(ev, small, sizeof(small));

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		json = malloc((size_t)n + 1);
		if (!json)
			return;
		seawall_event_render_json(ev, json, (size_t)n + 1);
	}
	ctx->o.event_log_fn(sw_event_level(ev->type), sw_event_type_name(ev->type),
			    sw_event_message_id(ev->type), json, ctx->o.event_log_arg);
	if (json != small)
		free(json);
}

static void ev_flush(struct seawall_ctx *ctx, struct sw_evbuf *eb)
{
	for (unsigned int i = 0; i < eb->n; i++) {
		if (ctx->o.event_fn)
			ctx->o.event_fn(&eb->ev[i], ctx->o.event_arg);
		if (ctx->o.event_log_fn)
			ev_log(ctx, &eb->ev[i]);
	}
}

static void set_policy_defaults(struct sw_policy *p, const struct seawall_policy_opts *o)
{
	p->flags = o->flags;
	p->restart_after_pages = o->restart_after_pages ? o->restart_after_pages :
				 SEAWALL_POLICY_DEFAULT_PAGES;
	p->rate_burst = o->rate_burst ? o->rate_burst : SEAWALL_POLICY_DEFAULT_BURST;
	if (p->rate_burst > MAX_BURST)
		p->rate_burst = MAX_BURST;
	p->rate_per_sec = o->rate_per_sec ? o->rate_per_sec : SEAWALL_POLICY_DEFAULT_RATE;
	if (p->rate_per_sec > MAX_RATE)
		p->rate_per_sec = MAX_RATE;
}

/*
 * Token units earned from the epoch to t.  The refill between two hits is
 * the difference of two of these, not (t1 - t0) * rate truncated: that
 * truncation lost everything below one unit at every hit, so a page hit
 * more often than TOKEN * rate times a second never refilled at all.
 */
static uint64_t token_clock(uint64_t t, unsigned int rate)
{
	uint64_t per_sec = (uint64_t)rate * TOKEN;

	return t / 1000000000u * per_sec + t % 1000000000u * per_sec / 1000000000u;
}

int seawall_ctx_set_policy(struct seawall_ctx *ctx, const struct seawall_policy_opts *opts)
{
	struct seawall_policy_opts o;
	int err;

	if (!ctx)
		return -EINVAL;
	err = sw_opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	if (o.flags & ~(SEAWALL_POLICY_NO_INJECT | SEAWALL_POLICY_NO_ISOLATE |
			SEAWALL_POLICY_NO_NOTIFY | SEAWALL_POLICY_NO_RESTART_EL1))
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	set_policy_defaults(&ctx->pol, &o);
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

struct sw_region *sw_region_find(struct seawall_ctx *ctx, uint64_t gpa)
{
	for (uint32_t i = 0; i < ctx->nregions; i++) {
		struct sw_region *r = &ctx->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

static struct sw_region *region_by_hva(struct seawall_ctx *ctx, uint64_t hva)
{
	for (uint32_t i = 0; i < ctx->nregions; i++) {
		struct sw_region *r = &ctx->regions[i];
		uint64_t base = (uint64_t)(uintptr_t)r->hva;

		if (r->hva && hva >= base && hva - base < r->size)
			return r;
	}
	return NULL;
}

static void request_restart(struct seawall_ctx *ctx, struct sw_evbuf *eb,
			    const struct sw_err *e, struct seawall_outcome *out,
			    unsigned int why, bool event)
{
	struct seawall_event *ev;

	out->actions |= SEAWALL_ACT_RESTART;
	out->restart_reason = why;
	ctx->st.restarts_requested++;
	if (!event)
		return;
	ev = ev_add(ctx, eb, SEAWALL_EV_RESTART, e);
	if (ev) {
		ev->restart_reason = why;
		ev->actions = out->actions;
		ev->page_gpa = out->page_gpa;
		ev->page_size = out->page_size;
	}
}

static void process_locked(struct seawall_ctx *ctx, const struct sw_err *e,
			   struct seawall_outcome *out, struct sw_evbuf *eb)
{
	const struct sw_policy *pol = &ctx->pol;
	struct seawall_event *ev;
	struct sw_region *r = NULL;
	struct sw_lpage *p;
	uint32_t inject = 0;
	uint16_t old_actions;
	uint8_t old_flags;
	bool fresh, moved, changed, report = true;
	uint64_t now;
	int rc;

	memset(out, 0, sizeof(*out));
	out->guest_el = e->guest_el;
	out->gpa = e->gpa_valid ? e->gpa : 0;
	if (e->source < SEAWALL_SRC__MAX)
		ctx->st.events[e->source]++;
	if (e->kind && !(pol->flags & SEAWALL_POLICY_NO_INJECT)) {
		inject = e->kind == SEAWALL_ABORT_INSN ? SEAWALL_ACT_INJECT_IABT :
			 SEAWALL_ACT_INJECT_DABT;
		ctx->st.injections++;
	}

	if (e->gpa_valid)
		r = sw_region_find(ctx, e->gpa);
	if (!r) {
		/* Nothing to isolate: the VM may consume it again unseen. */
		out->actions = SEAWALL_ACT_UNATTRIBUTED | inject;
		out->reason = e->reason ? e->reason : e->gpa_valid ?
			      "guest physical address outside every region" :
			      "no guest physical address";
		ctx->st.unattributable++;
		ev = ev_add(ctx, eb, SEAWALL_EV_UNATTRIBUTABLE, e);
		if (ev) {
			ev->reason = out->reason;
			ev->actions = out->actions | SEAWALL_ACT_RESTART;
		}
		request_restart(ctx, eb, e, out, SEAWALL_RESTART_UNATTRIBUTABLE, true);
		out->reason = ev ? ev->reason : out->reason;
		return;
	}
	out->page_size = r->page_size;
	out->page_gpa = e->gpa & ~(r->page_size - 1);

	rc = sw_ledger_insert(&ctx->ledger, out->page_gpa, &p);
	if (rc < 0) {
		out->actions = inject;
		out->reason = rc == -ENOSPC ? "ledger full" : "out of memory";
		ev = ev_add(ctx, eb, SEAWALL_EV_LEDGER_FULL, e);
		if (ev) {
			ev->error = rc;
			ev->reason = out->reason;
		}
		request_restart(ctx, eb, e, out, SEAWALL_RESTART_LOST, true);
		return;
	}

	now = sw_now_ns();
	old_actions = p->actions;
	old_flags = p->flags & SW_PAGE_PUBLIC;
	/* A journal's page of another size here was never this region's page. */
	moved = rc == 0 && p->page_shift != r->page_shift;
	fresh = rc == 1 || (p->flags & SEAWALL_PAGE_REPLACED) || moved;
	if (rc == 1) {
		p->first_ns = now;
		p->source = (uint8_t)e->source;
		p->page_shift = (uint8_t)r->page_shift;
	}
	if (moved) {
		if (!(p->flags & SEAWALL_PAGE_REPLACED) && ctx->outside_pages)
			ctx->outside_pages--;
		p->page_shift = (uint8_t)r->page_shift;
		p->flags &= (uint8_t)~(SEAWALL_PAGE_ISOLATED | SEAWALL_PAGE_NOTIFIED);
	}
	p->hits++;
	if (e->esr)
		p->esr = (uint32_t)e->esr;
	if (e->gva)
		p->gva = e->gva;
	if (e->guest_el >= 0 || rc == 1)
		p->guest_el = (int8_t)e->guest_el;

	if (fresh) {
		const char *why = NULL;

		p->flags &= (uint8_t)~SEAWALL_PAGE_REPLACED;
		p->tokens = (uint16_t)((pol->rate_burst - 1) * TOKEN);
		out->actions |= SEAWALL_ACT_NEW_PAGE;
		ctx->live_pages++;
		ctx->poisoned_total++;
		if (!(pol->flags & SEAWALL_POLICY_NO_ISOLATE) &&
		    ctx->o.strategy != SEAWALL_ISOLATE_NONE) {
			int err = sw_isolate_locked(ctx, r, out->page_gpa, &why);

			if (err >= 0) {
				out->actions |= SEAWALL_ACT_ISOLATE;
				p->flags |= SEAWALL_PAGE_ISOLATED;
				if (sw_isolate_offlined(ctx, out->page_gpa)) {
					out->actions |= SEAWALL_ACT_HOST_OFFLINED;
					p->flags |= SEAWALL_PAGE_HOST_OFFLINED;
				}
			} else if (err == -EOPNOTSUPP && (r->flags & SEAWALL_REGION_DEVICE)) {
				/* Said in the outcome; not a failure of the library. */
				out->actions |= SEAWALL_ACT_NOT_ISOLATABLE;
				out->reason = why;
			} else {
				out->actions |= SEAWALL_ACT_ISOLATE_FAILED;
				out->reason = why;
				ev = ev_add(ctx, eb, SEAWALL_EV_ISOLATE_FAILED, e);
				if (ev) {
					ev->error = err;
					ev->reason = why;
					ev->page_gpa = out->page_gpa;
					ev->page_size = out->page_size;
				}
			}
		}
		if (!(pol->flags & SEAWALL_POLICY_NO_NOTIFY)) {
			if (sw_notify_push(&ctx->notify, out->page_gpa, r->page_size) >= 0) {
				out->actions |= SEAWALL_ACT_NOTIFY;
				p->flags |= SEAWALL_PAGE_NOTIFIED;
			} else {
				ev = ev_add(ctx, eb, SEAWALL_EV_NOTIFY_OVERFLOW, e);
				if (ev) {
					ev->error = -ENOSPC;
					ev->page_gpa = out->page_gpa;
				}
			}
		}
	} else {
		/* A known page again: refill the bucket, then spend a token. */
		uint64_t t = p->tokens;
		uint64_t cap = (uint64_t)pol->rate_burst * TOKEN;

		if (now > p->last_ns)
			t += token_clock(now, pol->rate_per_sec) -
			     token_clock(p->last_ns, pol->rate_per_sec);
		if (t > cap)
			t = cap;
		if (t >= TOKEN) {
			t -= TOKEN;
		} else {
			report = false;
			out->actions |= SEAWALL_ACT_RATE_LIMITED;
			ctx->st.rate_limited++;
		}
		p->tokens = (uint16_t)t;
		if (p->flags & SEAWALL_PAGE_ISOLATED)
			out->actions |= SEAWALL_ACT_ISOLATE;
	}
	p->last_ns = now;
	out->actions |= inject;
	out->hits = p->hits;

	if (e->set == SEAWALL_SET_UC)
		out->restart_reason = SEAWALL_RESTART_UNCONTAINABLE;
	else if (e->guest_el == 1 && e->kind && !(pol->flags & SEAWALL_POLICY_NO_RESTART_EL1))
		out->restart_reason = SEAWALL_RESTART_GUEST_KERNEL;
	else if (pol->restart_after_pages != SEAWALL_POLICY_NEVER &&
		 ctx->live_pages >= pol->restart_after_pages)
		out->restart_reason = SEAWALL_RESTART_THRESHOLD;

	p->actions |= (uint16_t)(out->actions | (out->restart_reason ? SEAWALL_ACT_RESTART : 0));
	/*
	 * A record per change of state (a new page, a flag, an action never
	 * taken before on it), not per hit: a guest that hits its pages in a
	 * loop must not grow the journal nor wait for an fsync each time.
	 * Counters are written with the next change, or at seawall_ctx_free().
	 */
	changed = fresh || !(old_actions & SEAWALL_ACT_JOURNALED) ||
		  (p->flags & SW_PAGE_PUBLIC) != old_flags ||
		  (p->actions | SEAWALL_ACT_JOURNALED) != (old_actions | SEAWALL_ACT_JOURNALED);
	if (ctx->journal && changed) {
		p->actions |= SEAWALL_ACT_JOURNALED;
		rc = sw_journal_append_lpage(ctx->journal, p, true);
		if (rc) {
			p->actions &= (uint16_t)~SEAWALL_ACT_JOURNALED;
			p->flags |= SW_PAGE_UNSAVED;
			ctx->st.journal_errors++;
			if (report) {
				sw_log(ctx, SEAWALL_LOG_ERR, "journal append failed: %s",
				       strerror(-rc));
				ev = ev_add(ctx, eb, SEAWALL_EV_JOURNAL_ERROR, e);
				if (ev) {
					ev->error = rc;
					ev->page_gpa = out->page_gpa;
				}
			}
		} else {
			out->actions |= SEAWALL_ACT_JOURNALED;
		}
	} else if (ctx->journal) {
		p->flags |= SW_PAGE_UNSAVED;
	}
	if (report) {
		ev = ev_add(ctx, eb, fresh ? SEAWALL_EV_POISON : SEAWALL_EV_REPEAT, e);
		if (ev) {
			ev->page_gpa = out->page_gpa;
			ev->page_size = out->page_size;
			ev->count = p->hits;
			ev->actions = out->actions | (out->restart_reason ? SEAWALL_ACT_RESTART : 0);
			ev->restart_reason = out->restart_reason;
		}
	}
	/* Every hit still asks for the restart; the event only within the rate limit. */
	if (out->restart_reason)
		request_restart(ctx, eb, e, out, out->restart_reason,
				report || !(old_actions & SEAWALL_ACT_RESTART));
}

/*
 * 0.2's two halves of actions: what the VMM is asked to do (an abort the
 * library did not put into the vCPU itself, a restart) and what the
 * library did (the rest).
 */
static void split_actions(struct seawall_outcome *out, bool injected)
{
	out->requests = out->actions & SEAWALL_ACT_RESTART;
	if (!injected && !(out->actions & SEAWALL_ACT_INJECT_FAILED))
		out->requests |= out->actions & SEAWALL_ACT_INJECT;
	out->done = out->actions & ~out->requests;
}

static int run_err(struct seawall_ctx *ctx, const struct sw_err *e, struct seawall_outcome *out)
{
	struct sw_evbuf eb = { .n = 0 };
	struct seawall_outcome tmp;

	if (!out)
		out = &tmp;
	pthread_mutex_lock(&ctx->lock);
	process_locked(ctx, e, out, &eb);
	pthread_mutex_unlock(&ctx->lock);
	ev_flush(ctx, &eb);
	split_actions(out, false);
	return (int)out->actions;
}

static void note_inject_failure(struct seawall_ctx *ctx, struct seawall_outcome *out,
				const struct sw_err *e, int err)
{
	struct sw_evbuf eb = { .n = 0 };
	struct seawall_event *ev;

	out->actions |= SEAWALL_ACT_INJECT_FAILED;
	pthread_mutex_lock(&ctx->lock);
	ev = ev_add(ctx, &eb, SEAWALL_EV_INJECT_FAILED, e);
	if (ev) {
		ev->error = err;
		ev->actions = out->actions;
	}
	pthread_mutex_unlock(&ctx->lock);
	sw_log(ctx, SEAWALL_LOG_ERR, "injection failed: %s", strerror(-err));
	ev_flush(ctx, &eb);
}

static int sea_to_err(struct seawall_ctx *ctx, const struct seawall_kvm_arm_sea *raw,
		      const struct seawall_vcpu_state *vs, struct sw_err *e)
{
	struct seawall_sea sea;
	const char *reason;
	int err;

	memset(e, 0, sizeof(*e));
	e->source = SEAWALL_SRC_SEA;
	e->guest_el = vs && vs->valid ? seawall_pstate_guest_el(vs->pstate) : -1;
	if (e->guest_el < -1)
		e->guest_el = -1;
	err = seawall_sea_decode(raw, ctx->o.has_ras ? SEAWALL_SEA_DECODE_RAS : 0, &sea, &reason);
	if (err) {
		unsigned int ec = (unsigned int)(raw->esr >> 26) & 0x3f;

		/* Still an abort the vCPU will retry: put it back, then restart. */
		if (ec == SEAWALL_EC_DABT_LOW || ec == SEAWALL_EC_DABT_CUR)
			e->kind = SEAWALL_ABORT_DATA;
		else if (ec == SEAWALL_EC_IABT_LOW || ec == SEAWALL_EC_IABT_CUR)
			e->kind = SEAWALL_ABORT_INSN;
		e->esr = raw->esr;
		e->reason = reason;
		return err;
	}
	e->kind = sea.kind == SEAWALL_SEA_INSN ? SEAWALL_ABORT_INSN : SEAWALL_ABORT_DATA;
	e->gpa_valid = sea.gpa_valid;
	e->gpa = sea.gpa;
	e->gva = sea.gva;
	e->esr = sea.esr;
	e->set = sea.set;
	if (!sea.gpa_valid)
		e->reason = sea.fnv ? "FnV set and no guest physical address" :
			    "no guest physical address (table walk)";
	return 0;
}

int seawall_ctx_handle_sea(struct seawall_ctx *ctx, const struct seawall_kvm_arm_sea *raw,
			   const struct seawall_vcpu_state *vs, struct seawall_outcome *out)
{
	struct sw_err e;
	int err, act;

	if (!ctx || !raw)
		return -EINVAL;
	err = sea_to_err(ctx, raw, vs, &e);
	act = run_err(ctx, &e, out);
	return err ? err : act;
}

static int inject(struct seawall_ctx *ctx, int vcpu_fd, const struct sw_err *e,
		  struct seawall_outcome *out)
{
	int err = 0;

	if (out->actions & SEAWALL_ACT_INJECT_DABT) {
		err = seawall_vcpu_inject_dabt(vcpu_fd);
	} else if (out->actions & SEAWALL_ACT_INJECT_IABT) {
		unsigned int fl = ctx->o.has_mte ? SEAWALL_EXC_MTE : 0;

		if (!e->gva && !e->gpa_valid)
			fl |= SEAWALL_EXC_FNV;
		err = seawall_vcpu_inject_abort(vcpu_fd, SEAWALL_ABORT_INSN, e->gva, fl, NULL);
	}
	if (err)
		note_inject_failure(ctx, out, e, err);
	return err;
}

static struct seawall_vcpu_state read_state(int vcpu_fd)
{
	struct seawall_vcpu_state vs;

	memset(&vs, 0, sizeof(vs));
	if (vcpu_fd >= 0 && seawall_vcpu_get_pstate(vcpu_fd, &vs.pstate) == 0)
		vs.valid = 1;
	return vs;
}

int seawall_ctx_handle_sea_exit(struct seawall_ctx *ctx, int vcpu_fd, const struct kvm_run *run,
				struct seawall_outcome *out)
{
	struct seawall_kvm_arm_sea raw;
	struct seawall_vcpu_state vs;
	struct seawall_outcome tmp;
	struct sw_err e;
	int err, derr;

	if (!ctx || !run)
		return -EINVAL;
	if (!out)
		out = &tmp;
	err = seawall_kvm_run_get_sea(run, &raw);
	if (err)
		return err;
	vs = read_state(vcpu_fd);
	derr = sea_to_err(ctx, &raw, &vs, &e);
	run_err(ctx, &e, out);
	if (vcpu_fd >= 0)
		inject(ctx, vcpu_fd, &e, out);
	split_actions(out, vcpu_fd >= 0);
	return derr ? derr : (int)out->actions;
}

int seawall_ctx_handle_fault_exit(struct seawall_ctx *ctx, int vcpu_fd, const struct kvm_run *run,
				  struct seawall_outcome *out)
{
	struct seawall_vcpu_state vs;
	struct seawall_outcome tmp;
	struct sw_region *r;
	struct sw_lpage *p = NULL;
	struct sw_err e;
	uint64_t gpa;
	bool ours;
	int err;

	if (!ctx || !run)
		return -EINVAL;
	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	err = seawall_kvm_run_get_fault_gpa(run, &gpa);
	if (err)
		return err;
	pthread_mutex_lock(&ctx->lock);
	r = sw_region_find(ctx, gpa);
	if (r)
		p = sw_ledger_find(&ctx->ledger, gpa & ~(r->page_size - 1));
	/* Under the lock: an insert on another thread may move the entries. */
	ours = p && !(p->flags & SEAWALL_PAGE_REPLACED);
	pthread_mutex_unlock(&ctx->lock);
	if (!ours)
		return 0;	/* not ours: an ordinary MMIO access */

	vs = read_state(vcpu_fd);
	memset(&e, 0, sizeof(e));
	e.source = SEAWALL_SRC_FAULT;
	e.kind = SEAWALL_ABORT_DATA;
	e.gpa_valid = true;
	e.gpa = gpa;
	e.guest_el = vs.valid ? seawall_pstate_guest_el(vs.pstate) : -1;
	if (e.guest_el < -1)
		e.guest_el = -1;
	run_err(ctx, &e, out);
	if (vcpu_fd >= 0)
		inject(ctx, vcpu_fd, &e, out);
	split_actions(out, vcpu_fd >= 0);
	return (int)out->actions;
}

int seawall_ctx_handle_test(struct seawall_ctx *ctx, uint64_t gpa, struct seawall_outcome *out)
{
	struct sw_err e;

	if (!ctx)
		return -EINVAL;
	memset(&e, 0, sizeof(e));
	e.source = SEAWALL_SRC_TEST;
	e.gpa_valid = true;
	e.gpa = gpa;
	e.guest_el = -1;
	return run_err(ctx, &e, out);
}

/* Async-signal-safe: atomics and one system call, no locks, no errno. */
int seawall_sigbus_record(struct seawall_ctx *ctx, void *addr, int si_code, short lsb)
{
	int saved = errno, tid, r, fatal = 0;

	if (!ctx || (si_code != BUS_MCEERR_AR && si_code != BUS_MCEERR_AO))
		return -EINVAL;
	/* 0: not known (the region's page); otherwise from a page to the address space. */
	if (lsb && (lsb < 12 || lsb > LSB_MAX))
		return -EINVAL;
	tid = (int)syscall(SYS_gettid);
	if (si_code == BUS_MCEERR_AR && tid == atomic_load(&ctx->self_poison_tid)) {
		uint64_t a = (uint64_t)(uintptr_t)addr, start = atomic_load(&ctx->self_poison);

		/* Our own MADV_HWPOISON's answer (isolate.c), not the guest's. */
		if (start && a - start < atomic_load(&ctx->self_poison_len)) {
			errno = saved;
			return atomic_load(&ctx->run_marks) ? SEAWALL_SIGBUS_OWN : 0;
		}
	}
	/* Inside a checked copy on this thread, this does not return. */
	if (si_code == BUS_MCEERR_AR)
		fatal = sw_thread_ar(ctx, (uint64_t)(uintptr_t)addr);
	r = sw_sigq_push(&ctx->sigq, (uint64_t)(uintptr_t)addr, si_code, lsb, tid);
	errno = saved;
	return r < 0 ? r : fatal;
}

/* A checked copy took SIGBUS at hva: the page is as bad as a guest's. */
void sw_record_copy_fault(struct seawall_ctx *ctx, uint64_t hva)
{
	struct seawall_outcome out;
	struct sw_region *r;
	struct sw_err e;

	memset(&e, 0, sizeof(e));
	e.source = SEAWALL_SRC_SIGBUS_AR;
	e.hva = hva;
	e.guest_el = -1;
	pthread_mutex_lock(&ctx->lock);
	r = region_by_hva(ctx, hva);
	if (r) {
		e.gpa_valid = true;
		e.gpa = r->gpa + (hva - (uint64_t)(uintptr_t)r->hva);
	} else {
		e.reason = "host address outside every region";
	}
	pthread_mutex_unlock(&ctx->lock);
	run_err(ctx, &e, &out);
}

static void merge_outcome(struct seawall_outcome *out, const struct seawall_outcome *one)
{
	out->actions |= one->actions & ~SEAWALL_ACT_INJECT;
	if (one->restart_reason)
		out->restart_reason = one->restart_reason;
	if (one->reason)
		out->reason = one->reason;
}

/*
 * The other pages of a poisoned unit larger than the region's page
 * (si_addr_lsb above the page shift the VMM registered): each is as bad
 * as the one the signal named.  Each goes through on its own, so that
 * its events fit the buffer; none is injected (the vCPU takes one abort).
 */
static void unit_pages(struct seawall_ctx *ctx, const struct sw_err *first, uint64_t addr,
		       int lsb, struct seawall_outcome *out)
{
	struct seawall_outcome one;
	struct sw_evbuf eb = { .n = 0 };
	struct sw_region *r;
	uint64_t unit = 1ull << lsb, base, lo, hi, rbase, rend, ps;

	pthread_mutex_lock(&ctx->lock);
	r = region_by_hva(ctx, addr);
	if (!r || (unsigned int)lsb <= r->page_shift) {
		pthread_mutex_unlock(&ctx->lock);
		return;
	}
	ps = r->page_size;
	rbase = (uint64_t)(uintptr_t)r->hva;
	rend = rbase + r->size;
	/* Host addresses are user addresses (below 2^48): no sum here wraps. */
	base = addr & ~(unit - 1);
	lo = base > rbase ? base : rbase;
	hi = base + unit < rend ? base + unit : rend;
	if ((hi - lo) / ps > UNIT_MAX_PAGES) {
		struct seawall_event *ev;

		/* More than we record one by one: the VM has lost too much to go on. */
		memset(&one, 0, sizeof(one));
		ev = ev_add(ctx, &eb, SEAWALL_EV_UNATTRIBUTABLE, first);
		if (ev)
			ev->reason = one.reason = "poisoned unit spans too many guest pages";
		request_restart(ctx, &eb, first, &one, SEAWALL_RESTART_LOST, true);
		pthread_mutex_unlock(&ctx->lock);
		ev_flush(ctx, &eb);
		merge_outcome(out, &one);
		return;
	}
	pthread_mutex_unlock(&ctx->lock);
	for (uint64_t a = lo; a < hi; a += ps) {
		struct sw_err e = *first;

		if (a == (addr & ~(ps - 1)))
			continue;
		e.kind = 0;
		e.hva = a;
		e.gpa = r->gpa + (a - rbase);
		eb.n = 0;
		pthread_mutex_lock(&ctx->lock);
		process_locked(ctx, &e, &one, &eb);
		pthread_mutex_unlock(&ctx->lock);
		ev_flush(ctx, &eb);
		merge_outcome(out, &one);
	}
}

int seawall_ctx_handle_pending(struct seawall_ctx *ctx, int vcpu_fd, struct seawall_outcome *out)
{
	struct seawall_outcome tmp, one;
	struct sw_evbuf eb;
	uint64_t lost, addr;
	int code, lsb, tid, me, n = 0, el = -1;
	bool inject_here = false, have_el = false;
	struct sw_err last;

	if (!ctx)
		return -EINVAL;
	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	/* Called after every KVM_RUN: an idle queue costs no lock, no system call. */
	if (sw_sigq_idle(&ctx->sigq))
		return 0;
	memset(&last, 0, sizeof(last));
	me = (int)syscall(SYS_gettid);

	for (;;) {
		struct sw_region *r;
		struct sw_err e;

		eb.n = 0;
		pthread_mutex_lock(&ctx->lock);
		lost = atomic_load(&ctx->sigq.overflow) - atomic_load(&ctx->sigq.overflow_seen);
		if (lost) {
			struct seawall_event *ev;

			atomic_fetch_add(&ctx->sigq.overflow_seen, lost);
			ctx->st.sigbus_overflows += lost;
			ev = ev_add(ctx, &eb, SEAWALL_EV_SIGBUS_OVERFLOW, NULL);
			if (ev) {
				ev->count = lost;
				ev->reason = "SIGBUS queue full: records lost";
			}
			memset(&one, 0, sizeof(one));
			request_restart(ctx, &eb, NULL, &one, SEAWALL_RESTART_LOST, true);
			out->actions |= one.actions;
			out->restart_reason = one.restart_reason;
		}
		if (!sw_sigq_pop(&ctx->sigq, &addr, &code, &lsb, &tid)) {
			pthread_mutex_unlock(&ctx->lock);
			ev_flush(ctx, &eb);
			break;
		}
		r = region_by_hva(ctx, addr);
		memset(&e, 0, sizeof(e));
		e.source = code == BUS_MCEERR_AR ? SEAWALL_SRC_SIGBUS_AR : SEAWALL_SRC_SIGBUS_AO;
		e.hva = addr;
		e.guest_el = -1;
		/*
		 * Only the thread that took an AR signal has the vCPU to put it
		 * in.  KVM sent it from the guest's stage-2 fault, so the vCPU's
		 * PSTATE is that of the faulting access: it says whether the
		 * guest kernel (EL1) consumed the page, as for an SEA exit.
		 */
		if (code == BUS_MCEERR_AR && tid == me) {
			e.kind = SEAWALL_ABORT_DATA;
			if (vcpu_fd >= 0 && !have_el) {
				struct seawall_vcpu_state vs = read_state(vcpu_fd);

				el = vs.valid ? seawall_pstate_guest_el(vs.pstate) : -1;
				have_el = true;
			}
			e.guest_el = el < -1 ? -1 : el;
		}
		if (r) {
			e.gpa_valid = true;
			e.gpa = r->gpa + (addr - (uint64_t)(uintptr_t)r->hva);
		} else {
			e.reason = "host address outside every region";
		}
		process_locked(ctx, &e, &one, &eb);
		pthread_mutex_unlock(&ctx->lock);
		ev_flush(ctx, &eb);
		if (one.actions & SEAWALL_ACT_INJECT_DABT) {
			inject_here = true;
			last = e;
		}
		merge_outcome(out, &one);
		out->gpa = one.gpa;
		out->page_gpa = one.page_gpa;
		out->page_size = one.page_size;
		out->hits = one.hits;
		if (r && lsb)
			unit_pages(ctx, &e, addr, lsb, out);
		n++;
	}
	/* One abort per KVM_RUN return is all the vCPU can take. */
	if (inject_here) {
		out->actions |= SEAWALL_ACT_INJECT_DABT;
		if (vcpu_fd >= 0)
			inject(ctx, vcpu_fd, &last, out);
	}
	split_actions(out, inject_here && vcpu_fd >= 0);
	return n;
}

static int reload_page(const struct seawall_page *pg, void *arg)
{
	struct seawall_ctx *ctx = arg;
	struct sw_lpage *p;
	int rc = sw_ledger_insert(&ctx->ledger, pg->gpa, &p);

	/* More distinct pages than max_pages: the caller tells the user why. */
	if (rc < 0)
		return rc == -ENOSPC ? -EOVERFLOW : rc;
	if (rc == 1 || pg->first_ns < p->first_ns)
		p->first_ns = pg->first_ns;
	if (rc == 1)
		p->source = pg->source;
	p->gva = pg->gva;
	p->last_ns = pg->last_ns;
	p->esr = pg->esr;
	p->hits = pg->hits;
	p->actions = (uint16_t)pg->actions;
	p->guest_el = pg->guest_el;
	p->page_shift = pg->page_shift;
	/* Isolation and notification belong to the process that did them. */
	p->flags = pg->flags & (SEAWALL_PAGE_REPLACED | SEAWALL_PAGE_ACKED |
				SEAWALL_PAGE_HOST_OFFLINED);
	return 0;
}

static int open_journal(struct seawall_ctx *ctx, struct sw_evbuf *eb)
{
	struct seawall_journal_stats st;
	struct seawall_event *ev;
	int r;

	ctx->journal = seawall_journal_open(ctx->o.journal_path,
					    ctx->o.journal_nosync ? SEAWALL_JOURNAL_NOSYNC : 0);
	if (!ctx->journal)
		return -errno;
	r = seawall_journal_replay(ctx->journal, reload_page, ctx, &st);
	/* Event numbers go on after those an earlier process used (0 before 0.2). */
	ctx->ev_seq = ctx->ev_seq_reserved = sw_journal_ev_seq(ctx->journal);
	if (r == -EOVERFLOW)
		sw_log(ctx, SEAWALL_LOG_ERR,
		       "journal %s names more than %u distinct bad pages (max_pages): "
		       "raise max_pages, or move the journal aside to start without its pages",
		       ctx->o.journal_path, ctx->o.max_pages);
	if (r < 0)
		return r;
	if (st.corrupt) {
		ctx->st.journal_errors += st.corrupt;
		sw_log(ctx, SEAWALL_LOG_ERR,
		       "journal %s: %llu corrupt region(s), %llu bytes skipped; records around them kept",
		       ctx->o.journal_path, (unsigned long long)st.corrupt,
		       (unsigned long long)st.corrupt_bytes);
		ev = ev_add(ctx, eb, SEAWALL_EV_JOURNAL_ERROR, NULL);
		if (ev) {
			ev->count = st.corrupt;
			ev->error = -EBADMSG;
			ev->reason = "corrupt journal records skipped";
		}
	}
	if (st.torn_bytes) {
		sw_log(ctx, SEAWALL_LOG_WARN, "journal %s: torn tail of %llu bytes dropped",
		       ctx->o.journal_path, (unsigned long long)st.torn_bytes);
		ev = ev_add(ctx, eb, SEAWALL_EV_JOURNAL_TORN, NULL);
		if (ev) {
			ev->count = st.torn_bytes;
			ev->reason = "torn journal tail dropped";
		}
	}
	/* The counter goes on from the journal's distinct pages. */
	ctx->poisoned_total = ctx->ledger.n;
	/* No region yet: every page counts once its region is registered. */
	sw_recount_locked(ctx);
	/* Earlier records superseded by later ones: keep the live set and one mark. */
	if (st.records - sw_journal_other_records(ctx->journal) > ctx->ledger.n ||
	    sw_journal_other_records(ctx->journal) > 1) {
		r = sw_journal_compact(ctx->journal, &ctx->ledger, ctx->ev_seq_reserved);
		if (r < 0)
			sw_log(ctx, SEAWALL_LOG_WARN, "journal %s: compaction failed: %s",
			       ctx->o.journal_path, strerror(-r));
	}
	return 0;
}

/*
 * What the last records did not say yet (hits, last seen,
 * acknowledgements), and the last event number, so that the next process
 * numbers on without the gap a reserved block would leave.
 */
static void save_unsaved(struct seawall_ctx *ctx)
{
	bool any = false;

	if (ctx->ev_seq_reserved > ctx->ev_seq &&
	    sw_journal_append_ev_seq(ctx->journal, ctx->ev_seq, false) == 0) {
		ctx->ev_seq_reserved = ctx->ev_seq;
		any = true;
	}

	for (uint32_t i = 0; i < ctx->ledger.n; i++) {
		struct sw_lpage *p = &ctx->ledger.ent[i];

		if ((p->flags & SW_PAGE_UNSAVED) &&
		    sw_journal_append_lpage(ctx->journal, p, false) == 0)
			any = true;
	}
	if (any && !ctx->o.journal_nosync)
		seawall_journal_sync(ctx->journal);
}

/* An identity: printable, 1 to ID_MAX bytes (it goes into labels, JSON and logs). */
static bool id_ok(const char *s)
{
	size_t n = 0;

	if (!s)
		return true;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n == ID_MAX)
			return false;
	return n > 0;
}

struct seawall_ctx *seawall_ctx_new(const struct seawall_ctx_opts *opts)
{
	struct seawall_ctx *ctx;
	struct sw_evbuf eb = { .n = 0 };
	const char *journal_path;
	int err;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		errno = ENOMEM;
		return NULL;
	}
	ctx->uffd = -1;
	err = sw_opts_copy(&ctx->o, sizeof(ctx->o), opts);
	if (err)
		goto fail_free;
	/* From a struct without flags (0.1), vm_fd 0 meant none; since, only -1 does. */
	if (!opts || (opts->sz <= offsetof(struct seawall_ctx_opts, flags) && !ctx->o.vm_fd))
		ctx->o.vm_fd = -1;
	if (ctx->o.strategy > SEAWALL_ISOLATE_MEMSLOT_SPLIT ||
	    (ctx->o.flags & ~SEAWALL_CTX_NO_HOST_OFFLINE) || !id_ok(ctx->o.vm_name) ||
	    !id_ok(ctx->o.vm_uuid) ||
	    (ctx->o.kvm_caps & ~(SEAWALL_KVM_CAPS_KNOWN | SEAWALL_KVM_HAS_SEA_TO_USER |
				 SEAWALL_KVM_HAS_INJECT_EXT_DABT | SEAWALL_KVM_HAS_NISV_TO_USER)) ||
	    (ctx->o.kvm_caps && !(ctx->o.kvm_caps & SEAWALL_KVM_CAPS_KNOWN))) {
		err = -EINVAL;
		goto fail_free;
	}
	if (ctx->o.memslot_ops) {
		/* Keep our own copy: the caller's struct may be on its stack. */
		struct seawall_memslot_ops *ops = malloc(sizeof(*ops));

		if (!ops) {
			err = -ENOMEM;
			goto fail_free;
		}
		err = sw_opts_copy(ops, sizeof(*ops), ctx->o.memslot_ops);
		/* set, or pause and resume for the default set (or both). */
		if (err || !ops->pause != !ops->resume || (!ops->set && !ops->pause)) {
			free(ops);
			err = -EINVAL;
			goto fail_free;
		}
		ctx->o.memslot_ops = ops;
	}
	{
		/* Our own copies too; what seawall_ctx_free() frees from here. */
		const char *name = ctx->o.vm_name, *uuid = ctx->o.vm_uuid;

		journal_path = ctx->o.journal_path;
		ctx->o.journal_path = NULL;
		ctx->o.vm_name = name ? strdup(name) : NULL;
		ctx->o.vm_uuid = uuid ? strdup(uuid) : NULL;
		ctx->id_labels = sw_id_labels(ctx->o.vm_name, ctx->o.vm_uuid);
		if ((name && !ctx->o.vm_name) || (uuid && !ctx->o.vm_uuid) || !ctx->id_labels) {
			err = -ENOMEM;
			goto fail_ops;
		}
	}
	if (!ctx->o.max_pages)
		ctx->o.max_pages = DEFAULT_MAX_PAGES;
	if (!ctx->o.sigbus_capacity)
		ctx->o.sigbus_capacity = DEFAULT_SIGBUS_CAP;
	if (!ctx->o.notify_capacity)
		ctx->o.notify_capacity = DEFAULT_NOTIFY_CAP;
	if (ctx->o.sigbus_capacity > (1u << 24) || ctx->o.notify_capacity > (1u << 20) ||
	    ctx->o.max_pages > (1u << 30)) {
		err = -EINVAL;
		goto fail_ops;
	}
	{
		struct seawall_policy_opts po = { .sz = sizeof(po) };

		set_policy_defaults(&ctx->pol, &po);
	}
	pthread_mutex_init(&ctx->lock, NULL);
	if ((err = sw_ledger_init(&ctx->ledger, ctx->o.max_pages)) ||
	    (err = sw_sigq_init(&ctx->sigq, ctx->o.sigbus_capacity)) ||
	    (err = sw_notify_init(&ctx->notify, ctx->o.notify_capacity)))
		goto fail_all;
	if (journal_path) {
		char *path = strdup(journal_path);

		if (!path) {
			err = -ENOMEM;
			goto fail_all;
		}
		ctx->o.journal_path = path;
		err = open_journal(ctx, &eb);
		if (err)
			goto fail_all;
	}
	ev_flush(ctx, &eb);
	return ctx;

fail_all:
	seawall_ctx_free(ctx);
	errno = -err;
	return NULL;
fail_ops:
	free((void *)ctx->o.memslot_ops);
	free((void *)ctx->o.vm_name);
	free((void *)ctx->o.vm_uuid);
	free(ctx->id_labels);
fail_free:
	free(ctx);
	errno = -err;
	return NULL;
}

/*
 * Quarantined pages stay mapped where they are: unmapping them would hand
 * a bad physical page back to the host allocator.
 */
void seawall_ctx_free(struct seawall_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->journal)
		save_unsaved(ctx);
	seawall_journal_close(ctx->journal);
	sw_isolate_fini(ctx);
	free((void *)ctx->o.journal_path);
	free((void *)ctx->o.memslot_ops);
	free((void *)ctx->o.vm_name);
	free((void *)ctx->o.vm_uuid);
	free(ctx->id_labels);
	sw_ledger_fini(&ctx->ledger);
	sw_sigq_fini(&ctx->sigq);
	sw_notify_fini(&ctx->notify);
	for (uint32_t i = 0; i < ctx->nregions; i++)
		free(ctx->regions[i].pieces);
	free(ctx->regions);
	free(ctx->quar);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}
