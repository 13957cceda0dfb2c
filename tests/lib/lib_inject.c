// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * libseawall puts aborts back into a real vCPU.
 *
 * Data abort, seawall_vcpu_inject_dabt() (KVM_SET_VCPU_EVENTS
 * ext_dabt_pending) after a data SEA: the guest's synchronous vector for
 * the EL that made the access runs (0x200 from EL1h, 0x400 from EL0) with
 * EC 0x25 (0x24 from EL0), FSC 0x10, FAR_EL1 = the address, ELR_EL1 = the
 * faulting instruction.
 *
 * Instruction abort, seawall_vcpu_inject_abort() (exception entry emulated
 * with KVM_SET_ONE_REG) after a fetch SEA: vector 0x200 from EL1h, 0x400
 * from EL0; EC 0x21 / 0x20, IFSC 0x10, FAR_EL1 = the fetched address,
 * ELR_EL1 = the faulting PC, SPSR_EL1 = PSTATE at the abort, and the
 * handler runs at EL1h with DAIF masked.  With FnV the guest sees ESR.FnV
 * and FAR_EL1 0.
 */
#include <errno.h>
#include <inttypes.h>

#include <seawall/kvm.h>

#include "lt.h"

struct inject_case {
	enum kt_access_kind access;
	bool el0;
	bool alias;
	bool fnv;
};

static void run_inject(const struct kt_variant *v)
{
	const struct inject_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(2), gva = page, target, pc0, pstate0;
	struct seawall_exc_out out;
	const struct lt_report *r;
	struct kt_access a = { 0 };
	bool fetch = c->access == KT_FETCH;
	struct kt_arm_sea sea;
	struct kt_vm vm;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	KT_CHECK_EQ(seawall_kvm_enable(vm.vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER |
				       SEAWALL_KVM_HAS_INJECT_EXT_DABT),
		    SEAWALL_KVM_HAS_SEA_TO_USER | SEAWALL_KVM_HAS_INJECT_EXT_DABT,
		    "seawall_kvm_enable");
	lt_use_vectors(&vm);
	if (c->alias) {
		gva = KT_ALIAS_GVA + 0x7000;
		kt_map_page(&vm, gva, page);
	}
	target = gva + (fetch ? 0x124 : 0x238);
	kt_put_ret(&vm, page + 0x124);
	a.fn = kt_access_fn(c->access);
	a.target = target;
	if (fetch) {
		a.prime_with_fn = 1;
		if (c->el0)
			a.fn = target;
	} else {
		a.prime = gva;
	}
	if (c->el0) {
		a.el0 = 1;
		kt_map_el0(&vm, a.fn, true);
		if (!fetch)
			kt_map_el0(&vm, gva, false);
	}
	kt_access_start(&vm, &a);
	kt_mark(&vm, page, c->fnv ? KT_SEA_FNV : 0);
	sea = kt_run_expect_sea(&vm);
	pc0 = lt_get_reg(&vm, LT_REG_PC);
	pstate0 = lt_get_reg(&vm, LT_REG_PSTATE);
	KT_CHECK_EQ(pc0, fetch ? target : a.fn, "PC at the SEA exit");

	if (fetch) {
		KT_CHECK_EQ(seawall_vcpu_inject_abort(vm.vcpu_fd,
			SEAWALL_ABORT_INSN, sea.gva,
			c->fnv ? SEAWALL_EXC_FNV : 0, &out), 0,
			"seawall_vcpu_inject_abort(INSN)");
		KT_CHECK_EQ(out.vector, c->el0 ? 0x400 : 0x200, "out.vector");
		KT_CHECK_EQ(out.pc, (uintptr_t)lt_vectors + out.vector, "out.pc");
	} else {
		KT_CHECK_EQ(seawall_vcpu_inject_dabt(vm.vcpu_fd), 0,
			    "seawall_vcpu_inject_dabt");
	}
	r = lt_run_expect_exception(&vm);
	KT_CHECK_EQ(r->count, 1, "exceptions the guest took");
	KT_CHECK_EQ(r->vector, c->el0 ? LT_VEC_LOWER_A64_SYNC :
		    LT_VEC_CUR_SPX_SYNC, "vector index (4: 0x200, 8: 0x400)");
	if (fetch)
		KT_CHECK_EQ(ESR_EC(r->esr), c->el0 ? EC_IABT_LOW : EC_IABT_CUR,
			    "ESR_EL1.EC");
	else
		KT_CHECK_EQ(ESR_EC(r->esr), c->el0 ? EC_DABT_LOW : EC_DABT_CUR,
			    "ESR_EL1.EC");
	KT_CHECK_EQ(r->esr & ESR_IL, ESR_IL, "ESR_EL1.IL");
	KT_CHECK_EQ(r->esr & ESR_FSC, FSC_SEA, "ESR_EL1.{I,D}FSC");
	KT_CHECK_EQ(!!(r->esr & ESR_FNV), c->fnv, "ESR_EL1.FnV");
	if (!c->fnv)
		KT_CHECK_EQ(r->far, target, "FAR_EL1");
	else if (fetch)
		KT_CHECK_EQ(r->far, 0, "FAR_EL1 (FnV: libseawall writes 0)");
	KT_CHECK_EQ(r->elr, pc0, "ELR_EL1 (the faulting instruction)");
	KT_CHECK_EQ(r->spsr, pstate0, "SPSR_EL1 (PSTATE at the abort)");
	KT_CHECK_EQ(r->currentel, 1 << 2, "CurrentEL");
	KT_CHECK_EQ(r->spsel, 1, "SPSel");
	KT_CHECK_EQ(r->daif, 0xfULL << 6, "DAIF on entry");
	if (fetch) {
		KT_CHECK_EQ(r->esr, out.esr, "ESR_EL1 = what the library wrote");
		KT_CHECK_EQ(r->spsr, out.spsr, "SPSR_EL1 = out.spsr");
	}
	kt_vm_destroy(&vm);
}

