// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * seawall_sea_decode() against ESR values computed by hand from the Arm
 * ARM field layout: EC[31:26] IL[25] SET[12:11] FnV[10] EA[9] CM[8]
 * WnR[6] FSC[5:0].  One table row per case; every FSC class and level,
 * every abort EC, FnV and SET combinations, and the malformed inputs.
 */
#include <errno.h>
#include <string.h>

#include <seawall/kvm.h>
#include "tap.h"

#define GV SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID
#define NL SEAWALL_SEA_LEVEL_NONE

struct good {
	const char *name;
	uint64_t flags, esr, gva, gpa;
	unsigned int dflags;
	int kind, ec, lower, cls, level, fnv, wnr, cm, ea, set, gpa_valid;
};

static const struct good goods[] = {
	/* name                      flags esr          gva        gpa       dflags kind  ec  low cls lvl fnv wnr cm ea set gv */
	{ "DABT_LOW EA read",        GV, 0x92000010, 0x400000, 0x8001000, 0, 1, 0x24, 1, 1, NL, 0, 0, 0, 0, 0, 1 },
	{ "DABT_LOW EA write",       GV, 0x92000050, 0x400008, 0x8001000, 0, 1, 0x24, 1, 1, NL, 0, 1, 0, 0, 0, 1 },
	{ "DABT_CUR EA",             GV, 0x96000010, 0xffff0000, 0x40000000, 0, 1, 0x25, 0, 1, NL, 0, 0, 0, 0, 0, 1 },
	{ "IABT_LOW EA",             GV, 0x82000010, 0x1000, 0x9000, 0, 2, 0x20, 1, 1, NL, 0, 0, 0, 0, 0, 1 },
	{ "IABT_CUR EA",             GV, 0x86000010, 0x2000, 0xa000, 0, 2, 0x21, 0, 1, NL, 0, 0, 0, 0, 0, 1 },
	{ "TTW level -1",            0, 0x92000013, 0x1234, 0, 0, 1, 0x24, 1, 2, -1, 0, 0, 0, 0, 0, 0 },
	{ "TTW level 0",             0, 0x92000014, 0x1234, 0, 0, 1, 0x24, 1, 2, 0, 0, 0, 0, 0, 0, 0 },
	{ "TTW level 1",             0, 0x92000015, 0x1234, 0, 0, 1, 0x24, 1, 2, 1, 0, 0, 0, 0, 0, 0 },
	{ "TTW level 2",             0, 0x92000016, 0x1234, 0, 0, 1, 0x24, 1, 2, 2, 0, 0, 0, 0, 0, 0 },
	{ "TTW level 3",             0, 0x92000017, 0x1234, 0, 0, 1, 0x24, 1, 2, 3, 0, 0, 0, 0, 0, 0 },
	{ "IABT TTW level 3",        0, 0x82000017, 0x1234, 0, 0, 2, 0x20, 1, 2, 3, 0, 0, 0, 0, 0, 0 },
	{ "ECC plain",               GV, 0x92000018, 0x10, 0x1000, 0, 1, 0x24, 1, 3, NL, 0, 0, 0, 0, 0, 1 },
	{ "ECC TTW level -1",        0, 0x9200001b, 0, 0, 0, 1, 0x24, 1, 4, -1, 0, 0, 0, 0, 0, 0 },
	{ "ECC TTW level 0",         0, 0x9200001c, 0, 0, 0, 1, 0x24, 1, 4, 0, 0, 0, 0, 0, 0, 0 },
	{ "ECC TTW level 3",         0, 0x9200001f, 0, 0, 0, 1, 0x24, 1, 4, 3, 0, 0, 0, 0, 0, 0 },
	{ "FnV, no gva, no gpa",     0, 0x92000410, 0, 0, 0, 1, 0x24, 1, 1, NL, 1, 0, 0, 0, 0, 0 },
	{ "FnV IABT",                0, 0x82000410, 0, 0, 0, 2, 0x20, 1, 1, NL, 1, 0, 0, 0, 0, 0 },
	{ "EA bit and CM",           GV, 0x92000310, 0x10, 0x2000, 0, 1, 0x24, 1, 1, NL, 0, 0, 1, 1, 0, 1 },
	{ "SET=00 without RAS",      GV, 0x92000010, 0x10, 0x2000, 0, 1, 0x24, 1, 1, NL, 0, 0, 0, 0, SEAWALL_SET_NONE, 1 },
	{ "SET=00 with RAS: UER",    GV, 0x92000010, 0x10, 0x2000, SEAWALL_SEA_DECODE_RAS, 1, 0x24, 1, 1, NL, 0, 0, 0, 0, SEAWALL_SET_UER, 1 },
	{ "SET=10: UC",              GV, 0x92001010, 0x10, 0x2000, SEAWALL_SEA_DECODE_RAS, 1, 0x24, 1, 1, NL, 0, 0, 0, 0, SEAWALL_SET_UC, 1 },
	{ "SET=11: UEO",             GV, 0x92001810, 0x10, 0x2000, 0, 1, 0x24, 1, 1, NL, 0, 0, 0, 0, SEAWALL_SET_UEO, 1 },
	{ "SET=11 + FnV",            0, 0x92001c10, 0, 0, 0, 1, 0x24, 1, 1, NL, 1, 0, 0, 0, SEAWALL_SET_UEO, 0 },
	{ "TTW with RAS: no SET",    0, 0x92000015, 0, 0, SEAWALL_SEA_DECODE_RAS, 1, 0x24, 1, 2, 1, 0, 0, 0, 0, SEAWALL_SET_NONE, 0 },
	{ "IL=0 (T32 EL0 data)",     GV, 0x90000010, 0x10, 0x2000, 0, 1, 0x24, 1, 1, NL, 0, 0, 0, 0, 0, 1 },
	{ "gva 0 is an address",     GV, 0x92000010, 0, 0x3000, 0, 1, 0x24, 1, 1, NL, 0, 0, 0, 0, 0, 1 },
};

