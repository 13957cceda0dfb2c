// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * Host side of the kt framework: VM and vCPU setup, guest image loading,
 * stage-1 page tables, the run loop with ucall decoding, the sea_inject
 * control, and the TAP runner that forks one child per variant.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kt.h"

#define KT_DEFAULT_TIMEOUT	30
#define KT_DEBUGFS		"/sys/kernel/debug"

/* Stage-1 descriptor bits (4 KiB granule). */
#define PTE_VALID		(1ULL << 0)
#define PTE_TABLE		(1ULL << 1)	/* table at L1/L2, page at L3 */
#define PTE_ATTRIDX(i)		((uint64_t)(i) << 2)
#define PTE_AP_EL0_RW		(1ULL << 6)	/* AP[1] */
#define PTE_SH_INNER		(3ULL << 8)
#define PTE_AF			(1ULL << 10)
#define PTE_PXN			(1ULL << 53)
#define PTE_UXN			(1ULL << 54)
#define PTE_ADDR_MASK		0x0000fffffffff000ULL

#define MAIR_NORMAL_IDX		0	/* Normal, write-back */
#define MAIR_DEVICE_IDX		1	/* Device-nGnRE */
#define MAIR_VALUE		(0xffULL | (0x04ULL << 8))

#define TCR_T0SZ(bits)		((uint64_t)(64 - (bits)))
#define TCR_IRGN0_WBWA		(1ULL << 8)
#define TCR_ORGN0_WBWA		(1ULL << 10)
#define TCR_SH0_INNER		(3ULL << 12)
#define TCR_T1SZ(bits)		((uint64_t)(64 - (bits)) << 16)
#define TCR_IRGN1_WBWA		(1ULL << 24)
#define TCR_ORGN1_WBWA		(1ULL << 26)
#define TCR_SH1_INNER		(3ULL << 28)
#define TCR_TG1_4K		(2ULL << 30)
#define TCR_IPS(v)		((uint64_t)(v) << 32)

#define SCTLR_M			(1ULL << 0)
#define SCTLR_A			(1ULL << 1)
#define SCTLR_C			(1ULL << 2)
#define SCTLR_I			(1ULL << 12)
#define SCTLR_WXN		(1ULL << 19)

#define CPACR_FPEN		(3ULL << 20)
#define PSTATE_EL1H_DAIF	0x3c5ULL

#define SYSREG(op0, op1, crn, crm, op2)					\
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG |	\
	 ((uint64_t)(op0) << KVM_REG_ARM64_SYSREG_OP0_SHIFT) |		\
	 ((uint64_t)(op1) << KVM_REG_ARM64_SYSREG_OP1_SHIFT) |		\
	 ((uint64_t)(crn) << KVM_REG_ARM64_SYSREG_CRN_SHIFT) |		\
	 ((uint64_t)(crm) << KVM_REG_ARM64_SYSREG_CRM_SHIFT) |		\
	 ((uint64_t)(op2) << KVM_REG_ARM64_SYSREG_OP2_SHIFT))

#define REG_SCTLR_EL1		SYSREG(3, 0, 1, 0, 0)
#define REG_CPACR_EL1		SYSREG(3, 0, 1, 0, 2)
#define REG_TTBR0_EL1		SYSREG(3, 0, 2, 0, 0)
#define REG_TTBR1_EL1		SYSREG(3, 0, 2, 0, 1)
#define REG_TCR_EL1		SYSREG(3, 0, 2, 0, 2)
#define REG_MAIR_EL1		SYSREG(3, 0, 10, 2, 0)
#define REG_VBAR_EL1		SYSREG(3, 0, 12, 0, 0)
#define REG_ID_AA64PFR0_EL1	SYSREG(3, 0, 0, 4, 0)

#define CORE_REG(field)							\
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |		\
	 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))

/* Shared with the runner, so a child can say why it skipped. */
static char *kt_reason;
#define KT_REASON_SIZE		512

/* --- reporting ----------------------------------------------------------- */

static void kt_vdiag(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	printf("# %s%s\n", prefix, buf);
	fflush(stdout);
}

void kt_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kt_vdiag("", fmt, ap);
	va_end(ap);
}

void kt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kt_vdiag("FAIL: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void kt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (kt_reason)
		vsnprintf(kt_reason, KT_REASON_SIZE, fmt, ap);
	else
		kt_vdiag("SKIP: ", fmt, ap);
	va_end(ap);
	exit(77);
}

