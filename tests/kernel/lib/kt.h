/* SPDX-License-Identifier: MIT */
/* Copyright (C) 2026 The Seawall authors */
/*
 * kt: a small framework for the kernel-contract suite.
 *
 * Each test program is one static arm64 binary holding both the host side
 * (creates a VM, drives KVM_RUN, checks exits) and the guest side (runs at
 * EL1 with the MMU on, at the same addresses, because the host copies its
 * own PT_LOAD segments from /proc/self/exe into guest memory).  The guest
 * talks to the host through a "ucall": a 64-bit store of a pointer to a
 * struct kt_ucall to an address that no memslot covers, which KVM reports
 * as KVM_EXIT_MMIO.
 *
 * Every variant of a test runs in its own child process with an alarm(),
 * so a hung vCPU costs one variant, never the suite.  Output is TAP.
 */
#ifndef KT_H
#define KT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

/*
 * Our own copy of the uAPI under test: the cross toolchain's <linux/kvm.h>
 * is Linux 6.1 and predates it.  Numbers as in mainline 6.19+.
 */
#define KT_EXIT_ARM_SEA			41
#define KT_CAP_ARM_SEA_TO_USER		245
#define KT_EXIT_ARM_SEA_FLAG_GPA_VALID	(1ULL << 0)

/* kvm_run.arm_sea, which sits at the start of the exit union. */
struct kt_arm_sea {
	uint64_t flags;
	uint64_t esr;
	uint64_t gva;
	uint64_t gpa;
};

/* ESR_ELx fields used by the tests. */
#define ESR_EC_SHIFT		26
#define ESR_EC(esr)		(((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL			(1ULL << 25)
#define ESR_ISV			(1ULL << 24)
#define ESR_SAS			(3ULL << 22)
#define ESR_SSE			(1ULL << 21)
#define ESR_SRT			(0x1fULL << 16)
#define ESR_SF			(1ULL << 15)
#define ESR_AR			(1ULL << 14)
#define ESR_VNCR		(1ULL << 13)
#define ESR_SET			(3ULL << 11)
#define ESR_FNV			(1ULL << 10)
#define ESR_EA			(1ULL << 9)
#define ESR_CM			(1ULL << 8)
#define ESR_S1PTW		(1ULL << 7)
#define ESR_WNR			(1ULL << 6)
#define ESR_FSC			0x3fULL
#define ESR_ISS2		(0xffffffULL << 32)

#define EC_IABT_LOW		0x20
#define EC_IABT_CUR		0x21
#define EC_DABT_LOW		0x24
#define EC_DABT_CUR		0x25
#define EC_SERROR		0x2f

#define FSC_SEA			0x10
#define FSC_SEA_TTW_MIN		0x13	/* level -1 */
#define FSC_SEA_TTW_MAX		0x17	/* level 3 */

/* What KVM may leave in arm_sea.esr, without and with FEAT_RAS in the VM. */
#define KT_SEA_ESR_MASK		0xfe00077fULL
#define KT_SEA_ESR_MASK_RAS	0xfe001f7fULL

/* Guest physical layout.  Guest virtual addresses are identity mapped. */
#define KT_PAGE			0x1000ULL
#define KT_BLOCK		0x200000ULL		/* 2 MiB, one L3 table */
#define KT_MEM_GPA		0x400000ULL		/* = the ELF link base */
#define KT_MEM_SIZE		0x2000000ULL		/* 32 MiB */
#define KT_IMAGE_END		0xc00000ULL		/* the binary must fit below */
#define KT_PT_POOL		0xc00000ULL		/* guest page tables */
#define KT_PT_POOL_END		0xe00000ULL
#define KT_PARAM_GPA		0xe00000ULL		/* host -> guest block */
#define KT_STACK_TOP		0x1000000ULL
#define KT_TEST_GPA		0x1000000ULL		/* test pages, 8 MiB */
#define KT_TEST_END		(KT_MEM_GPA + KT_MEM_SIZE)
#define KT_UCALL_GPA		0x3000000ULL		/* in no memslot */
/* A second 1 GiB of VA, with its own L2 table, for aliases. */
#define KT_ALIAS_GVA		0x40000000ULL
/*
 * TTBR1: a 48-bit VA space with four levels (0-3) and tables of its own,
 * empty but for what a test maps with kt_map_high(), so that marking any of
 * its tables leaves the code, stack and ucall mappings (TTBR0) alone.
 */
#define KT_HIGH_GVA		0xffff800000000000ULL

/* A test page: one per 2 MiB block, so each has its own L3 table. */
#define KT_TEST_PAGE(n)		(KT_TEST_GPA + (uint64_t)(n) * KT_BLOCK + 0x3000)

enum kt_backing {
	KT_BACKING_4K,		/* anonymous, MADV_NOHUGEPAGE */
	KT_BACKING_THP,		/* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	KT_BACKING_HUGETLB,	/* MAP_HUGETLB, 2 MiB pages */
};