struct bad {
	const char *name;
	uint64_t flags, esr, gva, gpa;
	const char *reason_part;
};

static const struct bad bads[] = {
	{ "unknown flags bit 1", 2, 0x92000010, 0, 0, "flags" },
	{ "unknown flags bit 63", GV | (1ull << 63), 0x92000010, 0, 0x1000, "flags" },
	{ "hidden ISV bit", 0, 0x93000010, 0, 0, "bits" },
	{ "hidden S1PTW bit", 0, 0x92000090, 0, 0, "bits" },
	{ "ESR above bit 31", 0, 0x192000010ull, 0, 0, "bits" },
	{ "EC 0x15 (SVC)", 0, 0x56000000, 0, 0, "EC" },
	{ "EC 0x00", 0, 0x02000010, 0, 0, "EC" },
	{ "EC 0x22 (PC align)", 0, 0x8a000010, 0, 0, "EC" },
	{ "FSC 0x04 translation", 0, 0x92000004, 0, 0, "FSC" },
	{ "FSC 0x11 (tag check)", 0, 0x92000011, 0, 0, "FSC" },
	{ "FSC 0x12 (level -2)", 0, 0x92000012, 0, 0, "FSC" },
	{ "FSC 0x19", 0, 0x92000019, 0, 0, "FSC" },
	{ "FSC 0x1a", 0, 0x9200001a, 0, 0, "FSC" },
	{ "SET reserved 0b01", 0, 0x92000810, 0, 0, "SET" },
	{ "SET on a TTW FSC", 0, 0x92001815, 0, 0, "SET" },
	{ "WnR on IABT", 0, 0x82000050, 0, 0, "instruction" },
	{ "CM on IABT", 0, 0x82000110, 0, 0, "instruction" },
	{ "FnV with gva", 0, 0x92000410, 0x1000, 0, "FnV" },
	{ "gpa valid but unaligned", GV, 0x92000010, 0x10, 0x1008, "aligned" },
	{ "gpa without GPA_VALID", 0, 0x92000010, 0x10, 0x1000, "GPA_VALID" },
};

