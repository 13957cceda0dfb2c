// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * The KVM_EXIT_ARM_SEA decoder, end to end: a kvm_run built from the input
 * goes through seawall_kvm_run_get_sea(), seawall_sea_decode() and
 * seawall_sea_render(), then the same exit through a context.
 *
 * Input: u8 mode | u64 flags | u64 esr | u64 gva | u64 gpa | u64 pstate |
 *        u8 render length (short inputs are padded with zeros).
 * mode bit 0: the VM has FEAT_RAS; bit 1: the exit is an MMIO exit instead.
 *
 * Properties: a decode either fails with a reason or yields fields that
 * are each a function of the ESR bits the kernel passes on; rendering
 * never writes past the buffer and a short buffer gets a prefix of the
 * whole line; the context reports a malformed exit as unattributed and a
 * restart, and a well-formed one on a known page once as new, then as a
 * repeat.
 */
#include <errno.h>
#include <linux/kvm.h>

#include <seawall.h>

#include "fuzz.h"

#define RAM		0x40000000ULL
#define RAM_SIZE	(64ULL << 20)

static void check_decoded(const struct seawall_kvm_arm_sea *raw, unsigned int dflags,
			  const struct seawall_sea *s)
{
	uint64_t esr = raw->esr;
	unsigned int ec = (unsigned int)(esr >> 26) & 0x3f;
	unsigned int fsc = (unsigned int)esr & 0x3f;
	unsigned int set = (unsigned int)(esr >> 11) & 3;

	fuzz_check(!(esr & ~SEAWALL_SEA_ESR_MASK_SET), "esr 0x%llx", (unsigned long long)esr);
	fuzz_check(s->esr == esr && s->ec == ec && s->fsc == fsc, "fields");
	fuzz_check(s->kind == ((ec & ~1u) == SEAWALL_EC_IABT_LOW ? SEAWALL_SEA_INSN :
			       SEAWALL_SEA_DATA), "kind %u ec 0x%x", s->kind, ec);
	fuzz_check(ec == SEAWALL_EC_IABT_LOW || ec == SEAWALL_EC_IABT_CUR ||
		   ec == SEAWALL_EC_DABT_LOW || ec == SEAWALL_EC_DABT_CUR, "ec 0x%x", ec);
	fuzz_check(s->lower_el == !(ec & 1), "lower_el");
	fuzz_check(s->il == !!(esr & (1ULL << 25)) && s->fnv == !!(esr & (1ULL << 10)) &&
		   s->ea == !!(esr & (1ULL << 9)) && s->cm == !!(esr & (1ULL << 8)) &&
		   s->wnr == !!(esr & (1ULL << 6)), "flag bits");
	if (s->kind == SEAWALL_SEA_INSN)
		fuzz_check(!s->wnr && !s->cm, "WnR/CM on an instruction abort");
	switch (s->fsc_class) {
	case SEAWALL_FSC_SEA:
		fuzz_check(fsc == 0x10 && s->level == SEAWALL_SEA_LEVEL_NONE, "FSC_SEA");
		break;
	case SEAWALL_FSC_ECC:
		fuzz_check(fsc == 0x18 && s->level == SEAWALL_SEA_LEVEL_NONE, "FSC_ECC");
		break;
	case SEAWALL_FSC_SEA_TTW:
		fuzz_check(fsc >= 0x13 && fsc <= 0x17 && s->level == (int)fsc - 0x14, "SEA_TTW");
		break;
	case SEAWALL_FSC_ECC_TTW:
		fuzz_check(fsc >= 0x1b && fsc <= 0x1f && s->level == (int)fsc - 0x1c, "ECC_TTW");
		break;
	default:
		fuzz_check(0, "fsc_class %u", s->fsc_class);
	}
	if (fsc != 0x10)
		fuzz_check(s->set == SEAWALL_SET_NONE && !set, "SET without FSC 0x10");
	else if (set == 0)
		fuzz_check(s->set == ((dflags & SEAWALL_SEA_DECODE_RAS) ? SEAWALL_SET_UER :
				      SEAWALL_SET_NONE), "SET 0b00");
	else
		fuzz_check(set != 1 && s->set == (set == 2 ? SEAWALL_SET_UC : SEAWALL_SET_UEO),
			   "SET 0b%u", set);
	fuzz_check(s->gpa_valid == !!(raw->flags & SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID), "gpa_valid");
	fuzz_check(s->gpa == raw->gpa && (!s->gpa_valid ? !s->gpa : !(s->gpa & 0xfff)), "gpa");
	fuzz_check(s->gva_valid == !s->fnv && s->gva == raw->gva && (s->gva_valid || !s->gva), "gva");
}

static void check_render(const struct seawall_sea *s, size_t cap)
{
	char full[512];
	int n = seawall_sea_render(s, full, sizeof(full));
	char *small;
	int m;

	fuzz_check(n > 0 && (size_t)n < sizeof(full) && strlen(full) == (size_t)n, "render %d", n);
	fuzz_check(seawall_sea_render(s, NULL, 0) == n, "render length query");
	small = malloc(cap ? cap : 1);
	m = seawall_sea_render(s, cap ? small : NULL, cap);
	fuzz_check(m == n, "render into %zu bytes: %d, want %d", cap, m, n);
	if (cap)
		fuzz_check(strlen(small) == (cap - 1 < (size_t)n ? cap - 1 : (size_t)n) &&
			   !memcmp(small, full, strlen(small)), "truncated render is a prefix");
	free(small);
}

