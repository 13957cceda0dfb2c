// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * Data read and write to a page marked bad: KVM_EXIT_ARM_SEA with the exact
 * sanitized syndrome (EC data abort from a lower EL, IL, WnR as the access,
 * FSC synchronous external abort; SET, EA and CM exactly as the error had
 * them, SET only when the VM has FEAT_RAS; nothing else), gva = the faulting virtual
 * address, gpa = its page with GPA_VALID.  The exit repeats on the next
 * KVM_RUN: the page stays bad.
 *
 * Variants sweep the access (read, write), the offset in the page, the
 * backing of guest memory (4 KiB pages, THP, hugetlb: stage 2 maps blocks
 * there, and marking one page must still fault only that page), a guest VA
 * that differs from the guest PA, and a guest PA above 4 GiB in a VM with a
 * 48-bit IPA space.
 */
#include "kt.h"

enum where {
	AT_IDENTITY,	/* gva == gpa, in the main memslot */
	AT_ALIAS,	/* gva in the alias GiB, gpa in the main memslot */
	AT_HIGH,	/* gva in the alias GiB, gpa in a memslot at 1 TiB */
};

#define HIGH_GPA	0x10000000000ULL	/* 1 TiB: needs > 40 IPA bits */

struct data_case {
	bool write;
	enum kt_backing backing;
	uint64_t offset;
	enum where where;
	unsigned int mark;	/* sea_inject options: set=, ea, cm */
};

static void run_data(const struct kt_variant *v)
{
	const struct data_case *c = v->data;
	struct kt_vm_opts opts = {
		.backing = c->backing,
		.ipa_bits = c->where == AT_HIGH ? 48 : 0,
	};
	uint64_t page, gva, want_esr;
	struct kt_access a = { 0 };
	struct kt_arm_sea sea, again;
	struct kt_vm vm;

	kt_vm_create(&vm, &opts);
	kt_require_sea_inject(&vm);
	kt_enable_sea_to_user(&vm);

	switch (c->where) {
	case AT_IDENTITY:
		page = KT_TEST_PAGE(0);
		gva = page;
		break;
	case AT_ALIAS:
		page = KT_TEST_PAGE(1);
		gva = KT_ALIAS_GVA + 0x5000;
		kt_map_page(&vm, gva, page);
		break;
	case AT_HIGH:
	default:
		kt_vm_add_mem(&vm, HIGH_GPA, KT_BLOCK);
		page = HIGH_GPA + 0x7000;
		gva = KT_ALIAS_GVA + 0x5000;
		kt_map_page(&vm, gva, page);
		break;
	}
	/* A neighbour in the same 2 MiB block, on the same backing. */
	kt_map_page(&vm, gva ^ 0x1000, page ^ 0x1000);

	a.fn = kt_access_fn(c->write ? KT_WRITE : KT_READ);
	a.target = gva + c->offset;
	a.prime = gva + c->offset;
	a.refault = gva ^ 0x1000;
	kt_access_start(&vm, &a);
	kt_mark(&vm, page, c->mark);

	sea = kt_run_expect_sea(&vm);
	want_esr = (uint64_t)EC_DABT_LOW << ESR_EC_SHIFT | ESR_IL |
		   (c->write ? ESR_WNR : 0) | FSC_SEA |
		   kt_sea_mark_esr(&vm, c->mark, true);
	kt_check_sea_esr(&vm, sea.esr, want_esr, 0);
	KT_CHECK_EQ(sea.gva, gva + c->offset, "arm_sea.gva");
	KT_CHECK_EQ(sea.flags, KT_EXIT_ARM_SEA_FLAG_GPA_VALID, "arm_sea.flags");
	KT_CHECK_EQ(sea.gpa, page, "arm_sea.gpa");

	/* Nothing was injected: the vCPU retries the access and faults again. */
	again = kt_run_expect_sea(&vm);
	KT_CHECK_EQ(again.esr, sea.esr, "arm_sea.esr on the second KVM_RUN");
	KT_CHECK_EQ(again.gva, sea.gva, "arm_sea.gva on the second KVM_RUN");
	KT_CHECK_EQ(again.gpa, sea.gpa, "arm_sea.gpa on the second KVM_RUN");
	KT_CHECK_EQ(again.flags, sea.flags, "arm_sea.flags on the second KVM_RUN");
	kt_vm_destroy(&vm);
}

#define DATA(n, ...)							\
	{ .name = n, .run = run_data, .needs_inject = true,		\
	  .data = &(const struct data_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	DATA("read-4k", .offset = 0x8),
	DATA("write-4k", .write = true, .offset = 0x8),
	DATA("read-4k-page-start", .offset = 0),
	DATA("write-4k-page-end", .write = true, .offset = 0xff8),
	DATA("read-thp", .backing = KT_BACKING_THP, .offset = 0x10),
	DATA("write-thp", .write = true, .backing = KT_BACKING_THP, .offset = 0x10),
	DATA("read-hugetlb", .backing = KT_BACKING_HUGETLB, .offset = 0x18),
	DATA("write-hugetlb", .write = true, .backing = KT_BACKING_HUGETLB,
	     .offset = 0x18),
	DATA("read-gva-ne-gpa", .where = AT_ALIAS, .offset = 0x20),
	DATA("write-gva-ne-gpa", .write = true, .where = AT_ALIAS, .offset = 0x20),
	DATA("read-gpa-1tib-ipa48", .where = AT_HIGH, .offset = 0x28),
	DATA("write-gpa-1tib-ipa48", .write = true, .where = AT_HIGH, .offset = 0x28),
	/* The error's own syndrome bits pass through, exactly. */
	DATA("read-set2-ea-cm", .offset = 0x30,
	     .mark = KT_SEA_SET(2) | KT_SEA_EA | KT_SEA_CM),
	DATA("write-set3-ea", .write = true, .offset = 0x38,
	     .mark = KT_SEA_SET(3) | KT_SEA_EA),
	DATA("read-set1", .offset = 0x40, .mark = KT_SEA_SET(1)),
	DATA("write-cm", .write = true, .offset = 0x48, .mark = KT_SEA_CM),
	DATA("read-ea-thp", .backing = KT_BACKING_THP, .offset = 0x50,
	     .mark = KT_SEA_EA),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_data",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
