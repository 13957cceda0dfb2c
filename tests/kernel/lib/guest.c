// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * Guest-side C for the kernel-contract suite.  Runs at EL1 inside the VM, so
 * it must not call into libc: the loaded image has no relocations applied
 * and no thread pointer.
 */
#include "kt.h"

void kt_guest_exception(uint64_t vector, uint64_t esr, uint64_t far,
			uint64_t elr) __attribute__((noreturn));

/*
 * One `str` of the ucall's address to a page outside every memslot: KVM
 * decodes it (ISV is set for a plain register store) and exits with
 * KVM_EXIT_MMIO; the host reads the struct from guest memory.
 */
void kt_guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3)
{
	struct kt_ucall uc = {
		.cmd = cmd,
		.args = { a0, a1, a2, a3 },
	};

	__asm__ volatile("str %0, [%1]"
			 : : "r"(&uc), "r"(KT_UCALL_GPA) : "memory");
}

void kt_guest_sync(uint64_t stage)
{
	kt_guest_ucall(KT_UCALL_SYNC, stage, 0, 0, 0);
}

void kt_guest_done(void)
{
	for (;;)
		kt_guest_ucall(KT_UCALL_DONE, 0, 0, 0, 0);
}

void kt_guest_fail_at(uint64_t line, uint64_t v0, uint64_t v1)
{
	for (;;)
		kt_guest_ucall(KT_UCALL_FAIL, line, v0, v1, 0);
}

void kt_guest_exception(uint64_t vector, uint64_t esr, uint64_t far,
			uint64_t elr)
{
	for (;;)
		kt_guest_ucall(KT_UCALL_EXCEPTION, vector, esr, far, elr);
}

typedef uint64_t (*guest_access_fn)(uint64_t addr, uint64_t val);

void kt_guest_access_flow(uint64_t params, uint64_t unused)
{
	const volatile struct kt_access *a = (const void *)params;
	guest_access_fn fn = (guest_access_fn)a->fn;
	uint64_t v;

	(void)unused;
	if (a->prime)
		kt_guest_read64(a->prime);
	if (a->prime_with_fn)
		fn(a->target, 0);
	kt_guest_sync(1);
	if (a->refault)
		kt_guest_read64(a->refault);
	if (a->el0)
		kt_guest_el0_call(a->fn, a->target);
	v = fn(a->target, 0x5ea3a11ULL);
	KT_GUEST_FAIL(a->target, v);
}