static void check_ctx(const struct seawall_kvm_arm_sea *raw, unsigned int mode,
		      uint64_t pstate, int decoded, const struct seawall_sea *s)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct seawall_vcpu_state vs = { .pstate = pstate, .valid = 1 };
	struct seawall_outcome a, b;
	struct seawall_ctx *ctx;
	int ra, rb, el = seawall_pstate_guest_el(pstate);
	bool known;

	o.vm_fd = -1;
	o.strategy = SEAWALL_ISOLATE_NONE;
	o.has_ras = mode & 1;
	ctx = seawall_ctx_new(&o);
	fuzz_check(ctx, "context: %s", strerror(errno));
	ro.gpa = RAM;
	ro.size = RAM_SIZE;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	fuzz_check(seawall_region_add(ctx, &ro) == 0, "region");

	ra = seawall_ctx_handle_sea(ctx, raw, &vs, &a);
	rb = seawall_ctx_handle_sea(ctx, raw, &vs, &b);
	fuzz_check(a.guest_el == (el < 0 ? -1 : el), "guest_el %d from pstate 0x%llx",
		   a.guest_el, (unsigned long long)pstate);
	known = decoded && s->gpa_valid && s->gpa - RAM < RAM_SIZE && s->gpa >= RAM;
	if (!decoded) {
		fuzz_check(ra == -EINVAL && rb == -EINVAL, "malformed exit: %d", ra);
		fuzz_check((a.actions & (SEAWALL_ACT_UNATTRIBUTED | SEAWALL_ACT_RESTART)) ==
			   (SEAWALL_ACT_UNATTRIBUTED | SEAWALL_ACT_RESTART) && a.reason,
			   "malformed exit reported as unattributed, restart");
	} else if (!known) {
		fuzz_check(ra == (int)a.actions && (a.actions & SEAWALL_ACT_UNATTRIBUTED) &&
			   a.restart_reason == SEAWALL_RESTART_UNATTRIBUTABLE, "unattributed");
		fuzz_check(seawall_ledger_count(ctx) == 0, "nothing recorded");
	} else {
		fuzz_check(ra == (int)a.actions && rb == (int)b.actions, "return is the actions");
		fuzz_check((a.actions & SEAWALL_ACT_NEW_PAGE) && !(b.actions & SEAWALL_ACT_NEW_PAGE),
			   "new, then repeat");
		fuzz_check(a.hits == 1 && b.hits == 2 && a.page_gpa == s->gpa &&
			   a.page_size == 4096, "hits %u %u", a.hits, b.hits);
		fuzz_check(a.actions & (s->kind == SEAWALL_SEA_INSN ? SEAWALL_ACT_INJECT_IABT :
					SEAWALL_ACT_INJECT_DABT), "inject matches the kind");
		if (s->set == SEAWALL_SET_UC)
			fuzz_check(a.restart_reason == SEAWALL_RESTART_UNCONTAINABLE, "UC restarts");
		else if (el == 1)
			fuzz_check(a.restart_reason == SEAWALL_RESTART_GUEST_KERNEL, "EL1 restarts");
		fuzz_check(seawall_ledger_count(ctx) == 1, "one page");
	}
	seawall_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	union {
		struct kvm_run run;
		uint8_t bytes[sizeof(struct kvm_run)];
	} u;
	struct seawall_kvm_arm_sea raw, got;
	struct seawall_sea s;
	const char *reason = (const char *)1;
	unsigned int mode, dflags;
	uint64_t pstate, gpa;
	size_t cap;
	int r;

	mode = (unsigned int)fuzz_take(&in, 1);
	raw.flags = fuzz_take(&in, 8);
	raw.esr = fuzz_take(&in, 8);
	raw.gva = fuzz_take(&in, 8);
	raw.gpa = fuzz_take(&in, 8);
	pstate = fuzz_take(&in, 8);
	cap = (size_t)fuzz_take(&in, 1);
	dflags = (mode & 1) ? SEAWALL_SEA_DECODE_RAS : 0;

	memset(&u, 0, sizeof(u));
	u.run.exit_reason = (mode & 2) ? SEAWALL_KVM_EXIT_MMIO : SEAWALL_KVM_EXIT_ARM_SEA;
	memcpy(&u.run.mmio, &raw, sizeof(raw));
	r = seawall_kvm_run_get_sea(&u.run, &got);
	if (mode & 2) {
		fuzz_check(r == -ENOMSG, "an MMIO exit is not an SEA: %d", r);
		fuzz_check(seawall_kvm_run_get_fault_gpa(&u.run, &gpa) == 0 &&
			   gpa == u.run.mmio.phys_addr, "MMIO fault gpa");
		return 0;
	}
	fuzz_check(r == 0 && !memcmp(&got, &raw, sizeof(raw)), "get_sea copies arm_sea");
	fuzz_check(seawall_kvm_run_get_fault_gpa(&u.run, &gpa) == -ENOMSG, "no fault gpa");

	r = seawall_sea_decode(&got, dflags, &s, &reason);
	fuzz_check(r == 0 || r == -EINVAL, "decode: %d", r);
	if (r == 0) {
		fuzz_check(reason == NULL, "no reason on success");
		check_decoded(&raw, dflags, &s);
		check_render(&s, cap);
	} else {
		fuzz_check(reason && *reason, "a failed decode says why");
	}
	check_ctx(&raw, mode, pstate, r == 0, &s);
	return 0;
}
