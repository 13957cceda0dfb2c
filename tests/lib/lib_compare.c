// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * Is libseawall's emulated data abort the one KVM delivers?
 *
 * The same data SEA is taken twice, each time in a fresh VM with the same
 * image and state: once put back with KVM's own ext_dabt_pending
 * (KVM_SET_VCPU_EVENTS), once with libseawall's exception-entry emulation
 * (seawall_vcpu_inject_abort(SEAWALL_ABORT_DATA), KVM_SET_ONE_REG).  Then
 * compared:
 *
 *  - host side, KVM_GET_ONE_REG before resuming: PC, PSTATE, ELR_EL1,
 *    SPSR_EL1, ESR_EL1, FAR_EL1;
 *  - guest side, in the handler's first instructions: the vector taken,
 *    ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1 and PSTATE (NZCV, DAIF, CurrentEL,
 *    SPSel, PAN, SSBS, DIT, UAO, TCO where the vCPU has them).
 *
 * Every one must be equal.  ESR: both give EC|IL|FSC and nothing else; the
 * exit's WnR (and EA/SET, if any) reaches neither guest, because KVM's
 * inject_abt64() builds a fresh syndrome and libseawall follows it, so the
 * guest cannot tell the two injections apart.  (The Arm ARM lets ISS bits
 * such as WnR describe the access; both injectors choose not to report
 * them, identically.)
 *
 * One difference is allowed, and asserted exactly: Linux 6.12 applies
 * ext_dabt_pending lazily.  kvm_inject_dabt() writes ESR_EL1 and FAR_EL1 at
 * once but only pends the exception entry, which happens at the next
 * KVM_RUN; 7.2 commits it inside KVM_SET_VCPU_EVENTS.  So on 6.12 the host
 * reads the pre-abort PC and PSTATE after ext_dabt_pending; the guest-side
 * comparison is unaffected.
 *
 * Variants: EL1 and EL0, read and write, gva != gpa, SCTLR_EL1.SPAN = 0
 * (PAN set on entry), SCTLR_EL1.DSSBS = 1 (SSBS set on entry), and an old
 * PSTATE with NZCV, DIT, PAN and SSBS set (copied to SPSR; DIT and PAN kept).
 */
#include <inttypes.h>
#include <string.h>

#include <seawall/kvm.h>

#include "lt.h"

struct cmp_case {
	enum kt_access_kind access;
	bool el0;
	bool alias;
	bool span0;		/* SCTLR_EL1.SPAN = 0 */
	bool dssbs;		/* SCTLR_EL1.DSSBS = 1 */
	bool old_bits;		/* NZCV, DIT, PAN, SSBS set before the access */
};

enum path { BY_KVM, BY_LIB };

struct result {
	uint64_t pc0, pstate0;		/* at the SEA exit */
	struct lt_regs host;		/* after injection, before KVM_RUN */
	struct lt_report guest;
	struct seawall_exc_out out;	/* BY_LIB */
	unsigned int features;
	uint64_t target, fn;
};

