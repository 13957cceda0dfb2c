// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * libseawall's raw layer (<seawall/kvm.h>) on a real VM and real exits.
 *
 * caps: seawall_kvm_probe() reports exactly what KVM_CHECK_EXTENSION says
 * for SEA_TO_USER, INJECT_EXT_DABT and NISV_TO_USER; seawall_kvm_enable()
 * enables them (again, idempotently) and refuses unknown bits.
 *
 * The other variants take a real KVM_EXIT_ARM_SEA (read, write, fetch, FnV,
 * guest stage-1 table page; from guest EL1 and EL0) enabled through
 * seawall_kvm_enable(), and check that seawall_kvm_run_get_sea() returns
 * the exit's payload, that seawall_sea_decode() names what the guest did
 * (kind, EC, FSC and level, WnR, FnV, gva, gpa), and that
 * seawall_vcpu_get_pstate() and seawall_pstate_guest_el() tell the EL that
 * made the access.  Before the exit, on the ucall's MMIO exit, the SEA
 * reader says -ENOMSG and the fault-GPA reader names the ucall page.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include <seawall/kvm.h>

#include "lt.h"

#define ALL_CAPS (SEAWALL_KVM_HAS_SEA_TO_USER | SEAWALL_KVM_HAS_INJECT_EXT_DABT | \
		  SEAWALL_KVM_HAS_NISV_TO_USER)

static void run_caps(const struct kt_variant *v)
{
	static const struct { unsigned int bit, cap; } caps[] = {
		{ SEAWALL_KVM_HAS_SEA_TO_USER, SEAWALL_KVM_CAP_ARM_SEA_TO_USER },
		{ SEAWALL_KVM_HAS_INJECT_EXT_DABT, SEAWALL_KVM_CAP_ARM_INJECT_EXT_DABT },
		{ SEAWALL_KVM_HAS_NISV_TO_USER, SEAWALL_KVM_CAP_ARM_NISV_TO_USER },
	};
	unsigned int want = 0;
	struct kt_vm vm;
	int have, r;

	(void)v;
	kt_vm_create(&vm, NULL);
	for (size_t i = 0; i < KT_ARRAY_SIZE(caps); i++) {
		r = ioctl(vm.vm_fd, KVM_CHECK_EXTENSION, (long)caps[i].cap);
		KT_CHECK_EQ(seawall_kvm_check_cap(vm.vm_fd, caps[i].cap), r,
			    "seawall_kvm_check_cap");
		if (r > 0)
			want |= caps[i].bit;
	}
	have = seawall_kvm_probe(vm.vm_fd);
	KT_CHECK_EQ(have, want, "seawall_kvm_probe mask");
	if (!(have & SEAWALL_KVM_HAS_SEA_TO_USER))
		kt_fail("probe lacks SEA_TO_USER although the runner found it");
	KT_CHECK_EQ(seawall_kvm_enable(vm.vm_fd, ALL_CAPS), have,
		    "seawall_kvm_enable(all)");
	KT_CHECK_EQ(seawall_kvm_enable(vm.vm_fd, ALL_CAPS), have,
		    "seawall_kvm_enable(all) again");
	KT_CHECK_EQ(seawall_kvm_enable(vm.vm_fd, 0), 0, "seawall_kvm_enable(0)");
	KT_CHECK_EQ(seawall_kvm_enable(vm.vm_fd, 1u << 7), -EINVAL,
		    "seawall_kvm_enable(unknown bit)");
	KT_CHECK_EQ(seawall_kvm_probe(-1), -EBADF, "seawall_kvm_probe(-1)");
	kt_diag("caps: SEA_TO_USER %d INJECT_EXT_DABT %d NISV_TO_USER %d",
		!!(have & SEAWALL_KVM_HAS_SEA_TO_USER),
		!!(have & SEAWALL_KVM_HAS_INJECT_EXT_DABT),
		!!(have & SEAWALL_KVM_HAS_NISV_TO_USER));
	kt_vm_destroy(&vm);
}

struct raw_case {
	enum kt_access_kind access;
	bool el0;		/* guest EL0 makes the access */
	bool fnv;		/* sea_inject ... fnv */
	int table_level;	/* the guest's level-N table page goes bad */
	bool alias;		/* gva != gpa */
};

