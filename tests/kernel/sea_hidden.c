// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * What KVM must hide: for every access form, arm_sea.esr holds only EC, IL,
 * FnV, EA, CM, WnR, FSC (and SET when the VM has FEAT_RAS).  A stage-2 abort
 * on a plain register load or store carries the instruction syndrome (ISV,
 * SAS, SSE, SRT, SF, AR); table walks carry S1PTW; none of it may reach
 * userspace.  The accessors below differ in exactly those fields.
 */
#include "kt.h"

/* Each takes (x0 = address, x1 = value); the first instruction faults. */
#define HB_ACCESSOR(name, insn)						\
	__asm__(".text\n"						\
		".global " #name "\n"					\
		".type " #name ", %function\n"				\
		".balign 4\n"						\
		#name ":\n"						\
		"\t" insn "\n"						\
		"\tret\n"						\
		".size " #name ", . - " #name "\n");			\
	uint64_t name(uint64_t addr, uint64_t val)

HB_ACCESSOR(hb_ldr_x7, "ldr x7, [x0]");		/* SAS 3, SF, SRT 7 */
HB_ACCESSOR(hb_ldrsb_w9, "ldrsb w9, [x0]");	/* SSE, SRT 9 */
HB_ACCESSOR(hb_ldrh_w12, "ldrh w12, [x0]");	/* SAS 1, SRT 12 */
HB_ACCESSOR(hb_ldar_x3, "ldar x3, [x0]");	/* AR */
HB_ACCESSOR(hb_stlr_w17, "stlr w17, [x0]");	/* AR, WnR */
HB_ACCESSOR(hb_strb_w5, "strb w5, [x0]");	/* SRT 5, WnR */
HB_ACCESSOR(hb_ldp, "ldp x1, x2, [x0]");	/* pair: no ISV */
HB_ACCESSOR(hb_ldr_post, "ldr x4, [x0], #8");	/* writeback: no ISV */
HB_ACCESSOR(hb_ldr_q0, "ldr q0, [x0]");		/* SIMD: no ISV */
HB_ACCESSOR(hb_ldxr_x6, "ldxr x6, [x0]");	/* exclusive */
HB_ACCESSOR(hb_dc_zva, "dc zva, x0");		/* a store by cache op */

struct hidden_case {
	uint64_t (*fn)(uint64_t addr, uint64_t val);
	bool wnr;
	uint64_t offset;
};

static void run_hidden(const struct kt_variant *v)
{
	const struct hidden_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(2);
	struct kt_access a = { 0 };
	struct kt_arm_sea sea;
	struct kt_vm vm;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	kt_enable_sea_to_user(&vm);
	a.fn = (uintptr_t)c->fn;
	a.target = page + c->offset;
	a.prime = page;
	kt_access_start(&vm, &a);
	kt_mark(&vm, page, 0);

	sea = kt_run_expect_sea(&vm);
	kt_diag("VM %s FEAT_RAS: esr may hold %#llx", vm.vm_has_ras ?
		"has" : "lacks", vm.vm_has_ras ? KT_SEA_ESR_MASK_RAS :
						 KT_SEA_ESR_MASK);
	kt_check_sea_esr(&vm, sea.esr, (uint64_t)EC_DABT_LOW << ESR_EC_SHIFT |
			 ESR_IL | (c->wnr ? ESR_WNR : 0) | FSC_SEA, 0);
	KT_CHECK_EQ(sea.esr & (ESR_ISV | ESR_SAS | ESR_SSE | ESR_SRT | ESR_SF |
			       ESR_AR | ESR_VNCR | ESR_S1PTW | ESR_ISS2), 0,
		    "hidden syndrome bits in arm_sea.esr");
	KT_CHECK_EQ(sea.flags, KT_EXIT_ARM_SEA_FLAG_GPA_VALID, "arm_sea.flags");
	KT_CHECK_EQ(sea.gpa, page, "arm_sea.gpa");
	kt_vm_destroy(&vm);
}

#define HIDDEN(n, f, w, off)						\
	{ .name = n, .run = run_hidden, .needs_inject = true,		\
	  .data = &(const struct hidden_case){ .fn = f, .wnr = w,	\
					       .offset = off } }

static const struct kt_variant variants[] = {
	HIDDEN("ldr-x7", hb_ldr_x7, false, 0x8),
	HIDDEN("ldrsb-w9", hb_ldrsb_w9, false, 0x3),
	HIDDEN("ldrh-w12", hb_ldrh_w12, false, 0x6),
	HIDDEN("ldar-x3", hb_ldar_x3, false, 0x10),
	HIDDEN("stlr-w17", hb_stlr_w17, true, 0x14),
	HIDDEN("strb-w5", hb_strb_w5, true, 0x21),
	HIDDEN("ldp-x1-x2", hb_ldp, false, 0x30),
	HIDDEN("ldr-post-index", hb_ldr_post, false, 0x40),
	HIDDEN("ldr-q0", hb_ldr_q0, false, 0x50),
	HIDDEN("ldxr-x6", hb_ldxr_x6, false, 0x60),
	HIDDEN("dc-zva", hb_dc_zva, true, 0x100),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_hidden",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
