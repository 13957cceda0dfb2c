// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * SEAs whose guest physical address KVM cannot know.
 *
 * FnV: the error is reported with FAR not valid.  The exit carries FnV in
 * esr, gva = 0, and no GPA_VALID (gpa = 0).
 *
 * Table walk: the page holding one of the guest's own stage-1 tables is
 * bad, so the walk for the access fails at that table's level.  The exit
 * reports the table-walk FSC of exactly that level (0x14 + level, levels
 * 0-3), gva = the address being translated (FnV is clear), and no GPA_VALID:
 * the failing IPA is the descriptor's, which the syndrome does not identify.
 * Levels 1-3 are swept in TTBR0's 39-bit space (the L3 table of a test
 * block, the L2 table of the alias GiB) and levels 0-3 in TTBR1's 48-bit
 * space, whose tables serve nothing else.  The mark says the level (the
 * rig's stage 2 maps every table page at level 3).  The translated page is
 * never touched before, so no TLB entry hides the walk.
 */
#include "kt.h"

enum nofar_kind {
	NOFAR_FNV,	/* FnV on the data page */
	NOFAR_TTW,	/* a TTBR0 table (levels 1-3) */
	NOFAR_TTW_HIGH,	/* a TTBR1 table (levels 0-3) */
};

struct nofar_case {
	enum kt_access_kind access;
	enum nofar_kind kind;
	int table_level;
	unsigned int mark;	/* more options: set=, ea */
};

static void run_nofar(const struct kt_variant *v)
{
	const struct nofar_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(3), gva = page, ec, want, table;
	bool data = c->access != KT_FETCH;
	struct kt_access a = { 0 };
	struct kt_arm_sea sea;
	struct kt_vm vm;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	kt_enable_sea_to_user(&vm);
	if (c->kind == NOFAR_TTW && c->table_level == 2) {
		/* The alias GiB has its own L2 table that nothing else uses. */
		gva = KT_ALIAS_GVA + 0x3000;
		kt_map_page(&vm, gva, page);
	} else if (c->kind == NOFAR_TTW_HIGH) {
		gva = KT_HIGH_GVA + 0x1234567000ULL;
		kt_map_high(&vm, gva, page);
	}
	kt_put_ret(&vm, page);

	a.fn = kt_access_fn(c->access);
	a.target = gva;
	if (c->kind == NOFAR_FNV) {
		/* FnV: a page in use goes bad. */
		a.prime_with_fn = c->access == KT_FETCH;
		a.prime = c->access == KT_FETCH ? 0 : gva;
	}
	kt_access_start(&vm, &a);
	if (c->kind == NOFAR_FNV) {
		kt_mark(&vm, page, KT_SEA_FNV | c->mark);
	} else {
		table = kt_pt_table_gpa(&vm, gva, c->table_level);
		kt_diag("level-%d table of %#llx at gpa %#llx", c->table_level,
			(unsigned long long)gva, (unsigned long long)table);
		kt_mark(&vm, table, KT_SEA_LEVEL(c->table_level) | c->mark);
	}

	sea = kt_run_expect_sea(&vm);
	ec = data ? EC_DABT_LOW : EC_IABT_LOW;
	want = ec << ESR_EC_SHIFT | ESR_IL | kt_sea_mark_esr(&vm, c->mark, data);
	if (c->kind != NOFAR_FNV) {
		want |= 0x14 + c->table_level;
		/* WnR of a walk is the walk's, not the access's: not checked. */
		kt_check_sea_esr(&vm, sea.esr, want, ESR_WNR);
		KT_CHECK_EQ(sea.gva, gva, "arm_sea.gva (FnV clear)");
	} else {
		want |= ESR_FNV | FSC_SEA | (c->access == KT_WRITE ? ESR_WNR : 0);
		kt_check_sea_esr(&vm, sea.esr, want, 0);
		KT_CHECK_EQ(sea.gva, 0, "arm_sea.gva (FnV set)");
	}
	KT_CHECK_EQ(sea.flags & KT_EXIT_ARM_SEA_FLAG_GPA_VALID, 0,
		    "arm_sea.flags GPA_VALID (the IPA of a table walk or an "
		    "FnV abort is not known)");
	KT_CHECK_EQ(sea.flags, 0, "arm_sea.flags");
	KT_CHECK_EQ(sea.gpa, 0, "arm_sea.gpa (not valid)");
	kt_vm_destroy(&vm);
}

#define NOFAR(n, ...)							\
	{ .name = n, .run = run_nofar, .needs_inject = true,		\
	  .data = &(const struct nofar_case){ __VA_ARGS__ } }
#define TTW(n, k, l, acc, ...)						\
	NOFAR(n, .kind = k, .table_level = l, .access = acc, ##__VA_ARGS__)

static const struct kt_variant variants[] = {
	NOFAR("fnv-read", .access = KT_READ),
	NOFAR("fnv-write", .access = KT_WRITE),
	NOFAR("fnv-fetch", .access = KT_FETCH),
	NOFAR("fnv-read-set2-ea", .access = KT_READ,
	      .mark = KT_SEA_SET(2) | KT_SEA_EA),
	TTW("ttw-l3-table-read", NOFAR_TTW, 3, KT_READ),
	TTW("ttw-l3-table-write", NOFAR_TTW, 3, KT_WRITE),
	TTW("ttw-l3-table-fetch", NOFAR_TTW, 3, KT_FETCH),
	TTW("ttw-l2-table-read", NOFAR_TTW, 2, KT_READ),
	TTW("ttw-high-l0-table-read", NOFAR_TTW_HIGH, 0, KT_READ),
	TTW("ttw-high-l0-table-fetch", NOFAR_TTW_HIGH, 0, KT_FETCH),
	TTW("ttw-high-l1-table-write", NOFAR_TTW_HIGH, 1, KT_WRITE),
	TTW("ttw-high-l2-table-read", NOFAR_TTW_HIGH, 2, KT_READ),
	TTW("ttw-high-l3-table-read", NOFAR_TTW_HIGH, 3, KT_READ),
	TTW("ttw-high-l1-table-read-set3-ea", NOFAR_TTW_HIGH, 1, KT_READ,
	    .mark = KT_SEA_SET(3) | KT_SEA_EA),
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
