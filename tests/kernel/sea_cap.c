// SPDX-License-Identifier: MIT
// Copyright (C) 2026 The Seawall authors
/*
 * KVM_CAP_ARM_SEA_TO_USER: advertised on the VM, enabled with flags 0
 * (before or after vCPUs exist, more than once), refused with -EINVAL for
 * any non-zero flags.  Enabled while the guest is already running, it takes
 * effect for the next SEA.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kt.h"

struct cap_case {
	uint32_t flags;
	int want;		/* 0 or -errno */
	bool before_vcpu;	/* enable on a VM with no vCPU yet */
	int times;
};

static void check_advertised(const struct kt_variant *v)
{
	struct kt_vm vm;
	int r;

	(void)v;
	kt_vm_create(&vm, NULL);
	r = kt_check_cap(&vm, KT_CAP_ARM_SEA_TO_USER);
	KT_CHECK_EQ(r, 1, "KVM_CHECK_EXTENSION(KVM_CAP_ARM_SEA_TO_USER) on the VM");
	kt_vm_destroy(&vm);
}

/* A bare VM: no memory, no vCPU. */
static int enable_on_bare_vm(uint32_t flags)
{
	struct kvm_enable_cap ec = {
		.cap = KT_CAP_ARM_SEA_TO_USER,
		.flags = flags,
	};
	int kvm, vm, r;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		kt_skip("/dev/kvm: %m");
	vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
	if (vm < 0)
		kt_fail("KVM_CREATE_VM: %m");
	r = ioctl(vm, KVM_ENABLE_CAP, &ec) < 0 ? -errno : 0;
	close(vm);
	close(kvm);
	return r;
}

static void check_enable(const struct kt_variant *v)
{
	const struct cap_case *c = v->data;
	struct kt_vm vm;
	int r;

	if (c->before_vcpu) {
		r = enable_on_bare_vm(c->flags);
		KT_CHECK_EQ(r, c->want, "KVM_ENABLE_CAP result (-errno)");
		return;
	}
	kt_vm_create(&vm, NULL);
	for (int i = 0; i < c->times; i++) {
		r = kt_enable_cap(&vm, KT_CAP_ARM_SEA_TO_USER, c->flags);
		if (r != c->want)
			kt_fail("KVM_ENABLE_CAP flags %#x, call %d: got %s, "
				"want %s", c->flags, i + 1,
				r ? strerror(-r) : "success",
				c->want ? strerror(-c->want) : "success");
	}
	kt_vm_destroy(&vm);
}

static void check_enable_while_running(const struct kt_variant *v)
{
	struct kt_access a = { 0 };
	struct kt_arm_sea sea;
	struct kt_vm vm;

	(void)v;
	kt_vm_create(&vm, NULL);
	kt_require_sea_inject(&vm);
	a.fn = kt_access_fn(KT_READ);
	a.target = KT_TEST_PAGE(0) + 0x8;
	a.prime = a.target;
	kt_access_start(&vm, &a);	/* the vCPU has run */
	kt_enable_sea_to_user(&vm);
	kt_mark(&vm, KT_TEST_PAGE(0), 0);
	sea = kt_run_expect_sea(&vm);
	KT_CHECK_EQ(sea.gpa, KT_TEST_PAGE(0), "arm_sea.gpa");
	kt_vm_destroy(&vm);
}

#define ENABLE(n, ...)							\
	{ .name = n, .run = check_enable,				\
	  .data = &(const struct cap_case){ __VA_ARGS__ } }

static const struct kt_variant variants[] = {
	{ .name = "advertised-on-vm", .run = check_advertised },
	ENABLE("enable-after-vcpu", .flags = 0, .want = 0, .times = 1),
	ENABLE("enable-before-vcpu", .flags = 0, .want = 0, .before_vcpu = true),
	ENABLE("enable-twice", .flags = 0, .want = 0, .times = 2),
	ENABLE("flags-bit0-einval", .flags = 1, .want = -EINVAL, .times = 1),
	ENABLE("flags-bit31-einval", .flags = 1u << 31, .want = -EINVAL, .times = 1),
	ENABLE("flags-all-einval", .flags = ~0u, .want = -EINVAL, .times = 1),
	ENABLE("flags-bit0-bare-vm-einval", .flags = 1, .want = -EINVAL,
	       .before_vcpu = true),
	{ .name = "enable-while-running-takes-effect",
	  .run = check_enable_while_running, .needs_inject = true },
};

int main(void)
{
	static const struct kt_suite suite = {
		.name = "sea_cap",
		.variants = variants,
		.nr_variants = KT_ARRAY_SIZE(variants),
	};

	return kt_main(&suite);
}
