// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * sw-qemu-rig: what the QEMU scenarios (tests/qemu) need from L1 that
 * busybox cannot do.  Rig only.
 *
 *   sw-qemu-rig cap
 *	prints KVM_CHECK_EXTENSION(KVM_CAP_ARM_SEA_TO_USER) on a new VM
 *	(0 or 1); exit 1 when /dev/kvm cannot be used
 *
 * (A host-poisoned page for the SIGBUS scenario comes from
 * tests/e2e/sw-hwpoison, given QEMU's vCPU thread name.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include <seawall/kvm.h>

#define PFX "sw-qemu-rig: "

static int cap(void)
{
	int kvm, vm, r;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, PFX "/dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	/* arm64 answers some extensions per VM (IPA size, vGIC): ask a VM. */
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, PFX "KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	r = ioctl(vm, KVM_CHECK_EXTENSION, (long)SEAWALL_KVM_CAP_ARM_SEA_TO_USER);
	printf("%d\n", r > 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "cap"))
		return cap();
	fprintf(stderr, "usage: sw-qemu-rig cap\n");
	return 2;
}
