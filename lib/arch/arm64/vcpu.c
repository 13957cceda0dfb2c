// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * arm64 vCPU access: PSTATE through KVM_GET_ONE_REG, data aborts through
 * KVM_SET_VCPU_EVENTS, and an emulated exception entry through
 * KVM_SET_ONE_REG for the aborts KVM cannot inject (instruction aborts:
 * there is no ext_iabt_pending).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "../../internal.h"

#define CORE_REG(x) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, x) / sizeof(__u32)))
#define SYS_REG(op0, op1, crn, crm, op2) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | \
	 ((uint64_t)(op0) << KVM_REG_ARM64_SYSREG_OP0_SHIFT) | \
	 ((uint64_t)(op1) << KVM_REG_ARM64_SYSREG_OP1_SHIFT) | \
	 ((uint64_t)(crn) << KVM_REG_ARM64_SYSREG_CRN_SHIFT) | \
	 ((uint64_t)(crm) << KVM_REG_ARM64_SYSREG_CRM_SHIFT) | \
	 ((uint64_t)(op2) << KVM_REG_ARM64_SYSREG_OP2_SHIFT))

#define REG_PC		CORE_REG(regs.pc)
#define REG_PSTATE	CORE_REG(regs.pstate)
#define REG_ELR_EL1	CORE_REG(elr_el1)
#define REG_SPSR_EL1	CORE_REG(spsr[KVM_SPSR_EL1])
#define REG_SCTLR_EL1	SYS_REG(3, 0, 1, 0, 0)
#define REG_ESR_EL1	SYS_REG(3, 0, 5, 2, 0)
#define REG_FAR_EL1	SYS_REG(3, 0, 6, 0, 0)
#define REG_VBAR_EL1	SYS_REG(3, 0, 12, 0, 0)

static int get_reg(int fd, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return ioctl(fd, KVM_GET_ONE_REG, &r) < 0 ? -errno : 0;
}

static int set_reg(int fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return ioctl(fd, KVM_SET_ONE_REG, &r) < 0 ? -errno : 0;
}

int sw_arch_get_pstate(int vcpu_fd, uint64_t *pstate)
{
	return get_reg(vcpu_fd, REG_PSTATE, pstate);
}

int sw_arch_inject_dabt(int vcpu_fd)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	return ioctl(vcpu_fd, KVM_SET_VCPU_EVENTS, &ev) < 0 ? -errno : 0;
}

int sw_arch_inject_abort(int vcpu_fd, unsigned int kind, uint64_t far,
			 unsigned int flags, struct seawall_exc_out *out)
{
	struct seawall_exc_in in = { .far = far, .kind = kind, .flags = flags };
	struct seawall_exc_out o;
	int err;

	if ((err = get_reg(vcpu_fd, REG_PSTATE, &in.pstate)) ||
	    (err = get_reg(vcpu_fd, REG_PC, &in.pc)) ||
	    (err = get_reg(vcpu_fd, REG_VBAR_EL1, &in.vbar)) ||
	    (err = get_reg(vcpu_fd, REG_SCTLR_EL1, &in.sctlr)))
		return err;
	err = seawall_exc_entry(&in, &o);
	if (err)
		return err;
	/* Syndrome and return state first, PSTATE and PC last. */
	if ((err = set_reg(vcpu_fd, REG_ESR_EL1, o.esr)) ||
	    (err = set_reg(vcpu_fd, REG_FAR_EL1, o.far)) ||
	    (err = set_reg(vcpu_fd, REG_ELR_EL1, o.elr)) ||
	    (err = set_reg(vcpu_fd, REG_SPSR_EL1, o.spsr)) ||
	    (err = set_reg(vcpu_fd, REG_PSTATE, o.pstate)) ||
	    (err = set_reg(vcpu_fd, REG_PC, o.pc)))
		return err;
	if (out)
		*out = o;
	return 0;
}