/* --- small wrappers ------------------------------------------------------- */

static void set_reg(struct kt_vm *vm, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &reg) < 0)
		kt_fail("KVM_SET_ONE_REG %#" PRIx64 ": %m", id);
}

static uint64_t get_reg(struct kt_vm *vm, uint64_t id)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &reg) < 0)
		kt_fail("KVM_GET_ONE_REG %#" PRIx64 ": %m", id);
	return val;
}

int kt_check_cap(struct kt_vm *vm, long cap)
{
	return ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap);
}

int kt_enable_cap(struct kt_vm *vm, uint32_t cap, uint32_t flags)
{
	struct kvm_enable_cap ec = { .cap = cap, .flags = flags };

	return ioctl(vm->vm_fd, KVM_ENABLE_CAP, &ec) < 0 ? -errno : 0;
}

void kt_enable_sea_to_user(struct kt_vm *vm)
{
	int r = kt_enable_cap(vm, KT_CAP_ARM_SEA_TO_USER, 0);

	if (r)
		kt_fail("KVM_ENABLE_CAP(KVM_CAP_ARM_SEA_TO_USER): %s",
			strerror(-r));
}

/* --- guest memory ---------------------------------------------------------- */

void *kt_gpa_hva(struct kt_vm *vm, uint64_t gpa)
{
	for (int i = 0; i < vm->nr_mem; i++) {
		struct kt_mem *m = &vm->mem[i];

		if (gpa >= m->gpa && gpa - m->gpa < m->size)
			return m->hva + (gpa - m->gpa);
	}
	kt_fail("gpa %#" PRIx64 " is in no memslot", gpa);
}

/*
 * AnonHugePages of the whole system, from /proc/meminfo (smaps needs
 * PROC_PAGE_MONITOR, which the rig's allnoconfig kernels lack).  Nothing else
 * allocates while a variant sets its VM up, so a delta is ours.
 */
static long meminfo_anon_huge_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void mem_map(struct kt_mem *m, uint64_t gpa, uint64_t size,
		    enum kt_backing backing)
{
	int prot = PROT_READ | PROT_WRITE;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uint8_t *p;

	m->gpa = gpa;
	m->size = size;
	switch (backing) {
	case KT_BACKING_HUGETLB:
		m->map_size = size;
		m->map = mmap(NULL, size, prot,
			      flags | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT),
			      -1, 0);
		if (m->map == MAP_FAILED)
			kt_skip("no free 2 MiB hugetlb pages for %" PRIu64
				" MiB of guest memory (%m)", size >> 20);
		m->hva = m->map;
		break;
	case KT_BACKING_THP:
	case KT_BACKING_4K:
		/* Over-allocate so the HVA is 2 MiB aligned like the GPA. */
		m->map_size = size + KT_BLOCK;
		m->map = mmap(NULL, m->map_size, prot, flags | MAP_NORESERVE,
			      -1, 0);
		if (m->map == MAP_FAILED)
			kt_fail("mmap %" PRIu64 " bytes: %m", size);
		p = (uint8_t *)(((uintptr_t)m->map + KT_BLOCK - 1) &
				~(uintptr_t)(KT_BLOCK - 1));
		m->hva = p;
		/*
		 * The rig kernels have THP "always" and no madvise() at all
		 * (ADVISE_SYSCALLS off).  4 KiB: turn THP off for this
		 * process (each variant is its own child).  THP: ask, and let
		 * mem_check_backing() judge whether huge pages came.
		 */
		if (backing == KT_BACKING_4K) {
			prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
			madvise(p, size, MADV_NOHUGEPAGE);
		} else {
			madvise(p, size, MADV_HUGEPAGE);
		}
		break;
	}
}

static void mem_check_backing(struct kt_mem *m, enum kt_backing backing)
{
	long before, kb;

	if (backing != KT_BACKING_THP)
		return;
	before = meminfo_anon_huge_kb();
	/* Fault every block in now, so THP has its chance. */
	for (uint64_t off = 0; off < m->size; off += KT_BLOCK)
		((volatile uint8_t *)m->hva)[off] = 0;
	kb = meminfo_anon_huge_kb() - before;
	if (before < 0 || kb <= 0)
		kt_skip("guest memory did not get transparent huge pages "
			"(AnonHugePages grew by %ld kB)", kb);
	kt_diag("THP backing: %ld kB of %" PRIu64 " kB in huge pages",
		kb, m->size >> 10);
}