static void take(const struct cmp_case *c, enum path p, struct result *res)
{
	uint64_t page = KT_TEST_PAGE(3), gva = page, sctlr;
	struct kt_access a = { 0 };
	struct kt_arm_sea sea;
	struct kt_vm vm;

	memset(res, 0, sizeof(*res));
	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	KT_CHECK_EQ(seawall_kvm_enable(vm.vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER |
				       SEAWALL_KVM_HAS_INJECT_EXT_DABT),
		    SEAWALL_KVM_HAS_SEA_TO_USER | SEAWALL_KVM_HAS_INJECT_EXT_DABT,
		    "seawall_kvm_enable");
	res->features = lt_use_vectors(&vm);
	sctlr = lt_get_reg(&vm, LT_REG_SCTLR_EL1);
	if (c->span0)
		sctlr &= ~SEAWALL_SCTLR_SPAN;
	if (c->dssbs)
		sctlr |= SEAWALL_SCTLR_DSSBS;
	lt_set_reg(&vm, LT_REG_SCTLR_EL1, sctlr);
	if (c->alias) {
		gva = KT_ALIAS_GVA + 0xb000;
		kt_map_page(&vm, gva, page);
	}
	a.fn = kt_access_fn(c->access);
	a.target = gva + 0x5a8;
	a.prime = gva;
	if (c->el0) {
		a.el0 = 1;
		kt_map_el0(&vm, a.fn, true);
		kt_map_el0(&vm, gva, false);
	}
	res->target = a.target;
	res->fn = a.fn;
	kt_access_start(&vm, &a);
	if (c->old_bits) {
		uint64_t ps = lt_get_reg(&vm, LT_REG_PSTATE);

		ps |= SEAWALL_PSR_NZCV | SEAWALL_PSR_SSBS;
		if (res->features & LT_HAS_DIT)
			ps |= SEAWALL_PSR_DIT;
		if (res->features & LT_HAS_PAN)
			ps |= SEAWALL_PSR_PAN;
		lt_set_reg(&vm, LT_REG_PSTATE, ps);
	}
	kt_mark(&vm, page, 0);
	sea = kt_run_expect_sea(&vm);
	res->pc0 = lt_get_reg(&vm, LT_REG_PC);
	res->pstate0 = lt_get_reg(&vm, LT_REG_PSTATE);
	KT_CHECK_EQ(res->pc0, a.fn, "PC at the SEA exit");

	if (p == BY_KVM)
		KT_CHECK_EQ(seawall_vcpu_inject_dabt(vm.vcpu_fd), 0,
			    "seawall_vcpu_inject_dabt");
	else
		KT_CHECK_EQ(seawall_vcpu_inject_abort(vm.vcpu_fd,
			SEAWALL_ABORT_DATA, sea.gva, 0, &res->out), 0,
			"seawall_vcpu_inject_abort(DATA)");
	lt_read_regs(&vm, &res->host);
	res->guest = *lt_run_expect_exception(&vm);
	KT_CHECK_EQ(res->guest.count, 1, "exceptions the guest took");
	kt_vm_destroy(&vm);
}

/* PSTATE bits the guest handler could read. */
static uint64_t readable(unsigned int f)
{
	uint64_t m = SEAWALL_PSR_NZCV | (0xfULL << 6) | 0xdULL;

	if (f & LT_HAS_PAN)
		m |= SEAWALL_PSR_PAN;
	if (f & LT_HAS_SSBS)
		m |= SEAWALL_PSR_SSBS;
	if (f & LT_HAS_DIT)
		m |= SEAWALL_PSR_DIT;
	if (f & LT_HAS_UAO)
		m |= SEAWALL_PSR_UAO;
	if (f & LT_HAS_TCO)
		m |= SEAWALL_PSR_TCO;
	return m;
}

#define SAME(field, what)						\
	KT_CHECK_EQ(lib.field, kvm.field, what " (libseawall vs KVM)")

