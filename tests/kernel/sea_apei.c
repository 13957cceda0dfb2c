// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * Firmware-first RAS claims the SEA: KVM asks apei_claim_sea() before
 * anything else, and when it claims the error the guest simply resumes (the
 * host's memory_failure() has dealt with the page).  No KVM_EXIT_ARM_SEA, no
 * SError; the guest's retried access completes.  The rig has no ACPI: its
 * test patch makes apei_claim_sea() claim an SEA on a page marked "apei",
 * count the claim (listed as "apei_claims N" in sea_inject) and clear the
 * mark, so a kernel that exits (or injects an SError) before asking APEI
 * fails here.  Swept over the access, and over the cases where KVM would
 * otherwise exit (opted in), inject an SError (not opted in), or call the
 * SEA host-owned (s2table): APEI comes first in every one.
 */
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "kt.h"

#define PATTERN	0x0a9e1c1a1e5ca1edULL

struct apei_case {
	enum kt_access_kind access;
	bool optin;
	unsigned int mark;	/* more options: s2table, fnv, table level */
	bool table;		/* mark the L3 table, not the page */
};

static unsigned int apei_claims(struct kt_vm *vm)
{
	char buf[512], *p;
	unsigned int n = 0;

	kt_sea_inject_read(vm, buf, sizeof(buf));
	p = strstr(buf, "apei_claims ");
	if (p && sscanf(p, "apei_claims %u", &n) != 1)
		kt_fail("unreadable sea_inject listing: \"%s\"", buf);
	return n;
}

static void run_apei(const struct kt_variant *v)
{
	const struct apei_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(2), target, *word;
	struct kt_access a = { 0 };
	struct kt_vm vm;
	unsigned int r;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	if (c->optin)
		kt_enable_sea_to_user(&vm);
	kt_put_ret(&vm, page);
	target = page + (c->access == KT_FETCH ? 0 : 0x18);
	word = kt_gpa_hva(&vm, target);
	if (c->access != KT_FETCH)
		*word = PATTERN;

	a.fn = kt_access_fn(c->access);
	a.target = target;
	if (!c->table) {
		a.prime = c->access == KT_FETCH ? 0 : page;
		a.prime_with_fn = c->access == KT_FETCH;
	}
	kt_access_start(&vm, &a);
	kt_mark(&vm, c->table ? kt_pt_table_gpa(&vm, target, 3) : page,
		KT_SEA_APEI | c->mark);

	r = kt_run(&vm);
	if (r != KT_EXIT_UCALL || vm.uc.cmd != KT_UCALL_FAIL)
		kt_describe_exit(&vm, r);
	if (r == KT_EXIT_ARM_SEA)
		kt_fail("KVM_EXIT_ARM_SEA although APEI claims the SEA: the "
			"kernel exits before asking apei_claim_sea()");
	if (r == KT_EXIT_UCALL && vm.uc.cmd == KT_UCALL_EXCEPTION)
		kt_fail("the guest took exception vector %llu although APEI "
			"claims the SEA: the kernel %s before asking "
			"apei_claim_sea()",
			(unsigned long long)vm.uc.args[0],
			vm.uc.args[0] == KT_VEC_CUR_SPX_SERROR ?
			"injected an SError" : "injected an abort");
	/* The access flow reports FAIL(line, target, value) once it completed. */
	if (r != KT_EXIT_UCALL || vm.uc.cmd != KT_UCALL_FAIL)
		kt_fail("expected the guest's access to complete after the claim");
	KT_CHECK_EQ(vm.uc.args[1], target, "address of the completed access");
	switch (c->access) {
	case KT_READ:
		KT_CHECK_EQ(vm.uc.args[2], PATTERN, "value the guest read");
		break;
	case KT_WRITE:
		KT_CHECK_EQ(*word, 0x5ea3a11ULL, "value the guest wrote");
		break;
	case KT_FETCH:
		break;
	}
	KT_CHECK_EQ(apei_claims(&vm), 1, "apei_claims in sea_inject");
	kt_vm_destroy(&vm);
}

#define APEI(n, ...)							\
	{ .name = n, .run = run_apei, .needs_inject = true,		\
	  .data = &(const struct apei_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	APEI("claimed-read", .access = KT_READ, .optin = true),
	APEI("claimed-write", .access = KT_WRITE, .optin = true),
	APEI("claimed-fetch", .access = KT_FETCH, .optin = true),
	APEI("claimed-fnv-read", .access = KT_READ, .optin = true,
	     .mark = KT_SEA_FNV),
	APEI("claimed-ttw-read", .access = KT_READ, .optin = true,
	     .table = true, .mark = KT_SEA_LEVEL(3)),
	APEI("claimed-not-enabled-read", .access = KT_READ),
	APEI("claimed-s2table-read", .access = KT_READ, .optin = true,
	     .mark = KT_SEA_S2TABLE),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_apei",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
