// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The KVM side that is the same on every architecture: capabilities, and
 * reading the exit out of kvm_run.  kvm_run is read by offset, with our own
 * copy of the arm_sea layout, because the system <linux/kvm.h> may predate
 * it; the static assertions pin the parts of the layout we rely on.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "internal.h"

#define RUN_EXIT_REASON	8
#define RUN_UNION	32

_Static_assert(offsetof(struct kvm_run, exit_reason) == RUN_EXIT_REASON, "kvm_run layout");
_Static_assert(offsetof(struct kvm_run, mmio) == RUN_UNION, "kvm_run layout");
_Static_assert(offsetof(struct kvm_run, mmio.phys_addr) == RUN_UNION, "kvm_run layout");
_Static_assert(sizeof(struct seawall_kvm_arm_sea) == 32, "arm_sea layout");

static uint32_t run_exit_reason(const struct kvm_run *run)
{
	uint32_t r;

	memcpy(&r, (const char *)run + RUN_EXIT_REASON, sizeof(r));
	return r;
}

int seawall_kvm_run_get_sea(const struct kvm_run *run, struct seawall_kvm_arm_sea *raw)
{
	if (!run || !raw)
		return -EINVAL;
	if (run_exit_reason(run) != SEAWALL_KVM_EXIT_ARM_SEA)
		return -ENOMSG;
	memcpy(raw, (const char *)run + RUN_UNION, sizeof(*raw));
	return 0;
}

/* The guest physical address of an MMIO or NISV exit. */
int seawall_kvm_run_get_fault_gpa(const struct kvm_run *run, uint64_t *gpa)
{
	size_t off;

	if (!run || !gpa)
		return -EINVAL;
	switch (run_exit_reason(run)) {
	case SEAWALL_KVM_EXIT_MMIO:
		off = RUN_UNION;	/* mmio.phys_addr */
		break;
	case SEAWALL_KVM_EXIT_ARM_NISV:
		off = RUN_UNION + 8;	/* arm_nisv.fault_ipa, after esr_iss */
		break;
	default:
		return -ENOMSG;
	}
	memcpy(gpa, (const char *)run + off, sizeof(*gpa));
	return 0;
}

int seawall_kvm_check_cap(int fd, unsigned int cap)
{
	int r;

	if (fd < 0)
		return -EBADF;
	r = ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)cap);
	return r < 0 ? -errno : r;
}

int seawall_kvm_enable_cap(int vm_fd, unsigned int cap)
{
	struct kvm_enable_cap ec;

	if (vm_fd < 0)
		return -EBADF;
	memset(&ec, 0, sizeof(ec));
	ec.cap = cap;
	return ioctl(vm_fd, KVM_ENABLE_CAP, &ec) < 0 ? -errno : 0;
}

static const struct {
	unsigned int bit;
	unsigned int cap;
} caps[] = {
	{ SEAWALL_KVM_HAS_SEA_TO_USER, SEAWALL_KVM_CAP_ARM_SEA_TO_USER },
	{ SEAWALL_KVM_HAS_INJECT_EXT_DABT, SEAWALL_KVM_CAP_ARM_INJECT_EXT_DABT },
	{ SEAWALL_KVM_HAS_NISV_TO_USER, SEAWALL_KVM_CAP_ARM_NISV_TO_USER },
};

/* Mask of SEAWALL_KVM_HAS_* the VM supports, or -errno. */
int seawall_kvm_probe(int vm_fd)
{
	int mask = 0;

	for (size_t i = 0; i < SW_ARRAY_SIZE(caps); i++) {
		int r = seawall_kvm_check_cap(vm_fd, caps[i].cap);

		if (r < 0)
			return r;
		if (r > 0)
			mask |= (int)caps[i].bit;
	}
	return mask;
}

/*
 * Enable what is wanted and supported (only the *_TO_USER ones need
 * enabling; INJECT_EXT_DABT is always on where it exists).  Returns the
 * mask now in effect.
 */
int seawall_kvm_enable(int vm_fd, unsigned int want)
{
	int have = seawall_kvm_probe(vm_fd);

	if (have < 0)
		return have;
	if (want & ~(SEAWALL_KVM_HAS_SEA_TO_USER | SEAWALL_KVM_HAS_INJECT_EXT_DABT |
		     SEAWALL_KVM_HAS_NISV_TO_USER))
		return -EINVAL;
	want &= (unsigned int)have;
	for (size_t i = 0; i < SW_ARRAY_SIZE(caps); i++) {
		int r;

		if (!(want & caps[i].bit) || caps[i].bit == SEAWALL_KVM_HAS_INJECT_EXT_DABT)
			continue;
		r = seawall_kvm_enable_cap(vm_fd, caps[i].cap);
		if (r < 0)
			return r;
	}
	return (int)want;
}

int seawall_vcpu_get_pstate(int vcpu_fd, uint64_t *pstate)
{
	if (vcpu_fd < 0)
		return -EBADF;
	if (!pstate)
		return -EINVAL;
	return sw_arch_get_pstate(vcpu_fd, pstate);
}

int seawall_vcpu_inject_dabt(int vcpu_fd)
{
	if (vcpu_fd < 0)
		return -EBADF;
	return sw_arch_inject_dabt(vcpu_fd);
}

int seawall_vcpu_inject_abort(int vcpu_fd, unsigned int kind, uint64_t far,
			      unsigned int flags, struct seawall_exc_out *out)
{
	if (vcpu_fd < 0)
		return -EBADF;
	if ((kind != SEAWALL_ABORT_DATA && kind != SEAWALL_ABORT_INSN) ||
	    (flags & ~(SEAWALL_EXC_MTE | SEAWALL_EXC_FNV)))
		return -EINVAL;
	return sw_arch_inject_abort(vcpu_fd, kind, far, flags, out);
}
