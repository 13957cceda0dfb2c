// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/* The KVM VM and its vCPUs: creation, and the (re)initialisation at boot. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
		     KVM_REG_ARM_CORE_REG(x))
/* PSTATE at boot: EL1h, D, A, I, F masked (booting.rst). */
#define BOOT_PSTATE 0x3c5ULL

int kvm_vm_create(struct vm *vm)
{
	int r;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		vm_err("cannot open /dev/kvm: %s (is KVM enabled and are you root?)",
		       strerror(errno));
		return -1;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		vm_err("unsupported KVM API version %d", r);
		return -1;
	}
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PSCI_0_2) <= 0) {
		vm_err("unsupported host: KVM lacks PSCI 0.2 (KVM_CAP_ARM_PSCI_0_2)");
		return -1;
	}
	do {
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	} while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		vm_err("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		vm_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	vm->run_size = (size_t)r;
	return 0;
}

static int vcpu_init(struct vm *vm, struct vcpu *v)
{
	struct kvm_vcpu_init init;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		vm_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -1;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	/* Secondaries wait for PSCI CPU_ON, which KVM handles itself. */
	if (v->id > 0)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		vm_err("vcpu%d: KVM_ARM_VCPU_INIT: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

int kvm_vcpus_create(struct vm *vm)
{
	int max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (max > 0 && (unsigned int)max < vm->ncpus) {
		vm_err("unsupported host: KVM allows %d vCPUs, %u asked", max, vm->ncpus);
		return -1;
	}
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = (int)i;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0) {
			vm_err("KVM_CREATE_VCPU %u: %s", i, strerror(errno));
			return -1;
		}
		v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			vm_err("vcpu%u: mmap kvm_run: %s", i, strerror(errno));
			return -1;
		}
		if (vcpu_init(vm, v))
			return -1;
	}
	return 0;
}

static int set_core(struct vcpu *v, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	if (ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0) {
		vm_err("vcpu%d: KVM_SET_ONE_REG: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

/* Back to the architectural reset state; vCPU 0 then enters the kernel. */
int kvm_vcpu_reset(struct vm *vm, struct vcpu *v)
{
	v->run->immediate_exit = 0;
	if (vcpu_init(vm, v))
		return -1;
	if (v->id != 0)
		return 0;
	return set_core(v, CORE_REG(regs.pstate), BOOT_PSTATE) ||
	       set_core(v, CORE_REG(regs.regs[0]), vm->dtb_gpa) ||
	       set_core(v, CORE_REG(regs.regs[1]), 0) ||
	       set_core(v, CORE_REG(regs.regs[2]), 0) ||
	       set_core(v, CORE_REG(regs.regs[3]), 0) ||
	       set_core(v, CORE_REG(regs.pc), vm->entry) ? -1 : 0;
}