struct kt_vm_opts {
	unsigned int ipa_bits;		/* 0: KVM's default (40) */
	enum kt_backing backing;
};

/* Guest -> host calls. */
enum kt_ucall_cmd {
	KT_UCALL_NONE,
	KT_UCALL_SYNC,		/* args[0]: a stage number chosen by the test */
	KT_UCALL_DONE,
	KT_UCALL_FAIL,		/* args[0]: line, args[1..2]: values */
	KT_UCALL_EXCEPTION,	/* args: vector, esr, far, elr */
	KT_UCALL_VALUE,		/* args[0]: a value for the host to check */
};

struct kt_ucall {
	uint64_t cmd;
	uint64_t args[4];
};

/* Exception vector index (offset / 0x80) as reported by KT_UCALL_EXCEPTION. */
#define KT_VEC_CUR_SPX_SYNC	4
#define KT_VEC_CUR_SPX_SERROR	7
#define KT_VEC_LOWER_A64_SYNC	8

#define KT_EXIT_UCALL		0x10000	/* kt_run() pseudo exit reason */

struct kt_mem {
	uint64_t gpa, size;
	uint8_t *hva;
	size_t map_size;
	void *map;
};

struct kt_vm {
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	struct kt_mem mem[2];
	int nr_mem;
	uint64_t pt_root, pt_root1, pt_next;
	unsigned int ipa_bits;
	bool vm_has_ras;
	struct kt_ucall uc;		/* the last ucall, after KT_EXIT_UCALL */
};

/* --- host side ---------------------------------------------------------- */

/* Fail the current variant (the child exits 1) / skip it (exit 77). */
void kt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void kt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void kt_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define KT_CHECK_EQ(a, b, what)						\
	do {								\
		unsigned long long a_ = (a), b_ = (b);			\
		if (a_ != b_)						\
			kt_fail("%s:%d: %s: got %#llx, want %#llx",	\
				__FILE__, __LINE__, what, a_, b_);	\
	} while (0)

void kt_vm_create(struct kt_vm *vm, const struct kt_vm_opts *opts);
void kt_vm_destroy(struct kt_vm *vm);
/* Add memslot 1: anonymous 4 KiB pages at gpa (needs a big enough IPA). */
void kt_vm_add_mem(struct kt_vm *vm, uint64_t gpa, uint64_t size);
void *kt_gpa_hva(struct kt_vm *vm, uint64_t gpa);
/* Stage-1: map one 4 KiB page gva -> gpa as normal memory. */
void kt_map_page(struct kt_vm *vm, uint64_t gva, uint64_t gpa);
/*
 * Open the 4 KiB page at gva (already mapped) to EL0: code stays EL1 RW and
 * becomes EL0 execute-only; data becomes EL0 RW (and so EL1 never-execute).
 */
void kt_map_el0(struct kt_vm *vm, uint64_t gva, bool code);
/* Stage-1 through TTBR1 (gva >= KT_HIGH_GVA, levels 0-3). */
void kt_map_high(struct kt_vm *vm, uint64_t gva, uint64_t gpa);
/*
 * GPA of the table page holding the level-`level` descriptor of gva (TTBR0:
 * levels 1-3; TTBR1: 0-3).
 */
uint64_t kt_pt_table_gpa(struct kt_vm *vm, uint64_t gva, int level);

int kt_check_cap(struct kt_vm *vm, long cap);
int kt_enable_cap(struct kt_vm *vm, uint32_t cap, uint32_t flags);
void kt_enable_sea_to_user(struct kt_vm *vm);

/* Point the vCPU at fn(arg0, arg1) in the guest. */
void kt_vcpu_start(struct kt_vm *vm, void (*fn)(uint64_t, uint64_t),
		   uint64_t arg0, uint64_t arg1);
/* KVM_RUN once; returns the exit reason, or KT_EXIT_UCALL with vm->uc set. */
unsigned int kt_run(struct kt_vm *vm);
/* Run and require a ucall of this kind; diagnoses anything else. */
void kt_run_expect_ucall(struct kt_vm *vm, enum kt_ucall_cmd cmd);
/* Run and require KVM_EXIT_ARM_SEA; returns the exit payload. */
struct kt_arm_sea kt_run_expect_sea(struct kt_vm *vm);
const struct kt_arm_sea *kt_sea(struct kt_vm *vm);
void kt_describe_exit(struct kt_vm *vm, unsigned int reason);

void kt_set_ext_dabt_pending(struct kt_vm *vm);

