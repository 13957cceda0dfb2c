/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/* Copyright (C) 2026 The Seawall authors */
/*
 * <seawall/kvm.h> - the raw layer of libseawall: decode KVM_EXIT_ARM_SEA,
 * probe and enable the capabilities, read the vCPU state, put an abort
 * back into the guest.  Thin and close to the kernel uAPI.
 *
 * The few uAPI numbers we need are copied here under our own names so the
 * library builds against any <linux/kvm.h> (Debian 12 ships 6.1, which has
 * no KVM_EXIT_ARM_SEA).  Whether the running kernel has a feature is only
 * ever learnt at run time, with KVM_CHECK_EXTENSION.
 */
#ifndef SEAWALL_KVM_H
#define SEAWALL_KVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SEAWALL_API
#define SEAWALL_API __attribute__((visibility("default")))
#endif

struct kvm_run;

/* uAPI numbers (include/uapi/linux/kvm.h, Linux 6.19 and later). */
#define SEAWALL_KVM_EXIT_MMIO			6
#define SEAWALL_KVM_EXIT_ARM_NISV		28
#define SEAWALL_KVM_EXIT_ARM_SEA		41
#define SEAWALL_KVM_CAP_ARM_NISV_TO_USER	177
#define SEAWALL_KVM_CAP_ARM_INJECT_EXT_DABT	178
#define SEAWALL_KVM_CAP_ARM_SEA_TO_USER		245
#define SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID	(1ULL << 0)

/* The kernel hands the ESR over masked to these bits (SET only with RAS). */
#define SEAWALL_SEA_ESR_MASK			0xFE00077FULL
#define SEAWALL_SEA_ESR_MASK_SET		0xFE001F7FULL

/* kvm_run.arm_sea, in the kernel's order. */
struct seawall_kvm_arm_sea {
	uint64_t flags;
	uint64_t esr;
	uint64_t gva;
	uint64_t gpa;
};

/* Exception classes of the aborts an SEA exit can carry. */
#define SEAWALL_EC_IABT_LOW	0x20
#define SEAWALL_EC_IABT_CUR	0x21
#define SEAWALL_EC_DABT_LOW	0x24
#define SEAWALL_EC_DABT_CUR	0x25

enum seawall_sea_kind {
	SEAWALL_SEA_DATA = 1,
	SEAWALL_SEA_INSN = 2,
};

enum seawall_fsc_class {
	SEAWALL_FSC_SEA = 1,		/* 0x10: external abort, not on a walk */
	SEAWALL_FSC_SEA_TTW = 2,	/* 0x13..0x17: on a table walk, level -1..3 */
	SEAWALL_FSC_ECC = 3,		/* 0x18: parity/ECC, not on a walk */
	SEAWALL_FSC_ECC_TTW = 4,	/* 0x1b..0x1f: parity/ECC on a walk, level -1..3 */
};

/* ESR.SET, the PE error state (FEAT_RAS, FSC 0x10 only). */
enum seawall_sea_set {
	SEAWALL_SET_NONE = 0,	/* not reported (no RAS, or FSC other than 0x10) */
	SEAWALL_SET_UER = 1,	/* 0b00: recoverable */
	SEAWALL_SET_UC = 2,	/* 0b10: uncontainable */
	SEAWALL_SET_UEO = 3,	/* 0b11: restartable */
};

#define SEAWALL_SEA_LEVEL_NONE	(-128)

/* A decoded KVM_EXIT_ARM_SEA. */
struct seawall_sea {
	uint64_t esr;		/* as the kernel gave it */
	uint64_t gva;		/* valid when gva_valid */
	uint64_t gpa;		/* valid when gpa_valid, page aligned */
	uint8_t kind;		/* enum seawall_sea_kind */
	uint8_t ec;		/* 0x20, 0x21, 0x24, 0x25 */
	uint8_t fsc;		/* raw FSC, bits [5:0] */
	uint8_t fsc_class;	/* enum seawall_fsc_class */
	int8_t level;		/* -1..3 for the _TTW classes, else SEAWALL_SEA_LEVEL_NONE */
	uint8_t lower_el;	/* 1: taken from a lower EL (guest EL0) per EC */
	uint8_t il, fnv, wnr, cm, ea;
	uint8_t set;		/* enum seawall_sea_set */
	uint8_t gva_valid, gpa_valid;
};

/* Flags for seawall_sea_decode(). */
#define SEAWALL_SEA_DECODE_RAS	(1u << 0)	/* the VM has FEAT_RAS: SET bits 0b00 mean UER */

SEAWALL_API int seawall_kvm_run_get_sea(const struct kvm_run *run,
					struct seawall_kvm_arm_sea *raw);
SEAWALL_API int seawall_kvm_run_get_fault_gpa(const struct kvm_run *run,
					      uint64_t *gpa);
