// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * After KVM_EXIT_ARM_SEA the VMM puts the abort back into the guest with
 * KVM_SET_VCPU_EVENTS{exception.ext_dabt_pending = 1}.  The guest's
 * synchronous vector for its own EL runs with ESR_EL1 = data abort from the
 * current EL (EC 0x25), FSC synchronous external abort, FnV clear, FAR_EL1 =
 * the faulting virtual address and ELR_EL1 = the faulting instruction.
 * When guest EL0 made the access, the guest's EL1 takes it from the lower
 * EL instead: vector 0x400, EC 0x24.
 */
#include "kt.h"

struct reinject_case {
	enum kt_access_kind access;
	uint64_t offset;
	bool alias;		/* gva != gpa: FAR must be the gva */
	bool el0;		/* the access is made by guest EL0 */
};

static void run_reinject(const struct kt_variant *v)
{
	const struct reinject_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(1), gva = page, esr;
	struct kt_access a = { 0 };
	struct kt_arm_sea sea;
	struct kt_vm vm;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	kt_enable_sea_to_user(&vm);
	if (c->alias) {
		gva = KT_ALIAS_GVA + 0xa000;
		kt_map_page(&vm, gva, page);
	}
	a.fn = kt_access_fn(c->access);
	a.target = gva + c->offset;
	a.prime = gva;
	if (c->el0) {
		a.el0 = 1;
		kt_map_el0(&vm, a.fn, true);
		kt_map_el0(&vm, gva, false);
	}
	kt_access_start(&vm, &a);
	kt_mark(&vm, page, 0);

	/* From EL2's point of view EL0 and EL1 are both the lower EL. */
	sea = kt_run_expect_sea(&vm);
	kt_check_sea_esr(&vm, sea.esr, (uint64_t)EC_DABT_LOW << ESR_EC_SHIFT |
			 ESR_IL | (c->access == KT_WRITE ? ESR_WNR : 0) |
			 FSC_SEA, 0);
	KT_CHECK_EQ(sea.gva, a.target, "arm_sea.gva");

	kt_set_ext_dabt_pending(&vm);
	kt_run_expect_ucall(&vm, KT_UCALL_EXCEPTION);
	kt_describe_exit(&vm, KT_EXIT_UCALL);
	esr = vm.uc.args[1];
	if (c->el0) {
		KT_CHECK_EQ(vm.uc.args[0], KT_VEC_LOWER_A64_SYNC,
			    "exception vector (8: synchronous, lower EL, AArch64)");
		KT_CHECK_EQ(ESR_EC(esr), EC_DABT_LOW, "ESR_EL1.EC");
	} else {
		KT_CHECK_EQ(vm.uc.args[0], KT_VEC_CUR_SPX_SYNC,
			    "exception vector (4: synchronous, current EL, SP_ELx)");
		KT_CHECK_EQ(ESR_EC(esr), EC_DABT_CUR, "ESR_EL1.EC");
	}
	KT_CHECK_EQ(esr & ESR_FSC, FSC_SEA, "ESR_EL1.FSC");
	KT_CHECK_EQ(esr & ESR_FNV, 0, "ESR_EL1.FnV");
	KT_CHECK_EQ(vm.uc.args[2], a.target, "FAR_EL1");
	KT_CHECK_EQ(vm.uc.args[3], a.fn, "ELR_EL1 (the faulting instruction)");
	kt_vm_destroy(&vm);
}

#define REINJECT(n, ...)						\
	{ .name = n, .run = run_reinject, .needs_inject = true,		\
	  .data = &(const struct reinject_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	REINJECT("read", .access = KT_READ, .offset = 0x8),
	REINJECT("write", .access = KT_WRITE, .offset = 0x8),
	REINJECT("read-page-end", .access = KT_READ, .offset = 0xff8),
	REINJECT("read-gva-ne-gpa", .access = KT_READ, .offset = 0x30,
		 .alias = true),
	REINJECT("write-gva-ne-gpa", .access = KT_WRITE, .offset = 0x30,
		 .alias = true),
	REINJECT("read-from-el0", .access = KT_READ, .offset = 0x48,
		 .el0 = true),
	REINJECT("write-from-el0", .access = KT_WRITE, .offset = 0x48,
		 .el0 = true),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_reinject",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