static void run_raw(const struct kt_variant *v)
{
	const struct raw_case *c = v->data;
	uint64_t page = KT_TEST_PAGE(1), gva = page, target, pstate, gpa;
	unsigned int flags, set;
	struct seawall_kvm_arm_sea raw;
	struct seawall_sea sea;
	struct kt_access a = { 0 };
	const char *why = NULL;
	char text[512];
	struct kt_vm vm;
	int have;

	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	have = seawall_kvm_enable(vm.vm_fd, SEAWALL_KVM_HAS_SEA_TO_USER);
	KT_CHECK_EQ(have, SEAWALL_KVM_HAS_SEA_TO_USER, "seawall_kvm_enable");
	if (c->alias || c->table_level == 2) {
		gva = KT_ALIAS_GVA + 0x5000;
		kt_map_page(&vm, gva, page);
	}
	target = gva + (c->access == KT_FETCH ? 0x40 : 0x88);
	kt_put_ret(&vm, page + 0x40);
	a.fn = kt_access_fn(c->access);
	a.target = target;
	if (c->access == KT_FETCH && c->el0)
		a.fn = target;	/* EL0 runs the page's own `ret` */
	if (!c->table_level) {
		a.prime_with_fn = c->access == KT_FETCH;
		a.prime = c->access == KT_FETCH ? 0 : gva;
	}
	if (c->el0) {
		a.el0 = 1;
		kt_map_el0(&vm, a.fn, true);
		if (c->access != KT_FETCH)
			kt_map_el0(&vm, gva, false);
	}
	kt_access_start(&vm, &a);

	/* A ucall is an MMIO exit: not an SEA, and its GPA is the ucall page. */
	KT_CHECK_EQ(seawall_kvm_run_get_sea(vm.run, &raw), -ENOMSG,
		    "seawall_kvm_run_get_sea on an MMIO exit");
	KT_CHECK_EQ(seawall_kvm_run_get_fault_gpa(vm.run, &gpa), 0,
		    "seawall_kvm_run_get_fault_gpa on an MMIO exit");
	KT_CHECK_EQ(gpa, KT_UCALL_GPA, "fault gpa of the ucall");

	if (c->table_level)
		kt_mark(&vm, kt_pt_table_gpa(&vm, gva, c->table_level), 0);
	else
		kt_mark(&vm, page, c->fnv ? KT_SEA_FNV : 0);
	if (kt_run(&vm) != SEAWALL_KVM_EXIT_ARM_SEA) {
		kt_describe_exit(&vm, vm.run->exit_reason);
		kt_fail("expected KVM_EXIT_ARM_SEA");
	}
	KT_CHECK_EQ(seawall_kvm_run_get_sea(vm.run, &raw), 0,
		    "seawall_kvm_run_get_sea");
	if (memcmp(&raw, kt_sea(&vm), sizeof(raw)))
		kt_fail("seawall_kvm_run_get_sea differs from kvm_run.arm_sea");
	KT_CHECK_EQ(seawall_kvm_run_get_fault_gpa(vm.run, &gpa), -ENOMSG,
		    "seawall_kvm_run_get_fault_gpa on an SEA exit");

	flags = vm.vm_has_ras ? SEAWALL_SEA_DECODE_RAS : 0;
	if (seawall_sea_decode(&raw, flags, &sea, &why))
		kt_fail("seawall_sea_decode(esr %#" PRIx64 "): %s", raw.esr,
			why ? why : "?");
	if (seawall_sea_render(&sea, text, sizeof(text)) <= 0)
		kt_fail("seawall_sea_render");
	kt_diag("%s", text);

	KT_CHECK_EQ(sea.esr, raw.esr, "sea.esr");
	KT_CHECK_EQ(sea.kind, c->access == KT_FETCH ? SEAWALL_SEA_INSN :
		    SEAWALL_SEA_DATA, "sea.kind");
	/* To EL2 both guest ELs are the lower EL. */
	KT_CHECK_EQ(sea.ec, c->access == KT_FETCH ? SEAWALL_EC_IABT_LOW :
		    SEAWALL_EC_DABT_LOW, "sea.ec");
	KT_CHECK_EQ(sea.lower_el, 1, "sea.lower_el");
	KT_CHECK_EQ(sea.il, 1, "sea.il");
	KT_CHECK_EQ(sea.cm, 0, "sea.cm");
	if (c->table_level) {
		KT_CHECK_EQ(sea.fsc_class, SEAWALL_FSC_SEA_TTW, "sea.fsc_class");
		if (sea.fsc < 0x13 || sea.fsc > 0x17)
			kt_fail("sea.fsc %#x is not a table-walk SEA", sea.fsc);
		KT_CHECK_EQ(sea.level, sea.fsc - 0x14, "sea.level");
		KT_CHECK_EQ(sea.fnv, 0, "sea.fnv");
		KT_CHECK_EQ(sea.gva_valid, 1, "sea.gva_valid");
		KT_CHECK_EQ(sea.gva, target, "sea.gva");
		KT_CHECK_EQ(sea.gpa_valid, 0, "sea.gpa_valid");
		KT_CHECK_EQ(sea.set, SEAWALL_SET_NONE, "sea.set");
	} else {
		KT_CHECK_EQ(sea.fsc, 0x10, "sea.fsc");
		KT_CHECK_EQ(sea.fsc_class, SEAWALL_FSC_SEA, "sea.fsc_class");
		KT_CHECK_EQ((uint8_t)sea.level, (uint8_t)SEAWALL_SEA_LEVEL_NONE,
			    "sea.level");
		KT_CHECK_EQ(sea.wnr, c->access == KT_WRITE, "sea.wnr");
		KT_CHECK_EQ(sea.fnv, c->fnv, "sea.fnv");
		KT_CHECK_EQ(sea.gva_valid, !c->fnv, "sea.gva_valid");
		KT_CHECK_EQ(sea.gva, c->fnv ? 0 : target, "sea.gva");
		KT_CHECK_EQ(sea.gpa_valid, !c->fnv, "sea.gpa_valid");
		KT_CHECK_EQ(sea.gpa, c->fnv ? 0 : page, "sea.gpa");
		set = (raw.esr >> 11) & 3;
		KT_CHECK_EQ(sea.set, set == 2 ? SEAWALL_SET_UC :
			    set == 3 ? SEAWALL_SET_UEO :
			    vm.vm_has_ras ? SEAWALL_SET_UER : SEAWALL_SET_NONE,
			    "sea.set");
	}

	KT_CHECK_EQ(seawall_vcpu_get_pstate(vm.vcpu_fd, &pstate), 0,
		    "seawall_vcpu_get_pstate");
	KT_CHECK_EQ(pstate, lt_get_reg(&vm, LT_REG_PSTATE), "PSTATE");
	KT_CHECK_EQ(seawall_pstate_guest_el(pstate), c->el0 ? 0 : 1,
		    "seawall_pstate_guest_el (the EL that made the access)");
	KT_CHECK_EQ(pstate & SEAWALL_PSR_MODE_MASK, c->el0 ?
		    SEAWALL_PSR_MODE_EL0t : SEAWALL_PSR_MODE_EL1h, "PSTATE.M");
	KT_CHECK_EQ(seawall_vcpu_get_pstate(-1, &pstate), -EBADF,
		    "seawall_vcpu_get_pstate(-1)");
	KT_CHECK_EQ(seawall_vcpu_get_pstate(vm.vcpu_fd, NULL), -EINVAL,
		    "seawall_vcpu_get_pstate(NULL)");
	kt_vm_destroy(&vm);
}

#define RAW(n, ...)							\
	{ .name = n, .run = run_raw, .needs_inject = true,		\
	  .data = &(const struct raw_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	{ .name = "caps", .run = run_caps },
	RAW("read", .access = KT_READ),
	RAW("write", .access = KT_WRITE),
	RAW("fetch", .access = KT_FETCH),
	RAW("read-gva-ne-gpa", .access = KT_READ, .alias = true),
	RAW("fnv-read", .access = KT_READ, .fnv = true),
	RAW("fnv-write", .access = KT_WRITE, .fnv = true),
	RAW("fnv-fetch", .access = KT_FETCH, .fnv = true),
	RAW("ttw-l3-read", .access = KT_READ, .table_level = 3),
	RAW("ttw-l3-fetch", .access = KT_FETCH, .table_level = 3),
	RAW("ttw-l2-write", .access = KT_WRITE, .table_level = 2),
	RAW("el0-read", .access = KT_READ, .el0 = true),
	RAW("el0-write", .access = KT_WRITE, .el0 = true),
	RAW("el0-fetch", .access = KT_FETCH, .el0 = true),
	RAW("el0-fnv-read", .access = KT_READ, .el0 = true, .fnv = true),
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "lib_raw",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
