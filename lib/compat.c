// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The 0.1 entry points of the calls whose structs grew in 0.2.
 *
 * A program built against the 0.1 header passes structs of the 0.1 size;
 * the 0.2 functions would write past their end (seawall_outcome,
 * seawall_page) or read garbage after them (seawall_vcpu_state,
 * seawall_page), and seawall_stats moved every counter after events[].
 * Each function here is exported as name@LIBSEAWALL_0.1, the version such
 * a program was linked to, converts to and from the 0.1 layouts below and
 * calls the 0.2 function, name@@LIBSEAWALL_0.2.  Built into the shared
 * library only: an archive has no symbol versions, so a static link always
 * gets the 0.2 layouts it was compiled with.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* The 0.1 layouts, as include/seawall.h had them in libseawall 0.1.0. */
struct sw01_outcome {
	uint32_t actions;
	uint32_t restart_reason;
	uint64_t gpa;
	uint64_t page_gpa;
	uint64_t page_size;
	int32_t guest_el;
	uint32_t hits;
	const char *reason;
};

struct sw01_vcpu_state {
	uint64_t pstate;
	int valid;
};

struct sw01_page {
	uint64_t gpa;
	uint64_t gva;
	uint64_t first_ns;
	uint64_t last_ns;
	uint32_t esr;
	uint32_t hits;
	uint32_t actions;
	uint8_t source;
	int8_t guest_el;
	uint8_t page_shift;
	uint8_t flags;
};

#define SW01_SRC_MAX	7
struct sw01_stats {
	uint64_t events[SW01_SRC_MAX];
	uint64_t poisoned_pages;
	uint64_t injections;
	uint64_t isolations;
	uint64_t sigbus_overflows;
	uint64_t restarts_requested;
	uint64_t rate_limited;
	uint64_t journal_errors;
	uint64_t unattributable;
	uint64_t notify_pending;
};

/*
 * seawall_outcome and seawall_page kept every 0.1 member where it was, so
 * their 0.1 part is a prefix of the 0.2 struct: copying sizeof() of the
 * 0.1 struct moves exactly the 0.1 members.
 */
