// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * kit-metrics: a metrics file from a real library run, for tests/ops/kit-check
 * to hold the operator's kit (alert rules, dashboard) against.  One context
 * over anonymous memory, two test errors on two pages and a repeat, then
 * seawall_metrics_write() to argv[1].  Every series the library can emit
 * shows up, most with a non-zero value.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <seawall.h>

#define MEM	(1u << 20)

int main(int argc, char **argv)
{
	struct seawall_outcome out;
	struct seawall_ctx *ctx;
	void *mem;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: kit-metrics FILE.prom\n");
		return 2;
	}
	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("kit-metrics: mmap");
		return 1;
	}

	SEAWALL_OPTS(seawall_ctx_opts, o);
	ctx = seawall_ctx_new(&o);
	if (!ctx) {
		fprintf(stderr, "kit-metrics: seawall_ctx_new: %s\n", strerror(errno));
		return 1;
	}

	SEAWALL_OPTS(seawall_region_opts, ro);
	ro.gpa = 0x40000000;
	ro.size = MEM;
	ro.hva = mem;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	r = seawall_region_add(ctx, &ro);
	if (r < 0) {
		fprintf(stderr, "kit-metrics: seawall_region_add: %s\n", strerror(-r));
		return 1;
	}

	/* Two bad pages, one of them hit twice. */
	if ((r = seawall_ctx_handle_test(ctx, 0x40001000, &out)) < 0 ||
	    (r = seawall_ctx_handle_test(ctx, 0x40003008, &out)) < 0 ||
	    (r = seawall_ctx_handle_test(ctx, 0x40001010, &out)) < 0) {
		fprintf(stderr, "kit-metrics: seawall_ctx_handle_test: %s\n", strerror(-r));
		return 1;
	}
	r = seawall_metrics_write(ctx, argv[1]);
	if (r < 0) {
		fprintf(stderr, "kit-metrics: seawall_metrics_write %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	seawall_ctx_free(ctx);
	munmap(mem, MEM);
	return 0;
}
