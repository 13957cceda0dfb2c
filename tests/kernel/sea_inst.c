// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * Instruction fetch from a page marked bad: KVM_EXIT_ARM_SEA reporting an
 * instruction abort from a lower EL (EC 0x20) with FSC synchronous external
 * abort and nothing else, gva = the fetched address, gpa = its page with
 * GPA_VALID.  The page holds a real function (`ret`), which the guest runs
 * once before the page is marked, so only the error can stop the second call.
 */
#include "kt.h"

struct inst_case {
	uint64_t offset;	/* of the `ret` in the page */
	bool alias;		/* gva != gpa */
	enum kt_backing backing;
	unsigned int mark;	/* set=, ea, cm (CM has no meaning here) */
};

static void run_inst(const struct kt_variant *v)
{
	const struct inst_case *c = v->data;
	struct kt_vm_opts opts = { .backing = c->backing };
	struct kt_access a = { 0 };
	struct kt_arm_sea sea;
	uint64_t page = KT_TEST_PAGE(2), gva = page;
	struct kt_vm vm;

	kt_vm_create(&vm, &opts);
	kt_require_sea_inject(&vm);
	kt_enable_sea_to_user(&vm);
	if (c->alias) {
		gva = KT_ALIAS_GVA + 0x9000;
		kt_map_page(&vm, gva, page);
	}
	kt_put_ret(&vm, page + c->offset);

	a.fn = kt_access_fn(KT_FETCH);
	a.target = gva + c->offset;
	a.prime_with_fn = 1;
	kt_access_start(&vm, &a);
	kt_mark(&vm, page, c->mark);

	sea = kt_run_expect_sea(&vm);
	kt_check_sea_esr(&vm, sea.esr, (uint64_t)EC_IABT_LOW << ESR_EC_SHIFT |
			 ESR_IL | FSC_SEA | kt_sea_mark_esr(&vm, c->mark, false),
			 0);
	KT_CHECK_EQ(sea.gva, gva + c->offset, "arm_sea.gva");
	KT_CHECK_EQ(sea.flags, KT_EXIT_ARM_SEA_FLAG_GPA_VALID, "arm_sea.flags");
	KT_CHECK_EQ(sea.gpa, page, "arm_sea.gpa");
	kt_vm_destroy(&vm);
}

#define INST(n, ...)							\
	{ .name = n, .run = run_inst, .needs_inject = true,		\
	  .data = &(const struct inst_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	INST("fetch-page-start", .offset = 0),
	INST("fetch-mid-page", .offset = 0x804),
	INST("fetch-gva-ne-gpa", .offset = 0x100, .alias = true),
	INST("fetch-thp", .offset = 0x40, .backing = KT_BACKING_THP),
	INST("fetch-set2-ea", .offset = 0x80,
	     .mark = KT_SEA_SET(2) | KT_SEA_EA | KT_SEA_CM),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_inst",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