static void mem_register(struct kt_vm *vm, int slot)
{
	struct kt_mem *m = &vm->mem[slot];
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = m->gpa,
		.memory_size = m->size,
		.userspace_addr = (uintptr_t)m->hva,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		kt_fail("KVM_SET_USER_MEMORY_REGION slot %d at %#" PRIx64
			": %m", slot, m->gpa);
}

void kt_vm_add_mem(struct kt_vm *vm, uint64_t gpa, uint64_t size)
{
	if (vm->nr_mem >= (int)KT_ARRAY_SIZE(vm->mem))
		kt_fail("too many memslots");
	mem_map(&vm->mem[vm->nr_mem], gpa, size, KT_BACKING_4K);
	vm->nr_mem++;
	mem_register(vm, vm->nr_mem - 1);
}

/*
 * The guest runs this binary's own code at its link addresses: copy every
 * PT_LOAD segment of /proc/self/exe to the same guest address.  Static,
 * non-PIE, so nothing needs relocating for the few guest functions.
 */
static void load_self(struct kt_vm *vm)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	const uint8_t *img;
	const Elf64_Ehdr *eh;

	if (fd < 0 || fstat(fd, &st) < 0)
		kt_fail("/proc/self/exe: %m");
	img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED)
		kt_fail("mmap /proc/self/exe: %m");
	eh = (const Elf64_Ehdr *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_type != ET_EXEC)
		kt_fail("/proc/self/exe is not a static non-PIE ELF");

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)
			(img + eh->e_phoff + (size_t)i * eh->e_phentsize);

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr < KT_MEM_GPA ||
		    ph->p_vaddr + ph->p_memsz > KT_IMAGE_END)
			kt_fail("segment %#" PRIx64 "+%#" PRIx64
				" outside the guest image area",
				(uint64_t)ph->p_vaddr, (uint64_t)ph->p_memsz);
		memcpy(kt_gpa_hva(vm, ph->p_vaddr), img + ph->p_offset,
		       ph->p_filesz);
		/* The rest of p_memsz is already zero (fresh memory). */
	}
	munmap((void *)img, st.st_size);
}

/* --- stage-1 page tables (4 KiB granule, 39-bit VA, levels 1..3) ------------ */

static uint64_t pt_alloc(struct kt_vm *vm)
{
	uint64_t gpa = vm->pt_next;

	if (gpa >= KT_PT_POOL_END)
		kt_fail("guest page-table pool exhausted");
	vm->pt_next += KT_PAGE;
	memset(kt_gpa_hva(vm, gpa), 0, KT_PAGE);
	return gpa;
}

static unsigned int pt_shift(int level)
{
	return 12 + 9 * (3 - level);
}

/* TTBR0: 39-bit VA, levels 1-3; TTBR1: 48-bit VA, levels 0-3. */
static bool pt_high(uint64_t gva)
{
	return gva >= KT_HIGH_GVA;
}

/* The descriptor for gva at `level`, allocating tables above it. */
static uint64_t *pt_slot(struct kt_vm *vm, uint64_t gva, int level)
{
	uint64_t table = pt_high(gva) ? vm->pt_root1 : vm->pt_root;

	for (int l = pt_high(gva) ? 0 : 1; ; l++) {
		uint64_t *e = (uint64_t *)kt_gpa_hva(vm, table) +
			      ((gva >> pt_shift(l)) & 511);

		if (l == level)
			return e;
		if (!(*e & PTE_VALID))
			*e = pt_alloc(vm) | PTE_TABLE | PTE_VALID;
		table = *e & PTE_ADDR_MASK;
	}
}

void kt_map_page(struct kt_vm *vm, uint64_t gva, uint64_t gpa)
{
	*pt_slot(vm, gva, 3) = (gpa & PTE_ADDR_MASK) | PTE_VALID | PTE_TABLE |
			       PTE_ATTRIDX(MAIR_NORMAL_IDX) | PTE_SH_INNER |
			       PTE_AF | PTE_UXN;
}