static void run_compare(const struct kt_variant *v)
{
	const struct cmp_case *c = v->data;
	struct result kvm, lib;
	uint64_t mask, ec = c->el0 ? EC_DABT_LOW : EC_DABT_CUR;

	take(c, BY_KVM, &kvm);
	take(c, BY_LIB, &lib);

	/* Same VM, same code: the abort must have met the same state. */
	SAME(pc0, "PC at the exit");
	SAME(pstate0, "PSTATE at the exit");
	KT_CHECK_EQ(seawall_pstate_guest_el(kvm.pstate0), c->el0 ? 0 : 1,
		    "guest EL at the exit");

	/* The library wrote what it said it wrote. */
	KT_CHECK_EQ(lib.host.pc, lib.out.pc, "host PC = out.pc");
	KT_CHECK_EQ(lib.host.pstate, lib.out.pstate, "host PSTATE = out.pstate");
	KT_CHECK_EQ(lib.host.elr, lib.out.elr, "host ELR_EL1 = out.elr");
	KT_CHECK_EQ(lib.host.spsr, lib.out.spsr, "host SPSR_EL1 = out.spsr");
	KT_CHECK_EQ(lib.host.esr, lib.out.esr, "host ESR_EL1 = out.esr");
	KT_CHECK_EQ(lib.host.far, lib.out.far, "host FAR_EL1 = out.far");

	/* Host side, before resuming. */
	SAME(host.esr, "host ESR_EL1");
	SAME(host.far, "host FAR_EL1");
	if (kvm.host.pc == kvm.pc0 && kvm.host.pstate == kvm.pstate0) {
		/* Linux 6.12: the entry is pended to the next KVM_RUN. */
		kt_diag("KVM pends the exception entry to the next KVM_RUN "
			"(PC and PSTATE unchanged after ext_dabt_pending); "
			"ESR_EL1 and FAR_EL1 already written");
	} else {
		SAME(host.pc, "host PC");
		SAME(host.pstate, "host PSTATE");
		SAME(host.elr, "host ELR_EL1");
		SAME(host.spsr, "host SPSR_EL1");
	}

	/* Guest side, in the handler. */
	SAME(guest.vector, "vector taken");
	SAME(guest.esr, "ESR_EL1");
	SAME(guest.far, "FAR_EL1");
	SAME(guest.elr, "ELR_EL1");
	SAME(guest.spsr, "SPSR_EL1");
	mask = readable(kvm.features);
	KT_CHECK_EQ(lt_report_pstate(&lib.guest) & mask,
		    lt_report_pstate(&kvm.guest) & mask,
		    "PSTATE on entry (libseawall vs KVM)");

	/* And both are right. */
	KT_CHECK_EQ(kvm.guest.vector, c->el0 ? LT_VEC_LOWER_A64_SYNC :
		    LT_VEC_CUR_SPX_SYNC, "vector index (4: 0x200, 8: 0x400)");
	KT_CHECK_EQ(kvm.guest.esr, ec << ESR_EC_SHIFT | ESR_IL | FSC_SEA,
		    "ESR_EL1 (EC, IL, FSC 0x10, nothing else)");
	KT_CHECK_EQ(kvm.guest.far, kvm.target, "FAR_EL1");
	KT_CHECK_EQ(kvm.guest.elr, kvm.fn, "ELR_EL1");
	KT_CHECK_EQ(kvm.guest.spsr, kvm.pstate0, "SPSR_EL1");
	KT_CHECK_EQ(lt_report_pstate(&lib.guest) & mask, lib.out.pstate & mask,
		    "PSTATE on entry = out.pstate");
	if (c->span0 && (kvm.features & LT_HAS_PAN))
		KT_CHECK_EQ(kvm.guest.pan & SEAWALL_PSR_PAN, SEAWALL_PSR_PAN,
			    "PSTATE.PAN set on entry (SCTLR_EL1.SPAN = 0)");
	if (c->dssbs && (kvm.features & LT_HAS_SSBS))
		KT_CHECK_EQ(kvm.guest.ssbs & SEAWALL_PSR_SSBS, SEAWALL_PSR_SSBS,
			    "PSTATE.SSBS = SCTLR_EL1.DSSBS on entry");
	kt_diag("vector %#" PRIx64 " ESR %#" PRIx64 " FAR %#" PRIx64
		" ELR %#" PRIx64 " SPSR %#" PRIx64 " PSTATE %#" PRIx64
		" (features %#x)", kvm.guest.vector * 0x80, kvm.guest.esr,
		kvm.guest.far, kvm.guest.elr, kvm.guest.spsr,
		lt_report_pstate(&kvm.guest), kvm.features);
}

#define CMP(n, ...)							\
	{ .name = n, .run = run_compare, .needs_inject = true,		\
	  .data = &(const struct cmp_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	CMP("el1-read", .access = KT_READ),
	CMP("el1-write", .access = KT_WRITE),
	CMP("el1-read-gva-ne-gpa", .access = KT_READ, .alias = true),
	CMP("el0-read", .access = KT_READ, .el0 = true),
	CMP("el0-write", .access = KT_WRITE, .el0 = true),
	CMP("el1-read-span0", .access = KT_READ, .span0 = true),
	CMP("el0-read-span0", .access = KT_READ, .el0 = true, .span0 = true),
	CMP("el1-read-dssbs", .access = KT_READ, .dssbs = true),
	CMP("el1-read-old-pstate-bits", .access = KT_READ, .old_bits = true),
	CMP("el1-write-old-pstate-bits-span0-dssbs", .access = KT_WRITE,
	    .old_bits = true, .span0 = true, .dssbs = true),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "lib_compare",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