SEAWALL_API int seawall_sea_decode(const struct seawall_kvm_arm_sea *raw,
				   unsigned int flags, struct seawall_sea *sea,
				   const char **reason);
SEAWALL_API int seawall_sea_render(const struct seawall_sea *sea, char *buf,
				   size_t len);

/* Capabilities, as a bit mask for seawall_kvm_probe(). */
#define SEAWALL_KVM_HAS_SEA_TO_USER	(1u << 0)
#define SEAWALL_KVM_HAS_INJECT_EXT_DABT	(1u << 1)
#define SEAWALL_KVM_HAS_NISV_TO_USER	(1u << 2)

SEAWALL_API int seawall_kvm_check_cap(int fd, unsigned int cap);
SEAWALL_API int seawall_kvm_enable_cap(int vm_fd, unsigned int cap);
SEAWALL_API int seawall_kvm_probe(int vm_fd);
SEAWALL_API int seawall_kvm_enable(int vm_fd, unsigned int want);

/* PSTATE bits (AArch64 SPSR layout). */
#define SEAWALL_PSR_MODE_MASK	0x1fULL
#define SEAWALL_PSR_MODE_EL0t	0x0ULL
#define SEAWALL_PSR_MODE_EL1t	0x4ULL
#define SEAWALL_PSR_MODE_EL1h	0x5ULL
#define SEAWALL_PSR_MODE_EL2t	0x8ULL
#define SEAWALL_PSR_MODE_EL2h	0x9ULL
#define SEAWALL_PSR_MODE32	0x10ULL
#define SEAWALL_PSR_F		(1ULL << 6)
#define SEAWALL_PSR_I		(1ULL << 7)
#define SEAWALL_PSR_A		(1ULL << 8)
#define SEAWALL_PSR_D		(1ULL << 9)
#define SEAWALL_PSR_BTYPE	(3ULL << 10)
#define SEAWALL_PSR_SSBS	(1ULL << 12)
#define SEAWALL_PSR_IL		(1ULL << 20)
#define SEAWALL_PSR_SS		(1ULL << 21)
#define SEAWALL_PSR_PAN		(1ULL << 22)
#define SEAWALL_PSR_UAO		(1ULL << 23)
#define SEAWALL_PSR_DIT		(1ULL << 24)
#define SEAWALL_PSR_TCO		(1ULL << 25)
#define SEAWALL_PSR_NZCV	(0xfULL << 28)
#define SEAWALL_SCTLR_SPAN	(1ULL << 23)
#define SEAWALL_SCTLR_DSSBS	(1ULL << 44)

SEAWALL_API int seawall_pstate_guest_el(uint64_t pstate);
SEAWALL_API int seawall_vcpu_get_pstate(int vcpu_fd, uint64_t *pstate);

/* Exception entry, computed without a vCPU. */
enum seawall_abort_kind {
	SEAWALL_ABORT_DATA = 1,
	SEAWALL_ABORT_INSN = 2,
};

#define SEAWALL_EXC_MTE	(1u << 0)	/* the VM has FEAT_MTE: PSTATE.TCO is set on entry */
#define SEAWALL_EXC_FNV	(1u << 1)	/* FAR is not valid: set ESR.FnV, FAR_EL1 = 0 */

struct seawall_exc_in {
	uint64_t pstate;	/* PSTATE at the time of the abort */
	uint64_t pc;
	uint64_t vbar;		/* VBAR_EL1 */
	uint64_t sctlr;		/* SCTLR_EL1 */
	uint64_t far;		/* faulting virtual address */
	unsigned int kind;	/* enum seawall_abort_kind */
	unsigned int flags;	/* SEAWALL_EXC_* */
};

struct seawall_exc_out {
	uint64_t pc;		/* VBAR_EL1 + vector offset */
	uint64_t pstate;	/* EL1h, DAIF masked, ... */
	uint64_t elr;		/* ELR_EL1 */
	uint64_t spsr;		/* SPSR_EL1 */
	uint64_t esr;		/* ESR_EL1 */
	uint64_t far;		/* FAR_EL1 */
	uint64_t vector;	/* the offset chosen: 0x000, 0x200, 0x400, 0x600 */
};

SEAWALL_API int seawall_exc_entry(const struct seawall_exc_in *in,
				  struct seawall_exc_out *out);

/* Injection into a vCPU (arm64 hosts; -EOPNOTSUPP elsewhere). */
SEAWALL_API int seawall_vcpu_inject_dabt(int vcpu_fd);
SEAWALL_API int seawall_vcpu_inject_abort(int vcpu_fd, unsigned int kind,
					  uint64_t far, unsigned int flags,
					  struct seawall_exc_out *out);

#ifdef __cplusplus
}
#endif

#endif /* SEAWALL_KVM_H */