void kt_map_high(struct kt_vm *vm, uint64_t gva, uint64_t gpa)
{
	if (!pt_high(gva))
		kt_fail("kt_map_high: %#" PRIx64 " is not a TTBR1 address", gva);
	kt_map_page(vm, gva, gpa);
}

void kt_map_el0(struct kt_vm *vm, uint64_t gva, bool code)
{
	uint64_t *e = pt_slot(vm, gva, 3);

	if (!(*e & PTE_VALID))
		kt_fail("kt_map_el0: gva %#" PRIx64 " is not mapped", gva);
	if (code)
		*e &= ~PTE_UXN;
	else
		*e |= PTE_AP_EL0_RW;
}

uint64_t kt_pt_table_gpa(struct kt_vm *vm, uint64_t gva, int level)
{
	uint64_t table = pt_high(gva) ? vm->pt_root1 : vm->pt_root;

	for (int l = pt_high(gva) ? 0 : 1; l < level; l++) {
		uint64_t e = ((uint64_t *)kt_gpa_hva(vm, table))
			     [(gva >> pt_shift(l)) & 511];

		if (!(e & PTE_VALID) || !(e & PTE_TABLE))
			kt_fail("gva %#" PRIx64 " has no level-%d table",
				gva, level);
		table = e & PTE_ADDR_MASK;
	}
	return table;
}

static void pt_build(struct kt_vm *vm)
{
	vm->pt_next = KT_PT_POOL;
	vm->pt_root = pt_alloc(vm);
	vm->pt_root1 = pt_alloc(vm);
	for (uint64_t a = KT_MEM_GPA; a < KT_MEM_GPA + KT_MEM_SIZE; a += KT_PAGE)
		kt_map_page(vm, a, a);
	/* The ucall page: one 2 MiB device block, never executable. */
	*pt_slot(vm, KT_UCALL_GPA, 2) = (KT_UCALL_GPA & ~(KT_BLOCK - 1)) |
		PTE_VALID | PTE_ATTRIDX(MAIR_DEVICE_IDX) | PTE_AF |
		PTE_PXN | PTE_UXN;
}

/* --- VM and vCPU --------------------------------------------------------- */

static void vcpu_setup(struct kt_vm *vm)
{
	struct kvm_vcpu_init init;
	uint64_t sctlr, ips;
	int sz;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		kt_fail("KVM_CREATE_VCPU: %m");
	sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		kt_fail("KVM_GET_VCPU_MMAP_SIZE: %m");
	vm->run_size = sz;
	vm->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		kt_fail("mmap kvm_run: %m");

	memset(&init, 0, sizeof(init));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		kt_fail("KVM_ARM_PREFERRED_TARGET: %m");
	if (ioctl(vm->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0)
		kt_fail("KVM_ARM_VCPU_INIT: %m");

	/* IPS: 40 bits (2) unless the VM was made with a larger IPA (48: 5). */
	ips = vm->ipa_bits > 40 ? 5 : 2;
	sctlr = get_reg(vm, REG_SCTLR_EL1);
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
	sctlr &= ~(SCTLR_A | SCTLR_WXN);
	set_reg(vm, REG_MAIR_EL1, MAIR_VALUE);
	set_reg(vm, REG_TCR_EL1, TCR_T0SZ(39) | TCR_IRGN0_WBWA |
		TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_T1SZ(48) |
		TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | TCR_TG1_4K |
		TCR_IPS(ips));
	set_reg(vm, REG_TTBR0_EL1, vm->pt_root);
	set_reg(vm, REG_TTBR1_EL1, vm->pt_root1);
	set_reg(vm, REG_VBAR_EL1, (uintptr_t)kt_guest_vectors);
	set_reg(vm, REG_CPACR_EL1, CPACR_FPEN);
	set_reg(vm, REG_SCTLR_EL1, sctlr);

	vm->vm_has_ras = (get_reg(vm, REG_ID_AA64PFR0_EL1) >> 28) & 0xf;
}

void kt_vm_create(struct kt_vm *vm, const struct kt_vm_opts *opts)
{
	static const struct kt_vm_opts defaults;
	int max_ipa;

	if (!opts)
		opts = &defaults;
	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		kt_skip("/dev/kvm: %m");
	vm->ipa_bits = opts->ipa_bits ? opts->ipa_bits : 40;
	if (opts->ipa_bits) {
		max_ipa = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
				KVM_CAP_ARM_VM_IPA_SIZE);
		if (max_ipa < (int)opts->ipa_bits)
			kt_skip("host IPA limit %d bits < %u", max_ipa,
				opts->ipa_bits);
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM,
			  (unsigned long)(opts->ipa_bits & 0xff));
	if (vm->vm_fd < 0)
		kt_fail("KVM_CREATE_VM(ipa %u): %m", vm->ipa_bits);

	mem_map(&vm->mem[0], KT_MEM_GPA, KT_MEM_SIZE, opts->backing);
	vm->nr_mem = 1;
	mem_check_backing(&vm->mem[0], opts->backing);
	mem_register(vm, 0);
	load_self(vm);
	pt_build(vm);
	vcpu_setup(vm);
}

