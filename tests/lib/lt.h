/* SPDX-License-Identifier: MIT */
/* Copyright (C) 2026 The Seawall authors */
/*
 * lt: what the libseawall rig tests add to the kernel suite's kt framework.
 *
 * The kt vectors report four values; the comparison of KVM's data-abort
 * injection with libseawall's emulated one needs the whole exception entry
 * as the guest sees it.  lt_vectors (lt-guest.S) store, as their first
 * instructions, ESR/FAR/ELR/SPSR_EL1 and every readable PSTATE field into a
 * report block at LT_REPORT_GPA, then make a KT_UCALL_EXCEPTION.  PSTATE
 * fields whose feature the vCPU lacks are not read (the MRS would UNDEF):
 * the host passes the feature mask in the same block.
 */
#ifndef LT_H
#define LT_H

#include <stdint.h>

#include "kt.h"

/* In the kt parameter page, after the struct kt_access at its start. */
#define LT_REPORT_GPA		(KT_PARAM_GPA + 0x800)
#define LT_ARGS_GPA		(KT_PARAM_GPA + 0xc00)

/* Which optional PSTATE fields the guest may read (lt_report.features). */
#define LT_HAS_PAN		(1u << 0)
#define LT_HAS_SSBS		(1u << 1)
#define LT_HAS_DIT		(1u << 2)
#define LT_HAS_UAO		(1u << 3)
#define LT_HAS_TCO		(1u << 4)

/* Written by lt-guest.S: keep the offsets in step. */
struct lt_report {
	uint64_t features;	/* 0x00, host -> guest */
	uint64_t vector;	/* 0x08: index, offset / 0x80 */
	uint64_t esr;		/* 0x10 */
	uint64_t far;		/* 0x18 */
	uint64_t elr;		/* 0x20 */
	uint64_t spsr;		/* 0x28 */
	uint64_t nzcv;		/* 0x30 */
	uint64_t daif;		/* 0x38 */
	uint64_t currentel;	/* 0x40 */
	uint64_t spsel;		/* 0x48 */
	uint64_t pan;		/* 0x50 */
	uint64_t ssbs;		/* 0x58 */
	uint64_t dit;		/* 0x60 */
	uint64_t uao;		/* 0x68 */
	uint64_t tco;		/* 0x70 */
	uint64_t count;		/* 0x78: exceptions taken */
};

/* Registers KVM_GET_ONE_REG reads for the comparison. */
struct lt_regs {
	uint64_t pc, pstate, elr, spsr, esr, far;
};

extern const char lt_vectors[];

/* Guest: ldp x0, x1, [x0] (no ISV: a NISV exit on a memslot hole). */
uint64_t lt_guest_ldp(uint64_t addr, uint64_t unused);
/* Guest: read each of n addresses at LT_ARGS_GPA, VALUE(addr, value). */
void lt_guest_read_list(uint64_t n, uint64_t unused);
/* Guest: store args[1] at args[0], for each pair, then VALUE(addr, 0). */
void lt_guest_write_list(uint64_t n, uint64_t unused);

/* Host. */
uint64_t lt_get_reg(struct kt_vm *vm, uint64_t id);
void lt_set_reg(struct kt_vm *vm, uint64_t id, uint64_t val);
void lt_read_regs(struct kt_vm *vm, struct lt_regs *r);
/* Point VBAR_EL1 at lt_vectors and tell them which PSTATE fields exist. */
unsigned int lt_use_vectors(struct kt_vm *vm);
struct lt_report *lt_report(struct kt_vm *vm);
/* PSTATE as the guest handler saw it, in SPSR layout. */
uint64_t lt_report_pstate(const struct lt_report *r);
/* Start fn(a0, a1) afresh, whatever the vCPU was doing (see lt.c). */
void lt_vcpu_restart(struct kt_vm *vm, void (*fn)(uint64_t, uint64_t),
		     uint64_t a0, uint64_t a1);
/* Run, require a KT_UCALL_EXCEPTION, return the report. */
const struct lt_report *lt_run_expect_exception(struct kt_vm *vm);
/* Run until the guest's handler reports the injected data abort: EL1's own
 * sync vector, EC 0x25, FSC 0x10 (SEA), FAR and ELR as given. */
void lt_check_dabt(struct kt_vm *vm, uint64_t far, uint64_t elr);
/* Guest reads addr through lt_guest_read_list; returns the value. */
uint64_t lt_guest_read(struct kt_vm *vm, uint64_t addr);
void lt_guest_write(struct kt_vm *vm, uint64_t addr, uint64_t val);

#define LT_CORE_REG(field)						\
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |		\
	 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))
#define LT_SYSREG(op0, op1, crn, crm, op2)				\
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG |	\
	 ((uint64_t)(op0) << KVM_REG_ARM64_SYSREG_OP0_SHIFT) |		\
	 ((uint64_t)(op1) << KVM_REG_ARM64_SYSREG_OP1_SHIFT) |		\
	 ((uint64_t)(crn) << KVM_REG_ARM64_SYSREG_CRN_SHIFT) |		\
	 ((uint64_t)(crm) << KVM_REG_ARM64_SYSREG_CRM_SHIFT) |		\
	 ((uint64_t)(op2) << KVM_REG_ARM64_SYSREG_OP2_SHIFT))

#define LT_REG_PC		LT_CORE_REG(regs.pc)
#define LT_REG_PSTATE		LT_CORE_REG(regs.pstate)
#define LT_REG_ELR_EL1		LT_CORE_REG(elr_el1)
#define LT_REG_SPSR_EL1		LT_CORE_REG(spsr[KVM_SPSR_EL1])
#define LT_REG_SCTLR_EL1	LT_SYSREG(3, 0, 1, 0, 0)
#define LT_REG_ESR_EL1		LT_SYSREG(3, 0, 5, 2, 0)
#define LT_REG_FAR_EL1		LT_SYSREG(3, 0, 6, 0, 0)
#define LT_REG_VBAR_EL1		LT_SYSREG(3, 0, 12, 0, 0)
#define LT_REG_ID_AA64PFR0	LT_SYSREG(3, 0, 0, 4, 0)
#define LT_REG_ID_AA64PFR1	LT_SYSREG(3, 0, 0, 4, 1)
#define LT_REG_ID_AA64MMFR1	LT_SYSREG(3, 0, 0, 7, 1)
#define LT_REG_ID_AA64MMFR2	LT_SYSREG(3, 0, 0, 7, 2)

#define LT_VEC_CUR_SPX_SYNC	KT_VEC_CUR_SPX_SYNC	/* 0x200 */
#define LT_VEC_LOWER_A64_SYNC	KT_VEC_LOWER_A64_SYNC	/* 0x400 */

#endif /* LT_H */
