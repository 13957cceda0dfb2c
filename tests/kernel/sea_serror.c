// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * When KVM must not exit, the vCPU takes an SError instead: the VM did not
 * opt in (never enabled, or the enable was refused for non-zero flags), or
 * the SEA is host-owned (a table-walk SEA with S1PTW set: KVM's own stage-2
 * table memory).  The guest's SError vector runs and reports ESR_EL1 (EC
 * 0x2f) through a ucall; KVM_EXIT_ARM_SEA never appears.
 */
#include <errno.h>

#include "kt.h"

enum optin { NEVER, REFUSED, ENABLED };

struct serror_case {
	enum optin optin;
	enum kt_access_kind access;
	unsigned int mark;	/* sea_inject flags */
};

static void run_serror(const struct kt_variant *v)
{
	const struct serror_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(0), vec, esr;
	struct kt_access a = { 0 };
	struct kt_vm vm;
	unsigned int r;
	int e;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	switch (c->optin) {
	case ENABLED:
		kt_enable_sea_to_user(&vm);
		break;
	case REFUSED:
		e = kt_enable_cap(&vm, KT_CAP_ARM_SEA_TO_USER, 1);
		KT_CHECK_EQ(e, -EINVAL, "KVM_ENABLE_CAP with flags 1 (-EINVAL)");
		break;
	case NEVER:
		break;
	}
	kt_put_ret(&vm, page);

	a.fn = kt_access_fn(c->access);
	a.target = page + (c->access == KT_FETCH ? 0 : 0x8);
	a.prime = c->access == KT_FETCH ? 0 : page;
	a.prime_with_fn = c->access == KT_FETCH;
	a.refault = page + 0x1000;
	kt_access_start(&vm, &a);
	kt_mark(&vm, page, c->mark);

	r = kt_run(&vm);
	kt_describe_exit(&vm, r);
	if (r == KT_EXIT_ARM_SEA)
		kt_fail("KVM_EXIT_ARM_SEA where KVM must inject an SError");
	if (r != KT_EXIT_UCALL || vm.uc.cmd != KT_UCALL_EXCEPTION)
		kt_fail("expected the guest to take an SError");
	vec = vm.uc.args[0];
	esr = vm.uc.args[1];
	KT_CHECK_EQ(vec, KT_VEC_CUR_SPX_SERROR,
		    "exception vector (7: SError, current EL, SP_ELx)");
	KT_CHECK_EQ(ESR_EC(esr), EC_SERROR, "ESR_EL1.EC of the SError");
	kt_vm_destroy(&vm);
}

#define SERROR(n, ...)							\
	{ .name = n, .run = run_serror, .needs_inject = true,		\
	  .data = &(const struct serror_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	SERROR("not-enabled-read", .optin = NEVER, .access = KT_READ),
	SERROR("not-enabled-write", .optin = NEVER, .access = KT_WRITE),
	SERROR("not-enabled-fetch", .optin = NEVER, .access = KT_FETCH),
	SERROR("not-enabled-fnv-read", .optin = NEVER, .access = KT_READ,
	       .mark = KT_SEA_FNV),
	SERROR("enable-refused-read", .optin = REFUSED, .access = KT_READ),
	SERROR("s2table-read", .optin = ENABLED, .access = KT_READ,
	       .mark = KT_SEA_S2TABLE),
	SERROR("s2table-fetch", .optin = ENABLED, .access = KT_FETCH,
	       .mark = KT_SEA_S2TABLE),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_serror",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