/* Arguments the library refuses, on a real vCPU. */
static void run_einval(const struct kt_variant *v)
{
	struct seawall_exc_out out;
	struct kt_vm vm;

	(void)v;
	kt_vm_create(&vm, NULL);
	KT_CHECK_EQ(seawall_vcpu_inject_abort(vm.vcpu_fd, 3, 0, 0, &out),
		    -EINVAL, "inject_abort(kind 3)");
	KT_CHECK_EQ(seawall_vcpu_inject_abort(vm.vcpu_fd, SEAWALL_ABORT_INSN,
					      0, 1u << 9, &out),
		    -EINVAL, "inject_abort(unknown flag)");
	KT_CHECK_EQ(seawall_vcpu_inject_abort(-1, SEAWALL_ABORT_INSN, 0, 0,
					      &out), -EBADF, "inject_abort(-1)");
	KT_CHECK_EQ(seawall_vcpu_inject_dabt(-1), -EBADF, "inject_dabt(-1)");
	kt_vm_destroy(&vm);
}

#define INJ(n, ...)							\
	{ .name = n, .run = run_inject, .needs_inject = true,		\
	  .data = &(const struct inject_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	{ .name = "refused-arguments", .run = run_einval },
	INJ("dabt-read", .access = KT_READ),
	INJ("dabt-write", .access = KT_WRITE),
	INJ("dabt-read-gva-ne-gpa", .access = KT_READ, .alias = true),
	INJ("dabt-read-from-el0", .access = KT_READ, .el0 = true),
	INJ("dabt-write-from-el0", .access = KT_WRITE, .el0 = true),
	INJ("iabt-fetch", .access = KT_FETCH),
	INJ("iabt-fetch-gva-ne-gpa", .access = KT_FETCH, .alias = true),
	INJ("iabt-fetch-from-el0", .access = KT_FETCH, .el0 = true),
	INJ("iabt-fetch-fnv", .access = KT_FETCH, .fnv = true),
	INJ("iabt-fetch-fnv-from-el0", .access = KT_FETCH, .el0 = true,
	    .fnv = true),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "lib_inject",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
