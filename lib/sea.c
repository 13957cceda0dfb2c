// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * Pure arm64 syndrome work, usable on any host: decode the ESR of a
 * KVM_EXIT_ARM_SEA, tell the guest EL from PSTATE, and compute the
 * register state of an exception entry to EL1 (Arm ARM, "Exception entry",
 * the same rules KVM follows when it delivers an exception itself).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define ESR_EC_SHIFT	26
#define ESR_IL		(1ull << 25)
#define ESR_SET_SHIFT	11
#define ESR_SET_MASK	(3ull << ESR_SET_SHIFT)
#define ESR_FNV		(1ull << 10)
#define ESR_EA		(1ull << 9)
#define ESR_CM		(1ull << 8)
#define ESR_WNR		(1ull << 6)
#define ESR_FSC_MASK	0x3full
#define FSC_EXTABT	0x10

static int fail(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -EINVAL;
}

int seawall_sea_decode(const struct seawall_kvm_arm_sea *raw, unsigned int flags,
		       struct seawall_sea *sea, const char **reason)
{
	uint64_t esr;
	unsigned int ec, fsc, set;

	if (reason)
		*reason = NULL;
	if (!raw || !sea)
		return fail(reason, "missing argument");
	if (flags & ~SEAWALL_SEA_DECODE_RAS)
		return fail(reason, "unknown decode flags");
	memset(sea, 0, sizeof(*sea));
	esr = raw->esr;
	if (raw->flags & ~SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID)
		return fail(reason, "unknown bits in arm_sea.flags");
	if (esr & ~SEAWALL_SEA_ESR_MASK_SET)
		return fail(reason, "ESR has bits the kernel never passes on");

	ec = (unsigned int)(esr >> ESR_EC_SHIFT) & 0x3f;
	switch (ec) {
	case SEAWALL_EC_IABT_LOW:
	case SEAWALL_EC_IABT_CUR:
		sea->kind = SEAWALL_SEA_INSN;
		break;
	case SEAWALL_EC_DABT_LOW:
	case SEAWALL_EC_DABT_CUR:
		sea->kind = SEAWALL_SEA_DATA;
		break;
	default:
		return fail(reason, "EC is not an instruction or data abort");
	}
	sea->ec = (uint8_t)ec;
	sea->lower_el = !(ec & 1);

	fsc = (unsigned int)(esr & ESR_FSC_MASK);
	sea->fsc = (uint8_t)fsc;
	sea->level = SEAWALL_SEA_LEVEL_NONE;
	if (fsc == FSC_EXTABT) {
		sea->fsc_class = SEAWALL_FSC_SEA;
	} else if (fsc >= 0x13 && fsc <= 0x17) {
		sea->fsc_class = SEAWALL_FSC_SEA_TTW;
		sea->level = (int8_t)((int)fsc - 0x14);
	} else if (fsc == 0x18) {
		sea->fsc_class = SEAWALL_FSC_ECC;
	} else if (fsc >= 0x1b && fsc <= 0x1f) {
		sea->fsc_class = SEAWALL_FSC_ECC_TTW;
		sea->level = (int8_t)((int)fsc - 0x1c);
	} else {
		return fail(reason, "FSC is not a synchronous external abort");
	}

	set = (unsigned int)((esr & ESR_SET_MASK) >> ESR_SET_SHIFT);
	if (set && fsc != FSC_EXTABT)
		return fail(reason, "SET given for an FSC other than 0x10");
	switch (set) {
	case 0:
		sea->set = (fsc == FSC_EXTABT && (flags & SEAWALL_SEA_DECODE_RAS)) ?
			   SEAWALL_SET_UER : SEAWALL_SET_NONE;
		break;
	case 1:
		return fail(reason, "reserved SET value 0b01");
	case 2:
		sea->set = SEAWALL_SET_UC;
		break;
	default:
		sea->set = SEAWALL_SET_UEO;
		break;
	}