void kt_vm_destroy(struct kt_vm *vm)
{
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, vm->run_size);
	close(vm->vcpu_fd);
	close(vm->vm_fd);
	close(vm->kvm_fd);
	for (int i = 0; i < vm->nr_mem; i++)
		munmap(vm->mem[i].map, vm->mem[i].map_size);
	memset(vm, 0, sizeof(*vm));
}

void kt_vcpu_start(struct kt_vm *vm, void (*fn)(uint64_t, uint64_t),
		   uint64_t arg0, uint64_t arg1)
{
	set_reg(vm, CORE_REG(regs.regs[0]), arg0);
	set_reg(vm, CORE_REG(regs.regs[1]), arg1);
	set_reg(vm, CORE_REG(regs.regs[2]), (uintptr_t)fn);
	set_reg(vm, CORE_REG(sp_el1), KT_STACK_TOP);
	set_reg(vm, CORE_REG(regs.pstate), PSTATE_EL1H_DAIF);
	set_reg(vm, CORE_REG(regs.pc), (uintptr_t)kt_guest_entry);
}

/* --- running ------------------------------------------------------------------ */

/* arm_sea is a member of the exit union, which starts at byte 32. */
_Static_assert(offsetof(struct kvm_run, mmio) == 32,
	       "kvm_run exit union moved");

const struct kt_arm_sea *kt_sea(struct kt_vm *vm)
{
	return (const struct kt_arm_sea *)&vm->run->mmio;
}

unsigned int kt_run(struct kt_vm *vm)
{
	struct kvm_run *run = vm->run;
	uint64_t ptr;

	if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0)
		kt_fail("KVM_RUN: %m");
	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr != KT_UCALL_GPA ||
	    !run->mmio.is_write || run->mmio.len != sizeof(ptr))
		return run->exit_reason;
	memcpy(&ptr, run->mmio.data, sizeof(ptr));
	memcpy(&vm->uc, kt_gpa_hva(vm, ptr), sizeof(vm->uc));
	return KT_EXIT_UCALL;
}

static const char *ucall_name(uint64_t cmd)
{
	switch (cmd) {
	case KT_UCALL_SYNC:		return "SYNC";
	case KT_UCALL_DONE:		return "DONE";
	case KT_UCALL_FAIL:		return "FAIL";
	case KT_UCALL_EXCEPTION:	return "EXCEPTION";
	case KT_UCALL_VALUE:		return "VALUE";
	default:			return "?";
	}
}

void kt_describe_exit(struct kt_vm *vm, unsigned int reason)
{
	const struct kt_arm_sea *sea = kt_sea(vm);
	const struct kt_ucall *uc = &vm->uc;

	switch (reason) {
	case KT_EXIT_UCALL:
		if (uc->cmd == KT_UCALL_EXCEPTION)
			kt_diag("guest took exception vector %" PRIu64
				" (offset %#" PRIx64 "): ESR_EL1 %#" PRIx64
				" (EC %#" PRIx64 ") FAR_EL1 %#" PRIx64
				" ELR_EL1 %#" PRIx64, uc->args[0],
				uc->args[0] * 0x80, uc->args[1],
				ESR_EC(uc->args[1]), uc->args[2], uc->args[3]);
		else if (uc->cmd == KT_UCALL_FAIL)
			kt_diag("guest FAIL at line %" PRIu64 " (%#" PRIx64
				", %#" PRIx64 "); in the access flow: the "
				"access to the first value completed without "
				"any abort", uc->args[0], uc->args[1],
				uc->args[2]);
		else
			kt_diag("guest ucall %s(%#" PRIx64 ", %#" PRIx64
				", %#" PRIx64 ")", ucall_name(uc->cmd),
				uc->args[0], uc->args[1], uc->args[2]);
		break;
	case KT_EXIT_ARM_SEA:
		kt_diag("KVM_EXIT_ARM_SEA flags %#" PRIx64 " esr %#" PRIx64
			" gva %#" PRIx64 " gpa %#" PRIx64, sea->flags,
			sea->esr, sea->gva, sea->gpa);
		break;
	case KVM_EXIT_MMIO:
		kt_diag("KVM_EXIT_MMIO at %#llx (%s, %u bytes)",
			(unsigned long long)vm->run->mmio.phys_addr,
			vm->run->mmio.is_write ? "write" : "read",
			vm->run->mmio.len);
		break;
	default:
		kt_diag("exit reason %u", reason);
		break;
	}
}

