// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * Host and guest helpers shared by the libseawall rig tests (see lt.h).
 */
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lt.h"

/* --- guest ------------------------------------------------------------------ */

void lt_guest_read_list(uint64_t n, uint64_t unused)
{
	const volatile uint64_t *addr = (const void *)LT_ARGS_GPA;

	(void)unused;
	for (uint64_t i = 0; i < n; i++)
		kt_guest_ucall(KT_UCALL_VALUE, addr[i],
			       kt_guest_read64(addr[i]), 0, 0);
}

void lt_guest_write_list(uint64_t n, uint64_t unused)
{
	const volatile uint64_t *arg = (const void *)LT_ARGS_GPA;

	(void)unused;
	for (uint64_t i = 0; i < n; i++) {
		kt_guest_write64(arg[2 * i], arg[2 * i + 1]);
		kt_guest_ucall(KT_UCALL_VALUE, arg[2 * i], 0, 0, 0);
	}
}

/* --- host -------------------------------------------------------------------- */

uint64_t lt_get_reg(struct kt_vm *vm, uint64_t id)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &reg) < 0)
		kt_fail("KVM_GET_ONE_REG %#" PRIx64 ": %m", id);
	return val;
}

void lt_set_reg(struct kt_vm *vm, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &reg) < 0)
		kt_fail("KVM_SET_ONE_REG %#" PRIx64 ": %m", id);
}

void lt_read_regs(struct kt_vm *vm, struct lt_regs *r)
{
	r->pc = lt_get_reg(vm, LT_REG_PC);
	r->pstate = lt_get_reg(vm, LT_REG_PSTATE);
	r->elr = lt_get_reg(vm, LT_REG_ELR_EL1);
	r->spsr = lt_get_reg(vm, LT_REG_SPSR_EL1);
	r->esr = lt_get_reg(vm, LT_REG_ESR_EL1);
	r->far = lt_get_reg(vm, LT_REG_FAR_EL1);
}

struct lt_report *lt_report(struct kt_vm *vm)
{
	return kt_gpa_hva(vm, LT_REPORT_GPA);
}

unsigned int lt_use_vectors(struct kt_vm *vm)
{
	uint64_t pfr0 = lt_get_reg(vm, LT_REG_ID_AA64PFR0);
	uint64_t pfr1 = lt_get_reg(vm, LT_REG_ID_AA64PFR1);
	uint64_t mmfr1 = lt_get_reg(vm, LT_REG_ID_AA64MMFR1);
	uint64_t mmfr2 = lt_get_reg(vm, LT_REG_ID_AA64MMFR2);
	unsigned int f = 0;
	struct lt_report *r = lt_report(vm);

	if ((mmfr1 >> 20) & 0xf)
		f |= LT_HAS_PAN;
	/* The SSBS register needs FEAT_SSBS2; PSTATE.SSBS exists with 1. */
	if (((pfr1 >> 4) & 0xf) >= 2)
		f |= LT_HAS_SSBS;
	if ((pfr0 >> 48) & 0xf)
		f |= LT_HAS_DIT;
	if ((mmfr2 >> 4) & 0xf)
		f |= LT_HAS_UAO;
	if ((pfr1 >> 8) & 0xf)
		f |= LT_HAS_TCO;
	memset(r, 0, sizeof(*r));
	r->features = f;
	lt_set_reg(vm, LT_REG_VBAR_EL1, (uintptr_t)lt_vectors);
	return f;
}

uint64_t lt_report_pstate(const struct lt_report *r)
{
	return (r->nzcv & (0xfULL << 28)) | (r->daif & (0xfULL << 6)) |
	       (r->pan & (1ULL << 22)) | (r->uao & (1ULL << 23)) |
	       (r->dit & (1ULL << 24)) | (r->tco & (1ULL << 25)) |
	       (r->ssbs & (1ULL << 12)) | (r->currentel & 0xc) |
	       (r->spsel & 1);
}

const struct lt_report *lt_run_expect_exception(struct kt_vm *vm)
{
	kt_run_expect_ucall(vm, KT_UCALL_EXCEPTION);
	kt_describe_exit(vm, KT_EXIT_UCALL);
	return lt_report(vm);
}

/*
 * Start fn afresh.  The last exit may have been a ucall, an MMIO write KVM
 * would complete on the next KVM_RUN by stepping the PC: clearing the exit
 * reason tells KVM there is nothing to complete.
 */
void lt_vcpu_restart(struct kt_vm *vm, void (*fn)(uint64_t, uint64_t),
		     uint64_t a0, uint64_t a1)
{
	vm->run->exit_reason = KVM_EXIT_UNKNOWN;
	kt_vcpu_start(vm, fn, a0, a1);
}

uint64_t lt_guest_read(struct kt_vm *vm, uint64_t addr)
{
	uint64_t *args = kt_gpa_hva(vm, LT_ARGS_GPA);

	args[0] = addr;
	lt_vcpu_restart(vm, lt_guest_read_list, 1, 0);
	kt_run_expect_ucall(vm, KT_UCALL_VALUE);
	KT_CHECK_EQ(vm->uc.args[0], addr, "address the guest read");
	return vm->uc.args[1];
}

void lt_guest_write(struct kt_vm *vm, uint64_t addr, uint64_t val)
{
	uint64_t *args = kt_gpa_hva(vm, LT_ARGS_GPA);

	args[0] = addr;
	args[1] = val;
	lt_vcpu_restart(vm, lt_guest_write_list, 1, 0);
	kt_run_expect_ucall(vm, KT_UCALL_VALUE);
	KT_CHECK_EQ(vm->uc.args[0], addr, "address the guest wrote");
}

void lt_check_dabt(struct kt_vm *vm, uint64_t far, uint64_t elr)
{
	const struct lt_report *r = lt_run_expect_exception(vm);

	KT_CHECK_EQ(r->vector, LT_VEC_CUR_SPX_SYNC, "vector index (4: 0x200)");
	KT_CHECK_EQ(ESR_EC(r->esr), EC_DABT_CUR, "ESR_EL1.EC");
	KT_CHECK_EQ(r->esr & ESR_FSC, FSC_SEA, "ESR_EL1.FSC");
	KT_CHECK_EQ(r->far, far, "FAR_EL1");
	KT_CHECK_EQ(r->elr, elr, "ELR_EL1");
}