	sea->il = !!(esr & ESR_IL);
	sea->fnv = !!(esr & ESR_FNV);
	sea->ea = !!(esr & ESR_EA);
	sea->cm = !!(esr & ESR_CM);
	sea->wnr = !!(esr & ESR_WNR);
	if (sea->kind == SEAWALL_SEA_INSN && (sea->cm || sea->wnr))
		return fail(reason, "WnR or CM set on an instruction abort");

	if (sea->fnv && raw->gva)
		return fail(reason, "gva given although FnV says FAR is not valid");
	if (raw->flags & SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID) {
		if (raw->gpa & 0xfff)
			return fail(reason, "gpa flagged valid but not page aligned");
		sea->gpa_valid = 1;
	} else if (raw->gpa) {
		return fail(reason, "gpa given without GPA_VALID");
	}
	sea->esr = esr;
	sea->gva = raw->gva;
	sea->gpa = raw->gpa;
	sea->gva_valid = !sea->fnv;
	return 0;
}

static const char *fsc_text(unsigned int cls)
{
	switch (cls) {
	case SEAWALL_FSC_SEA:
		return "synchronous external abort";
	case SEAWALL_FSC_SEA_TTW:
		return "synchronous external abort on table walk";
	case SEAWALL_FSC_ECC:
		return "synchronous parity/ECC error";
	case SEAWALL_FSC_ECC_TTW:
		return "synchronous parity/ECC error on table walk";
	default:
		return "?";
	}
}

static const char *set_text(unsigned int set)
{
	static const char *const names[] = { "-", "UER", "UC", "UEO" };

	return set < SW_ARRAY_SIZE(names) ? names[set] : "?";
}

int seawall_sea_render(const struct seawall_sea *sea, char *buf, size_t len)
{
	static const char *const ecn[] = { "IABT_LOW", "IABT_CUR", "?", "?",
					   "DABT_LOW", "DABT_CUR" };
	char lvl[16] = "";
	char gva[32] = "unknown";
	char gpa[32] = "unknown";
	int n;

	if (!sea || (!buf && len))
		return -EINVAL;
	if (sea->ec < SEAWALL_EC_IABT_LOW || sea->ec > SEAWALL_EC_DABT_CUR)
		return -EINVAL;
	if (sea->level != SEAWALL_SEA_LEVEL_NONE)
		snprintf(lvl, sizeof(lvl), " level %d", sea->level);
	if (sea->gva_valid)
		snprintf(gva, sizeof(gva), "0x%" PRIx64, sea->gva);
	if (sea->gpa_valid)
		snprintf(gpa, sizeof(gpa), "0x%" PRIx64, sea->gpa);
	n = snprintf(buf, len,
		     "%s abort from %s EL (EC 0x%02x %s), FSC 0x%02x %s%s, "
		     "IL=%u FnV=%u EA=%u CM=%u WnR=%u SET=%s, gva %s, gpa %s, esr 0x%08" PRIx64,
		     sea->kind == SEAWALL_SEA_INSN ? "instruction" : "data",
		     sea->lower_el ? "lower" : "current",
		     sea->ec, ecn[sea->ec - SEAWALL_EC_IABT_LOW],
		     sea->fsc, fsc_text(sea->fsc_class), lvl,
		     sea->il, sea->fnv, sea->ea, sea->cm, sea->wnr, set_text(sea->set),
		     gva, gpa, sea->esr);
	return n < 0 ? -EIO : n;
}

int seawall_pstate_guest_el(uint64_t pstate)
{
	unsigned int m = (unsigned int)(pstate & SEAWALL_PSR_MODE_MASK);

	if (pstate & SEAWALL_PSR_MODE32) {
		switch (m) {
		case 0x10:	/* usr */
			return 0;
		case 0x11: case 0x12: case 0x13: case 0x17: case 0x1b: case 0x1f:
			return 1;
		case 0x1a:	/* hyp */
			return 2;
		default:
			return -EINVAL;
		}
	}
	switch (m) {
	case SEAWALL_PSR_MODE_EL0t:
		return 0;
	case SEAWALL_PSR_MODE_EL1t:
	case SEAWALL_PSR_MODE_EL1h:
		return 1;
	case SEAWALL_PSR_MODE_EL2t:
	case SEAWALL_PSR_MODE_EL2h:
		return 2;
	default:
		return -EINVAL;
	}
}

