// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The exception-entry register math (seawall_exc_entry), against values
 * worked out by hand from the Arm ARM rules for a synchronous exception
 * taken to EL1h: vector from the source EL/SP (0x000 EL1t, 0x200 EL1h,
 * 0x400 EL0 AArch64, 0x600 EL0 AArch32), ESR = EC|IL|FSC 0x10, ELR = PC,
 * SPSR = old PSTATE, new PSTATE keeps NZCV/DIT/PAN, PAN forced when
 * SCTLR.SPAN = 0, SSBS = SCTLR.DSSBS, TCO with MTE, DAIF masked, EL1h.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <seawall/kvm.h>
#include "tap.h"

#define SPAN	(1ull << 23)
#define DSSBS	(1ull << 44)

struct row {
	const char *name;
	struct seawall_exc_in in;
	struct seawall_exc_out want;
};

static const struct row rows[] = {
	{ "IABT from EL0t (Z,C set), SPAN=1",
	  { .pstate = 0x60000000, .pc = 0x400123, .vbar = 0xffff800008010800ull,
	    .sctlr = SPAN, .far = 0x400120, .kind = SEAWALL_ABORT_INSN },
	  { .pc = 0xffff800008010c00ull, .pstate = 0x600003c5, .elr = 0x400123,
	    .spsr = 0x60000000, .esr = 0x82000010, .far = 0x400120, .vector = 0x400 } },
	{ "DABT from EL1h: PAN kept, SSBS from DSSBS, DIT kept, UAO/SS/IL/BTYPE cleared, TCO (MTE)",
	  { .pstate = 0x1f01c05, .pc = 0xffff800010123456ull, .vbar = 0xffff800010000000ull,
	    .sctlr = SPAN | DSSBS, .far = 0xffff000012345678ull, .kind = SEAWALL_ABORT_DATA,
	    .flags = SEAWALL_EXC_MTE },
	  { .pc = 0xffff800010000200ull, .pstate = 0x34013c5, .elr = 0xffff800010123456ull,
	    .spsr = 0x1f01c05, .esr = 0x96000010, .far = 0xffff000012345678ull, .vector = 0x200 } },
	{ "IABT from EL1t, SPAN=0 sets PAN, FnV: FAR 0",
	  { .pstate = 0x3c4, .pc = 0x80001000, .vbar = 0x80000000, .sctlr = 0,
	    .far = 0xdead000, .kind = SEAWALL_ABORT_INSN, .flags = SEAWALL_EXC_FNV },
	  { .pc = 0x80000000, .pstate = 0x4003c5, .elr = 0x80001000, .spsr = 0x3c4,
	    .esr = 0x86000410, .far = 0, .vector = 0x000 } },
	{ "DABT from AArch32 usr: DIT moves from bit 21 to 24",
	  { .pstate = 0x80200010, .pc = 0x8000, .vbar = 0xffff800000000000ull, .sctlr = SPAN,
	    .far = 0x9000, .kind = SEAWALL_ABORT_DATA },
	  { .pc = 0xffff800000000600ull, .pstate = 0x810003c5, .elr = 0x8000,
	    .spsr = 0x80200010, .esr = 0x92000010, .far = 0x9000, .vector = 0x600 } },
	{ "DABT from EL0t, SSBS cleared when DSSBS=0, DAIF from old ignored",
	  { .pstate = 0xf0001000, .pc = 0x1000, .vbar = 0x10000, .sctlr = SPAN,
	    .far = 0x2000, .kind = SEAWALL_ABORT_DATA },
	  { .pc = 0x10400, .pstate = 0xf00003c5, .elr = 0x1000, .spsr = 0xf0001000,
	    .esr = 0x92000010, .far = 0x2000, .vector = 0x400 } },
};

