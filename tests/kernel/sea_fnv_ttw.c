// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * SEAs whose guest physical address KVM cannot know.
 *
 * FnV: the error is reported with FAR not valid.  The exit carries FnV in
 * esr, gva = 0, and no GPA_VALID (gpa = 0).
 *
 * Table walk: the page holding the guest's own stage-1 table is bad, so the
 * walk for the access fails.  The exit reports a table-walk FSC (0x13-0x17),
 * gva = the address being translated (FnV is clear), and no GPA_VALID: the
 * failing IPA is the descriptor's, which the syndrome does not identify.
 * The translated page is never touched before, so no TLB entry hides the
 * walk.
 */
#include "kt.h"

struct nofar_case {
	enum kt_access_kind access;
	int table_level;	/* 0: FnV on the data page; 2 or 3: bad table */
};

static void run_nofar(const struct kt_variant *v)
{
	const struct nofar_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(3), gva = page, ec, fsc, want;
	struct kt_access a = { 0 };
	struct kt_arm_sea sea;
	struct kt_vm vm;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	kt_enable_sea_to_user(&vm);
	if (c->table_level == 2) {
		/* The alias GiB has its own L2 table that nothing else uses. */
		gva = KT_ALIAS_GVA + 0x3000;
		kt_map_page(&vm, gva, page);
	}
	kt_put_ret(&vm, page);

	a.fn = kt_access_fn(c->access);
	a.target = gva;
	if (!c->table_level) {
		/* FnV: a page in use goes bad. */
		a.prime_with_fn = c->access == KT_FETCH;
		a.prime = c->access == KT_FETCH ? 0 : gva;
	}
	kt_access_start(&vm, &a);
	if (c->table_level)
		kt_mark(&vm, kt_pt_table_gpa(&vm, gva, c->table_level), 0);
	else
		kt_mark(&vm, page, KT_SEA_FNV);

	sea = kt_run_expect_sea(&vm);
	ec = c->access == KT_FETCH ? EC_IABT_LOW : EC_DABT_LOW;
	want = ec << ESR_EC_SHIFT | ESR_IL;
	if (c->table_level) {
		fsc = sea.esr & ESR_FSC;
		if (fsc < FSC_SEA_TTW_MIN || fsc > FSC_SEA_TTW_MAX)
			kt_fail("arm_sea.esr FSC %#llx is not an SEA on a "
				"translation table walk (0x13-0x17)",
				(unsigned long long)fsc);
		kt_diag("table-walk SEA reported at level %d",
			(int)fsc - 0x14);
		/* WnR of a walk is the walk's, not the access's: not checked. */
		kt_check_sea_esr(&vm, sea.esr, want, ESR_FSC | ESR_WNR);
		KT_CHECK_EQ(sea.gva, gva, "arm_sea.gva (FnV clear)");
	} else {
		want |= ESR_FNV | FSC_SEA | (c->access == KT_WRITE ? ESR_WNR : 0);
		kt_check_sea_esr(&vm, sea.esr, want, 0);
		KT_CHECK_EQ(sea.gva, 0, "arm_sea.gva (FnV set)");
	}
	KT_CHECK_EQ(sea.flags & KT_EXIT_ARM_SEA_FLAG_GPA_VALID, 0,
		    "arm_sea.flags GPA_VALID");
	KT_CHECK_EQ(sea.flags, 0, "arm_sea.flags");
	KT_CHECK_EQ(sea.gpa, 0, "arm_sea.gpa (not valid)");
	kt_vm_destroy(&vm);
}

#define NOFAR(n, ...)							\
	{ .name = n, .run = run_nofar, .needs_inject = true,		\
	  .data = &(const struct nofar_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	NOFAR("fnv-read", .access = KT_READ),
	NOFAR("fnv-write", .access = KT_WRITE),
	NOFAR("fnv-fetch", .access = KT_FETCH),
	NOFAR("ttw-l3-table-read", .access = KT_READ, .table_level = 3),
	NOFAR("ttw-l3-table-write", .access = KT_WRITE, .table_level = 3),
	NOFAR("ttw-l3-table-fetch", .access = KT_FETCH, .table_level = 3),
	NOFAR("ttw-l2-table-read", .access = KT_READ, .table_level = 2),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_fnv_ttw",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
