// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * A program as a user of the installed packages writes it: only the public
 * headers, built with `pkg-config --cflags --libs libseawall`.  It decodes
 * the SEA of a guest data abort (no KVM needed) and prints what it got;
 * check-pkg.sh compares the output.
 */
#include <stdio.h>
#include <string.h>
#include <seawall.h>
#include <seawall/kvm.h>

int main(void)
{
	struct seawall_kvm_arm_sea raw = {
		.flags = SEAWALL_KVM_ARM_SEA_FLAG_GPA_VALID,
		.esr = 0x92000010,	/* data abort from EL0/1, external abort */
		.gva = 0x400000,
		.gpa = 0x8001000,
	};
	struct seawall_sea sea;
	const char *reason = NULL;
	char line[256];
	int r;

	r = seawall_sea_decode(&raw, 0, &sea, &reason);
	if (r) {
		fprintf(stderr, "seawall_sea_decode: %s (%s)\n", strerror(-r),
			reason ? reason : "no reason");
		return 1;
	}
	if (seawall_sea_render(&sea, line, sizeof(line)) < 0) {
		fprintf(stderr, "seawall_sea_render failed\n");
		return 1;
	}
	printf("libseawall %d.%d: ec 0x%x gpa 0x%llx source %s\n",
	       SEAWALL_VERSION_MAJOR, SEAWALL_VERSION_MINOR, sea.ec,
	       (unsigned long long)sea.gpa, seawall_source_name(SEAWALL_SRC_SEA));
	printf("%s\n", line);
	return 0;
}