int main(void)
{
	struct seawall_exc_out o;
	struct seawall_exc_in in;
	int fd;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int e = seawall_exc_entry(&r->in, &o);

		tap_eq(e, 0, "%s: accepted", r->name);
		tap_eq(o.vector, r->want.vector, "%s: vector offset", r->name);
		tap_eq(o.pc, r->want.pc, "%s: PC = VBAR_EL1 + offset", r->name);
		tap_eq(o.pstate, r->want.pstate, "%s: new PSTATE", r->name);
		tap_eq(o.spsr, r->want.spsr, "%s: SPSR_EL1", r->name);
		tap_eq(o.elr, r->want.elr, "%s: ELR_EL1", r->name);
		tap_eq(o.esr, r->want.esr, "%s: ESR_EL1", r->name);
		tap_eq(o.far, r->want.far, "%s: FAR_EL1", r->name);
	}

	in = rows[0].in;
	in.pstate = SEAWALL_PSR_MODE_EL2h;
	tap_eq(seawall_exc_entry(&in, &o), -EOPNOTSUPP, "from EL2h: not supported");
	in.pstate = 0x13;	/* AArch32 svc */
	tap_eq(seawall_exc_entry(&in, &o), -EOPNOTSUPP, "from AArch32 svc: not supported");
	in.pstate = 0x2;	/* not an AArch64 mode */
	tap_eq(seawall_exc_entry(&in, &o), -EINVAL, "reserved mode 0x2 rejected");
	in = rows[0].in;
	in.kind = 0;
	tap_eq(seawall_exc_entry(&in, &o), -EINVAL, "unknown kind rejected");
	in = rows[0].in;
	in.flags = 0x100;
	tap_eq(seawall_exc_entry(&in, &o), -EINVAL, "unknown flags rejected");

	tap_eq(seawall_pstate_guest_el(0x0), 0, "EL0t is guest EL0");
	tap_eq(seawall_pstate_guest_el(0x3c5), 1, "EL1h is guest EL1");
	tap_eq(seawall_pstate_guest_el(0x4), 1, "EL1t is guest EL1");
	tap_eq(seawall_pstate_guest_el(0x10), 0, "AArch32 usr is guest EL0");
	tap_eq(seawall_pstate_guest_el(0x13), 1, "AArch32 svc is guest EL1");
	tap_eq(seawall_pstate_guest_el(0x9), 2, "EL2h is EL2");
	tap_eq(seawall_pstate_guest_el(0x2), -EINVAL, "reserved mode rejected");

	/* The vCPU calls: a bad fd is EBADF; elsewhere than arm64 the seam says no. */
	tap_eq(seawall_vcpu_inject_dabt(-1), -EBADF, "inject_dabt(-1) is -EBADF");
	fd = open("/dev/null", O_RDONLY);
#if defined(__aarch64__)
	tap_eq(seawall_vcpu_inject_dabt(fd), -ENOTTY, "inject_dabt on a non-vCPU fd: -ENOTTY");
#else
	tap_eq(seawall_vcpu_inject_dabt(fd), -EOPNOTSUPP, "inject_dabt off arm64: -EOPNOTSUPP");
	tap_eq(seawall_vcpu_inject_abort(fd, SEAWALL_ABORT_INSN, 0, 0, &o), -EOPNOTSUPP,
	       "inject_abort off arm64: -EOPNOTSUPP");
	{
		uint64_t ps;

		tap_eq(seawall_vcpu_get_pstate(fd, &ps), -EOPNOTSUPP, "get_pstate off arm64: -EOPNOTSUPP");
	}
#endif
	tap_eq(seawall_vcpu_inject_abort(fd, 7, 0, 0, &o), -EINVAL, "inject_abort bad kind: -EINVAL");
	tap_eq(seawall_kvm_check_cap(fd, SEAWALL_KVM_CAP_ARM_SEA_TO_USER), -ENOTTY,
	       "check_cap on a non-KVM fd: -ENOTTY");
	tap_eq(seawall_kvm_probe(-1), -EBADF, "probe(-1): -EBADF");
	close(fd);
	return tap_done();
}