/* This VM's KVM debugfs directory: /sys/kernel/debug/kvm/<pid>-<vmfd>. */
void kt_debugfs_dir(struct kt_vm *vm, char *buf, size_t len);
/* Read the sea_inject listing into buf (len bytes, NUL-terminated). */
void kt_sea_inject_read(struct kt_vm *vm, char *buf, size_t len);
/* sea_inject, the rig's test-only control (debugfs). */
#define KT_SEA_FNV	(1u << 0)
#define KT_SEA_S2TABLE	(1u << 1)
#define KT_SEA_EA	(1u << 2)
#define KT_SEA_CM	(1u << 3)
#define KT_SEA_APEI	(1u << 4)	/* apei_claim_sea() claims it */
#define KT_SEA_SET(n)	((1u << 10) | ((unsigned int)(n) & 3) << 8)
#define KT_SEA_SET_OF(f)	(((f) >> 8) & 3)
#define KT_SEA_HAS_SET(f)	((f) & (1u << 10))
#define KT_SEA_LEVEL(n)	((1u << 14) | ((unsigned int)(n) & 3) << 12)
#define KT_SEA_LEVEL_OF(f)	(((f) >> 12) & 3)
#define KT_SEA_HAS_LEVEL(f)	((f) & (1u << 14))
/* The ESR bits a mark adds: SET (only with FEAT_RAS in the VM), EA, CM. */
uint64_t kt_sea_mark_esr(struct kt_vm *vm, unsigned int flags, bool data);
void kt_require_sea_inject(struct kt_vm *vm);
int kt_sea_inject(struct kt_vm *vm, uint64_t gpa, unsigned int flags);
int kt_sea_inject_write(struct kt_vm *vm, const char *text);
/* Mark a page and fail the variant if the control refuses. */
void kt_mark(struct kt_vm *vm, uint64_t gpa, unsigned int flags);

/*
 * Check a KVM_EXIT_ARM_SEA syndrome: nothing outside the bits KVM may pass
 * (SET only with FEAT_RAS in the VM), and every bit outside `dontcare`
 * equal to `want` (EA, CM and SET included: the rig injects them).  A
 * mismatch names the fields that differ.
 */
void kt_check_sea_esr(struct kt_vm *vm, uint64_t esr, uint64_t want,
		      uint64_t dontcare);

/*
 * The common guest scenario: touch pages so stage 2 maps them (possibly as a
 * block), stop with SYNC(1) so the host can mark a page bad, touch a
 * neighbour again (a refault must not bring the bad page back), then make
 * the access under test.  If that access completes the guest reports
 * FAIL(line, target).
 */
struct kt_access {
	uint64_t fn;		/* guest: uint64_t fn(uint64_t addr, uint64_t v) */
	uint64_t target;	/* gva of the access under test */
	uint64_t prime;		/* gva read before SYNC, 0: none */
	uint64_t refault;	/* gva read after SYNC, 0: none */
	uint64_t prime_with_fn;	/* also run fn on target before SYNC */
	uint64_t el0;		/* make the access from EL0 (see kt_map_el0) */
};
enum kt_access_kind { KT_READ, KT_WRITE, KT_FETCH };
/* The guest accessor for a kind: read64, write64 or exec. */
uint64_t kt_access_fn(enum kt_access_kind kind);
/* Put a `ret` at gpa, for instruction-fetch accesses. */
void kt_put_ret(struct kt_vm *vm, uint64_t gpa);
/* Start the guest on `a` and run it to its SYNC(1). */
void kt_access_start(struct kt_vm *vm, const struct kt_access *a);
void kt_guest_access_flow(uint64_t params, uint64_t unused);

/* --- the suite runner ---------------------------------------------------- */

struct kt_variant {
	const char *name;
	void (*run)(const struct kt_variant *v);
	const void *data;
	unsigned int timeout;		/* seconds, 0: default */
	bool needs_inject;		/* requires sea_inject */
};

struct kt_suite {
	const char *name;
	const struct kt_variant *variants;
	size_t nr_variants;
};

#define KT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

int kt_main(const struct kt_suite *suite);

/* --- guest side ------------------------------------------------------------ */

void kt_guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2,
		    uint64_t a3);
void kt_guest_sync(uint64_t stage);
void kt_guest_done(void) __attribute__((noreturn));
void kt_guest_fail_at(uint64_t line, uint64_t v0, uint64_t v1)
	__attribute__((noreturn));
#define KT_GUEST_FAIL(v0, v1)	kt_guest_fail_at(__LINE__, (v0), (v1))

/*
 * Guest accessors, in assembly so that the faulting instruction is the first
 * one of the function: the host knows its address (ELR checks) and the exact
 * instruction form (syndrome checks).
 */
uint64_t kt_guest_read64(uint64_t addr);
uint64_t kt_guest_write64(uint64_t addr, uint64_t val);
uint64_t kt_guest_exec(uint64_t addr, uint64_t unused);
void kt_guest_el0_call(uint64_t fn, uint64_t arg) __attribute__((noreturn));
extern const char kt_guest_vectors[];
void kt_guest_entry(void);
/* A `ret`, copied by instruction-fetch tests into a test page. */
#define KT_INSN_RET		0xd65f03c0u

#endif /* KT_H */