#define AA32_DIT	(1ull << 21)

int seawall_exc_entry(const struct seawall_exc_in *in, struct seawall_exc_out *out)
{
	uint64_t old, m, new = 0, ec;
	bool lower;

	if (!in || !out)
		return -EINVAL;
	if (in->kind != SEAWALL_ABORT_DATA && in->kind != SEAWALL_ABORT_INSN)
		return -EINVAL;
	if (in->flags & ~(SEAWALL_EXC_MTE | SEAWALL_EXC_FNV))
		return -EINVAL;
	old = in->pstate;
	m = old & SEAWALL_PSR_MODE_MASK;
	memset(out, 0, sizeof(*out));

	if (old & SEAWALL_PSR_MODE32) {
		/* Only AArch32 EL0 under an AArch64 EL1 is supported. */
		if (m != 0x10)
			return seawall_pstate_guest_el(old) < 0 ? -EINVAL : -EOPNOTSUPP;
		out->vector = 0x600;
		lower = true;
	} else if (m == SEAWALL_PSR_MODE_EL0t) {
		out->vector = 0x400;
		lower = true;
	} else if (m == SEAWALL_PSR_MODE_EL1t) {
		out->vector = 0x000;
		lower = false;
	} else if (m == SEAWALL_PSR_MODE_EL1h) {
		out->vector = 0x200;
		lower = false;
	} else if (m == SEAWALL_PSR_MODE_EL2t || m == SEAWALL_PSR_MODE_EL2h) {
		return -EOPNOTSUPP;	/* nested virtualization: not handled */
	} else {
		return -EINVAL;
	}

	ec = in->kind == SEAWALL_ABORT_INSN ? SEAWALL_EC_IABT_LOW : SEAWALL_EC_DABT_LOW;
	if (!lower)
		ec |= 1;
	out->esr = (ec << ESR_EC_SHIFT) | ESR_IL | FSC_EXTABT;
	if (in->flags & SEAWALL_EXC_FNV)
		out->esr |= ESR_FNV;
	else
		out->far = in->far;
	out->elr = in->pc;
	out->spsr = old;
	out->pc = in->vbar + out->vector;

	/* Kept: NZCV and DIT (bit 21 in an AArch32 SPSR, 24 in AArch64). */
	new |= old & SEAWALL_PSR_NZCV;
	if (old & SEAWALL_PSR_MODE32) {
		if (old & AA32_DIT)
			new |= SEAWALL_PSR_DIT;
	} else {
		new |= old & SEAWALL_PSR_DIT;
	}
	/* PAN: kept, and set when SCTLR_EL1.SPAN is 0. */
	new |= old & SEAWALL_PSR_PAN;
	if (!(in->sctlr & SEAWALL_SCTLR_SPAN))
		new |= SEAWALL_PSR_PAN;
	/* SSBS takes SCTLR_EL1.DSSBS; TCO is set with MTE. */
	if (in->sctlr & SEAWALL_SCTLR_DSSBS)
		new |= SEAWALL_PSR_SSBS;
	if (in->flags & SEAWALL_EXC_MTE)
		new |= SEAWALL_PSR_TCO;
	/* UAO, SS, IL, BTYPE are cleared; all of DAIF masked; EL1h. */
	new |= SEAWALL_PSR_D | SEAWALL_PSR_A | SEAWALL_PSR_I | SEAWALL_PSR_F;
	new |= SEAWALL_PSR_MODE_EL1h;
	out->pstate = new;
	return 0;
}