#define SW_SAME(T01, T02, m) \
	_Static_assert(offsetof(struct T01, m) == offsetof(struct T02, m), #T02 "." #m " moved")

SW_SAME(sw01_outcome, seawall_outcome, actions);
SW_SAME(sw01_outcome, seawall_outcome, restart_reason);
SW_SAME(sw01_outcome, seawall_outcome, gpa);
SW_SAME(sw01_outcome, seawall_outcome, page_gpa);
SW_SAME(sw01_outcome, seawall_outcome, page_size);
SW_SAME(sw01_outcome, seawall_outcome, guest_el);
SW_SAME(sw01_outcome, seawall_outcome, hits);
SW_SAME(sw01_outcome, seawall_outcome, reason);
_Static_assert(sizeof(struct sw01_outcome) <= offsetof(struct seawall_outcome, done),
	       "0.2 outcome members overlap the 0.1 struct");

SW_SAME(sw01_vcpu_state, seawall_vcpu_state, pstate);
SW_SAME(sw01_vcpu_state, seawall_vcpu_state, valid);

SW_SAME(sw01_page, seawall_page, gpa);
SW_SAME(sw01_page, seawall_page, gva);
SW_SAME(sw01_page, seawall_page, first_ns);
SW_SAME(sw01_page, seawall_page, last_ns);
SW_SAME(sw01_page, seawall_page, esr);
SW_SAME(sw01_page, seawall_page, hits);
SW_SAME(sw01_page, seawall_page, actions);
SW_SAME(sw01_page, seawall_page, source);
SW_SAME(sw01_page, seawall_page, guest_el);
SW_SAME(sw01_page, seawall_page, page_shift);
SW_SAME(sw01_page, seawall_page, flags);
_Static_assert(sizeof(struct sw01_page) <= offsetof(struct seawall_page, reserved),
	       "0.2 page members overlap the 0.1 struct");

_Static_assert(SEAWALL_SRC__MAX == SW01_SRC_MAX,
	       "a new source: its events cannot reach a 0.1 caller, say so here");

/* Put before a definition: export it as name@LIBSEAWALL_0.1. */
#if defined(__has_attribute) && __has_attribute(symver)
#define SW_COMPAT01(fn, name) __attribute__((symver(#name "@LIBSEAWALL_0.1")))
#else
#define SW_COMPAT01(fn, name) __asm__(".symver " #fn ", " #name "@LIBSEAWALL_0.1");
#endif

/*
 * The caller's 0.1 outcome, as a 0.2 one: what it holds is kept where the
 * call leaves it untouched (an early -EINVAL), as 0.1 did.
 */
static void out_in(struct seawall_outcome *o, const struct sw01_outcome *o01)
{
	memset(o, 0, sizeof(*o));
	memcpy(o, o01, sizeof(*o01));
}

static void out_back(struct sw01_outcome *o01, const struct seawall_outcome *o)
{
	memcpy(o01, o, sizeof(*o01));
}

SEAWALL_API int sw_compat01_handle_sea(struct seawall_ctx *ctx, const struct seawall_kvm_arm_sea *raw,
			   const struct sw01_vcpu_state *vs01, struct sw01_outcome *out01);
SEAWALL_API int sw_compat01_handle_sea_exit(struct seawall_ctx *ctx, int vcpu_fd, const struct kvm_run *run,
				struct sw01_outcome *out01);
SEAWALL_API int sw_compat01_handle_fault_exit(struct seawall_ctx *ctx, int vcpu_fd, const struct kvm_run *run,
				  struct sw01_outcome *out01);
SEAWALL_API int sw_compat01_handle_test(struct seawall_ctx *ctx, uint64_t gpa, struct sw01_outcome *out01);
SEAWALL_API int sw_compat01_handle_pending(struct seawall_ctx *ctx, int vcpu_fd, struct sw01_outcome *out01);
SEAWALL_API int sw_compat01_get_stats(struct seawall_ctx *ctx, struct sw01_stats *st01);
SEAWALL_API int sw_compat01_ledger_lookup(struct seawall_ctx *ctx, uint64_t gpa, struct sw01_page *page01);
SEAWALL_API int sw_compat01_journal_append(struct seawall_journal *j, const struct sw01_page *page01);

SW_COMPAT01(sw_compat01_handle_sea, seawall_ctx_handle_sea)
int sw_compat01_handle_sea(struct seawall_ctx *ctx, const struct seawall_kvm_arm_sea *raw,
			   const struct sw01_vcpu_state *vs01, struct sw01_outcome *out01)
{
	struct seawall_vcpu_state vs;
	struct seawall_outcome out;
	int ret;

	/* Member by member: the 0.1 struct's tail padding is the caller's garbage. */
	memset(&vs, 0, sizeof(vs));
	if (vs01) {
		vs.pstate = vs01->pstate;
		vs.valid = vs01->valid;
	}
	if (out01)
		out_in(&out, out01);
	ret = seawall_ctx_handle_sea(ctx, raw, vs01 ? &vs : NULL, out01 ? &out : NULL);
	if (out01)
		out_back(out01, &out);
	return ret;
}

SW_COMPAT01(sw_compat01_handle_sea_exit, seawall_ctx_handle_sea_exit)
int sw_compat01_handle_sea_exit(struct seawall_ctx *ctx, int vcpu_fd, const struct kvm_run *run,
				struct sw01_outcome *out01)
{
	struct seawall_outcome out;
	int ret;

	if (out01)
		out_in(&out, out01);
	ret = seawall_ctx_handle_sea_exit(ctx, vcpu_fd, run, out01 ? &out : NULL);
	if (out01)
		out_back(out01, &out);
	return ret;
}

SW_COMPAT01(sw_compat01_handle_fault_exit, seawall_ctx_handle_fault_exit)
int sw_compat01_handle_fault_exit(struct seawall_ctx *ctx, int vcpu_fd, const struct kvm_run *run,
				  struct sw01_outcome *out01)
{
	struct seawall_outcome out;
	int ret;

	if (out01)
		out_in(&out, out01);
	ret = seawall_ctx_handle_fault_exit(ctx, vcpu_fd, run, out01 ? &out : NULL);
	if (out01)
		out_back(out01, &out);
	return ret;
}

SW_COMPAT01(sw_compat01_handle_test, seawall_ctx_handle_test)
int sw_compat01_handle_test(struct seawall_ctx *ctx, uint64_t gpa, struct sw01_outcome *out01)
{
	struct seawall_outcome out;
	int ret;

	if (out01)
		out_in(&out, out01);
	ret = seawall_ctx_handle_test(ctx, gpa, out01 ? &out : NULL);
	if (out01)
		out_back(out01, &out);
	return ret;
}

SW_COMPAT01(sw_compat01_handle_pending, seawall_ctx_handle_pending)
int sw_compat01_handle_pending(struct seawall_ctx *ctx, int vcpu_fd, struct sw01_outcome *out01)
{
	struct seawall_outcome out;
	int ret;

	if (out01)
		out_in(&out, out01);
	ret = seawall_ctx_handle_pending(ctx, vcpu_fd, out01 ? &out : NULL);
	if (out01)
		out_back(out01, &out);
	return ret;
}

SW_COMPAT01(sw_compat01_get_stats, seawall_ctx_get_stats)
int sw_compat01_get_stats(struct seawall_ctx *ctx, struct sw01_stats *st01)
{
	struct seawall_stats st;
	int ret;

	ret = seawall_ctx_get_stats(ctx, st01 ? &st : NULL);
	if (ret < 0 || !st01)
		return ret;
	memcpy(st01->events, st.events, sizeof(st01->events));
	st01->poisoned_pages = st.poisoned_pages;
	st01->injections = st.injections;
	st01->isolations = st.isolations;
	st01->sigbus_overflows = st.sigbus_overflows;
	st01->restarts_requested = st.restarts_requested;
	st01->rate_limited = st.rate_limited;
	st01->journal_errors = st.journal_errors;
	st01->unattributable = st.unattributable;
	st01->notify_pending = st.notify_pending;
	return ret;
}

SW_COMPAT01(sw_compat01_ledger_lookup, seawall_ledger_lookup)
int sw_compat01_ledger_lookup(struct seawall_ctx *ctx, uint64_t gpa, struct sw01_page *page01)
{
	struct seawall_page page;
	int ret;

	ret = seawall_ledger_lookup(ctx, gpa, page01 ? &page : NULL);
	if (ret == 0 && page01)
		memcpy(page01, &page, sizeof(*page01));
	return ret;
}

SW_COMPAT01(sw_compat01_journal_append, seawall_journal_append)
int sw_compat01_journal_append(struct seawall_journal *j, const struct sw01_page *page01)
{
	struct seawall_page page;

	if (!page01)
		return seawall_journal_append(j, NULL);
	memset(&page, 0, sizeof(page));
	memcpy(&page, page01, sizeof(*page01));
	return seawall_journal_append(j, &page);
}