void kt_run_expect_ucall(struct kt_vm *vm, enum kt_ucall_cmd cmd)
{
	unsigned int r = kt_run(vm);

	if (r == KT_EXIT_UCALL && vm->uc.cmd == cmd)
		return;
	kt_describe_exit(vm, r);
	kt_fail("expected guest ucall %s", ucall_name(cmd));
}

struct kt_arm_sea kt_run_expect_sea(struct kt_vm *vm)
{
	unsigned int r = kt_run(vm);

	kt_describe_exit(vm, r);
	if (r == KT_EXIT_UCALL && vm->uc.cmd == KT_UCALL_EXCEPTION &&
	    vm->uc.args[0] == KT_VEC_CUR_SPX_SERROR)
		kt_fail("expected KVM_EXIT_ARM_SEA (%d), but KVM injected an "
			"SError into the guest: the SEA was treated as "
			"host-owned (or the opt-in was lost)", KT_EXIT_ARM_SEA);
	if (r != KT_EXIT_ARM_SEA)
		kt_fail("expected KVM_EXIT_ARM_SEA (%d)", KT_EXIT_ARM_SEA);
	return *kt_sea(vm);
}

void kt_set_ext_dabt_pending(struct kt_vm *vm)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	if (ioctl(vm->vcpu_fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		kt_fail("KVM_SET_VCPU_EVENTS(ext_dabt_pending): %m");
}

void kt_check_sea_esr(struct kt_vm *vm, uint64_t esr, uint64_t want,
		      uint64_t dontcare)
{
	static const struct { uint64_t bits; const char *name; } fields[] = {
		{ 0x3fULL << ESR_EC_SHIFT, "EC" }, { ESR_IL, "IL" },
		{ ESR_ISV, "ISV" }, { ESR_SAS, "SAS" }, { ESR_SSE, "SSE" },
		{ ESR_SRT, "SRT" }, { ESR_SF, "SF" }, { ESR_AR, "AR" },
		{ ESR_VNCR, "VNCR" }, { ESR_SET, "SET" }, { ESR_FNV, "FnV" },
		{ ESR_EA, "EA" }, { ESR_CM, "CM" }, { ESR_S1PTW, "S1PTW" },
		{ ESR_WNR, "WnR" }, { ESR_FSC, "FSC" }, { ESR_ISS2, "ISS2" },
	};
	uint64_t allowed = vm->vm_has_ras ? KT_SEA_ESR_MASK_RAS :
					    KT_SEA_ESR_MASK;
	uint64_t diff;
	char what[160] = "";

	if (esr & ~allowed)
		kt_fail("esr %#" PRIx64 " leaks bits %#" PRIx64
			" outside EC/IL/FnV/EA/CM/WnR/FSC%s", esr,
			esr & ~allowed, vm->vm_has_ras ? "/SET" : "");
	/* SET passes only when the VM has FEAT_RAS (mainline's mask). */
	if (!vm->vm_has_ras)
		want &= ~ESR_SET;
	diff = (esr ^ want) & ~dontcare;
	if (!diff)
		return;
	for (size_t i = 0; i < KT_ARRAY_SIZE(fields); i++) {
		if (!(diff & fields[i].bits))
			continue;
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " %s %s", fields[i].name,
			 (esr & fields[i].bits) && !(want & fields[i].bits) ?
			 "set" : !(esr & fields[i].bits) ?
			 "missing" : "differs");
	}
	kt_fail("arm_sea.esr: got %#" PRIx64 ", want %#" PRIx64
		" (wrong:%s)", esr & ~dontcare, want & ~dontcare, what);
}