int main(void)
{
	struct seawall_sea s;
	const char *reason;
	char buf[512];

	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct seawall_kvm_arm_sea raw = { g->flags, g->esr, g->gva, g->gpa };
		int r = seawall_sea_decode(&raw, g->dflags, &s, &reason);
		int same = r == 0 && s.kind == g->kind && s.ec == g->ec && s.lower_el == g->lower &&
			   s.fsc_class == g->cls && s.level == g->level && s.fnv == g->fnv &&
			   s.wnr == g->wnr && s.cm == g->cm && s.ea == g->ea && s.set == g->set &&
			   s.gpa_valid == g->gpa_valid && s.gva_valid == !g->fnv &&
			   s.esr == g->esr && s.fsc == (g->esr & 0x3f) && s.il == !!(g->esr & (1u << 25));

		if (!tap_ok(same, "decode %s (esr 0x%08llx)", g->name, (unsigned long long)g->esr))
			printf("#   r=%d reason=%s kind=%u ec=%#x cls=%u level=%d fnv=%u set=%u\n",
			       r, reason ? reason : "-", s.kind, s.ec, s.fsc_class, s.level, s.fnv, s.set);
	}
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		struct seawall_kvm_arm_sea raw = { b->flags, b->esr, b->gva, b->gpa };
		int r = seawall_sea_decode(&raw, 0, &s, &reason);

		if (!tap_ok(r == -EINVAL && reason && strstr(reason, b->reason_part),
			    "reject %s", b->name))
			printf("#   r=%d reason=%s\n", r, reason ? reason : "(null)");
	}
	{
		struct seawall_kvm_arm_sea raw = { GV, 0x92000010, 0, 0x1000 };

		tap_eq(seawall_sea_decode(NULL, 0, &s, &reason), -EINVAL, "NULL raw rejected");
		tap_eq(seawall_sea_decode(&raw, 0x80, &s, &reason), -EINVAL, "unknown decode flag rejected");
	}

	/* Rendering: what an operator reads. */
	{
		/* DABT_LOW, IL, WnR, FSC 0x10, on a VM with RAS. */
		struct seawall_kvm_arm_sea raw = { GV, 0x92000050, 0x7f001234, 0x80005000 };
		int n;

		seawall_sea_decode(&raw, SEAWALL_SEA_DECODE_RAS, &s, &reason);
		n = seawall_sea_render(&s, buf, sizeof(buf));
		tap_ok(n > 0 && (size_t)n == strlen(buf), "render returns its length (%d)", n);
		tap_ok(strstr(buf, "data abort") && strstr(buf, "EC 0x24 DABT_LOW") &&
		       strstr(buf, "WnR=1") && strstr(buf, "gva 0x7f001234") &&
		       strstr(buf, "gpa 0x80005000") && strstr(buf, "SET=UER"),
		       "render names kind, EC, WnR, SET, gva and gpa: %s", buf);
		raw = (struct seawall_kvm_arm_sea){ 0, 0x82000416, 0, 0 };
		seawall_sea_decode(&raw, 0, &s, &reason);
		seawall_sea_render(&s, buf, sizeof(buf));
		tap_ok(strstr(buf, "instruction abort") && strstr(buf, "table walk level 2") &&
		       strstr(buf, "FnV=1") && strstr(buf, "gva unknown") && strstr(buf, "gpa unknown"),
		       "render of a FnV table-walk IABT: %s", buf);
		n = seawall_sea_render(&s, buf, 8);
		tap_ok(n > 8 && strlen(buf) == 7, "render truncates and reports the full length");
	}
	return tap_done();
}
