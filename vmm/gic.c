// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/* The in-kernel GICv3 (distributor and redistributors) and the SPI lines. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vm.h"

#define GIC_NR_IRQS 128		/* SGIs, PPIs and 96 SPIs */

static int set_attr(struct vm *vm, uint32_t group, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)addr,
	};

	return ioctl(vm->gic_fd, KVM_SET_DEVICE_ATTR, &a);
}

int gic_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = SWVM_GIC_DIST_BASE, redist = SWVM_GIC_REDIST_BASE;

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		vm_err("unsupported host: cannot create an in-kernel GICv3: %s", strerror(errno));
		return -1;
	}
	vm->gic_fd = (int)cd.fd;
	if (set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist)) {
		vm_err("GICv3: setting the addresses: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* After every vCPU exists. */
int gic_finalize(struct vm *vm)
{
	uint32_t nr = GIC_NR_IRQS;

	if (set_attr(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr) ||
	    set_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL)) {
		vm_err("GICv3: init: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void gic_set_spi(struct vm *vm, unsigned int spi, int level)
{
	struct kvm_irq_level l = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + spi),
		.level = (uint32_t)level,
	};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		vm_err("KVM_IRQ_LINE SPI %u: %s", spi, strerror(errno));
}