uint64_t kt_access_fn(enum kt_access_kind kind)
{
	switch (kind) {
	case KT_WRITE:	return (uintptr_t)kt_guest_write64;
	case KT_FETCH:	return (uintptr_t)kt_guest_exec;
	case KT_READ:
	default:	return (uintptr_t)kt_guest_read64;
	}
}

void kt_put_ret(struct kt_vm *vm, uint64_t gpa)
{
	uint32_t *insn = kt_gpa_hva(vm, gpa);

	*insn = KT_INSN_RET;
	__builtin___clear_cache((char *)insn, (char *)(insn + 1));
}

void kt_access_start(struct kt_vm *vm, const struct kt_access *a)
{
	memcpy(kt_gpa_hva(vm, KT_PARAM_GPA), a, sizeof(*a));
	kt_vcpu_start(vm, kt_guest_access_flow, KT_PARAM_GPA, 0);
	kt_run_expect_ucall(vm, KT_UCALL_SYNC);
	KT_CHECK_EQ(vm->uc.args[0], 1, "guest SYNC stage");
}

/* --- sea_inject -------------------------------------------------------------- */

void kt_debugfs_dir(struct kt_vm *vm, char *buf, size_t len)
{
	snprintf(buf, len, KT_DEBUGFS "/kvm/%d-%d", (int)getpid(), vm->vm_fd);
}

static void sea_inject_path(struct kt_vm *vm, char *buf, size_t len)
{
	char dir[96];

	kt_debugfs_dir(vm, dir, sizeof(dir));
	snprintf(buf, len, "%s/sea_inject", dir);
}

void kt_require_sea_inject(struct kt_vm *vm)
{
	char path[128];

	sea_inject_path(vm, path, sizeof(path));
	if (access(path, W_OK) == 0)
		return;
	/* The rig mounts debugfs; mount it here if somebody did not. */
	if (access(KT_DEBUGFS "/kvm", F_OK) < 0)
		mount("debugfs", KT_DEBUGFS, "debugfs", 0, NULL);
	if (access(path, W_OK) == 0)
		return;
	kt_skip("sea_inject not available (kernel without the rig's "
		"test-injection patch): no %s", path);
}

