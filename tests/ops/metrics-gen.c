// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * metrics-gen: one metrics file per VM, as swvm --metrics-dir writes them,
 * from library contexts on anonymous memory: DIR/seawall-NAME.prom for
 * each NAME given, each VM with its own errors (VM i: i + 1 bad pages, a
 * repeat, a reset, one page bad again), written with
 * seawall_metrics_write() (temporary file, rename).  For
 * tests/ops/metrics-check.
 *
 *   usage: metrics-gen DIR NAME[=UUID]...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <seawall.h>

#define RAM	0x40000000ull
#define MEM	(1u << 20)

static int one_vm(const char *dir, char *arg, int i)
{
	SEAWALL_OPTS(seawall_ctx_opts, o);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct seawall_ctx *ctx;
	char path[4096], *uuid = strchr(arg, '=');
	void *mem;
	int r;

	if (uuid)
		*uuid++ = 0;
	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("metrics-gen: mmap");
		return 1;
	}
	o.vm_name = arg;
	o.vm_uuid = uuid;
	o.kvm_caps = SEAWALL_KVM_CAPS_KNOWN | (i % 2 ? 0 : SEAWALL_KVM_HAS_SEA_TO_USER);
	ctx = seawall_ctx_new(&o);
	if (!ctx) {
		fprintf(stderr, "metrics-gen: %s: seawall_ctx_new: %s\n", arg, strerror(errno));
		return 1;
	}
	ro.gpa = RAM;
	ro.size = MEM;
	ro.hva = mem;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	r = seawall_region_add(ctx, &ro);
	for (int k = 0; r >= 0 && k <= i; k++)
		seawall_ctx_handle_test(ctx, RAM + 0x1000 * (uint64_t)(k + 1), NULL);
	seawall_ctx_handle_test(ctx, RAM + 0x1000, NULL);
	seawall_ctx_reset(ctx);
	seawall_ctx_handle_test(ctx, RAM + 0x1000, NULL);
	snprintf(path, sizeof(path), "%s/seawall-%s.prom", dir, arg);
	if (r >= 0)
		r = seawall_metrics_write(ctx, path);
	if (r < 0)
		fprintf(stderr, "metrics-gen: %s: %s\n", path, strerror(-r));
	seawall_ctx_free(ctx);
	munmap(mem, MEM);
	return r < 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: metrics-gen DIR NAME[=UUID]...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		bad |= one_vm(argv[1], argv[i], i - 2);
	return bad;
}