/* The control's listing (marked pages, then "apei_claims N"), NUL-terminated. */
void kt_sea_inject_read(struct kt_vm *vm, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	sea_inject_path(vm, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		kt_fail("open %s: %m", path);
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		kt_fail("read %s: %m", path);
	buf[n] = '\0';
}

int kt_sea_inject_write(struct kt_vm *vm, const char *text)
{
	char path[128];
	ssize_t n;
	int fd, err = 0;

	sea_inject_path(vm, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(text))
		err = -EIO;
	close(fd);
	return err;
}

static void mark_text(char *text, size_t len, uint64_t gpa,
		      unsigned int flags)
{
	snprintf(text, len, "%#" PRIx64 "%s%s%s%s%s", gpa,
		 flags & KT_SEA_FNV ? " fnv" : "",
		 flags & KT_SEA_S2TABLE ? " s2table" : "",
		 flags & KT_SEA_EA ? " ea" : "",
		 flags & KT_SEA_CM ? " cm" : "",
		 flags & KT_SEA_APEI ? " apei" : "");
	if (KT_SEA_HAS_SET(flags))
		snprintf(text + strlen(text), len - strlen(text), " set=%u",
			 KT_SEA_SET_OF(flags));
	if (KT_SEA_HAS_LEVEL(flags))
		snprintf(text + strlen(text), len - strlen(text), " level=%u",
			 KT_SEA_LEVEL_OF(flags));
}

int kt_sea_inject(struct kt_vm *vm, uint64_t gpa, unsigned int flags)
{
	char text[128];

	mark_text(text, sizeof(text) - 1, gpa, flags);
	strcat(text, "\n");
	return kt_sea_inject_write(vm, text);
}

void kt_mark(struct kt_vm *vm, uint64_t gpa, unsigned int flags)
{
	int r = kt_sea_inject(vm, gpa, flags);
	char text[128];

	if (r) {
		mark_text(text, sizeof(text), gpa, flags);
		kt_fail("sea_inject '%s': %s", text, strerror(-r));
	}
}

uint64_t kt_sea_mark_esr(struct kt_vm *vm, unsigned int flags, bool data)
{
	uint64_t esr = 0;

	if (vm->vm_has_ras)
		esr |= (uint64_t)KT_SEA_SET_OF(flags) << 11;
	if (flags & KT_SEA_EA)
		esr |= ESR_EA;
	if ((flags & KT_SEA_CM) && data)
		esr |= ESR_CM;
	return esr;
}

/* --- the runner -------------------------------------------------------------- */

/*
 * Probe once, in the parent: is the capability there at all, and does this
 * kernel have the injection control?  Returns NULL or the reason to skip.
 */
static const char *probe(bool *have_inject)
{
	static char reason[256];
	char path[128];
	int kvm, vm, r;

	*have_inject = false;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(reason, sizeof(reason), "/dev/kvm: %s",
			 strerror(errno));
		return reason;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
	if (vm < 0) {
		snprintf(reason, sizeof(reason), "KVM_CREATE_VM: %s",
			 strerror(errno));
		close(kvm);
		return reason;
	}
	r = ioctl(vm, KVM_CHECK_EXTENSION, (long)KT_CAP_ARM_SEA_TO_USER);
	if (r <= 0) {
		close(vm);
		close(kvm);
		return "KVM_CAP_ARM_SEA_TO_USER not supported";
	}
	snprintf(path, sizeof(path), KT_DEBUGFS "/kvm/%d-%d/sea_inject",
		 (int)getpid(), vm);
	if (access(KT_DEBUGFS "/kvm", F_OK) < 0)
		mount("debugfs", KT_DEBUGFS, "debugfs", 0, NULL);
	*have_inject = access(path, W_OK) == 0;
	close(vm);
	close(kvm);
	return NULL;
}

enum kt_result { KT_PASS, KT_FAILED, KT_SKIPPED };

static enum kt_result run_variant(const struct kt_variant *v, unsigned int nr)
{
	unsigned int timeout = v->timeout ? v->timeout : KT_DEFAULT_TIMEOUT;
	int status;
	pid_t pid;

	kt_reason[0] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("not ok %u - %s # fork: %s\n", nr, v->name,
		       strerror(errno));
		return KT_FAILED;
	}
	if (pid == 0) {
		alarm(timeout);
		v->run(v);
		exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			printf("not ok %u - %s # waitpid: %s\n", nr, v->name,
			       strerror(errno));
			return KT_FAILED;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %u - %s\n", nr, v->name);
		return KT_PASS;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("ok %u - %s # SKIP %s\n", nr, v->name,
		       kt_reason[0] ? kt_reason : "(no reason given)");
		return KT_SKIPPED;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		printf("not ok %u - %s # timed out after %u s\n", nr, v->name,
		       timeout);
	else if (WIFSIGNALED(status))
		printf("not ok %u - %s # killed by signal %d\n", nr, v->name,
		       WTERMSIG(status));
	else
		printf("not ok %u - %s\n", nr, v->name);
	return KT_FAILED;
}

int kt_main(const struct kt_suite *s)
{
	unsigned int pass = 0, fail = 0, skip = 0;
	const char *why;
	bool have_inject;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	why = probe(&have_inject);
	if (why) {
		printf("1..0 # SKIP %s\n", why);
		return 77;
	}
	kt_reason = mmap(NULL, KT_REASON_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kt_reason == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	printf("1..%zu\n", s->nr_variants);
	if (!have_inject)
		kt_diag("%s: no sea_inject control on this kernel; "
			"injection variants skip", s->name);
	for (size_t i = 0; i < s->nr_variants; i++) {
		const struct kt_variant *v = &s->variants[i];
		unsigned int nr = i + 1;

		if (v->needs_inject && !have_inject) {
			printf("ok %u - %s # SKIP sea_inject not available "
			       "(kernel without the rig's test-injection "
			       "patch)\n", nr, v->name);
			skip++;
			continue;
		}
		switch (run_variant(v, nr)) {
		case KT_PASS:	 pass++; break;
		case KT_FAILED:	 fail++; break;
		case KT_SKIPPED: skip++; break;
		}
	}
	kt_diag("%s: %u passed, %u failed, %u skipped", s->name, pass, fail,
		skip);
	if (fail)
		return 1;
	return pass ? 0 : 77;
}
