// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
// Copyright (C) 2026 The Seawall authors
/*
 * Metrics for a fleet: every sample carries the VM's identity, so that one
 * node_exporter serves many VMs' files; the exposition is well formed
 * (HELP and TYPE once per family, counters end in _total); the ledger
 * gauge agrees with `seawall status` after a reset (issue 13: it read 0
 * while status said 3); counters never go down across a reset and start
 * from the journal's pages after a reload; restarts performed, build
 * info, the SEA-exit capability and the last event's time are there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

#define RAM	0x40000000ull
#define MEM	(1u << 20)

static uint64_t fake_now = 1700000000123456789ull;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static struct seawall_ctx *new_ctx(const char *name, const char *uuid, const char *journal,
				   unsigned int caps, void *mem)
{
	SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);
	SEAWALL_OPTS(seawall_region_opts, ro);
	struct seawall_ctx *ctx;

	o.vm_name = name;
	o.vm_uuid = uuid;
	o.journal_path = journal;
	o.journal_nosync = 1;
	o.kvm_caps = caps;
	ctx = seawall_ctx_new(&o);
	if (!ctx)
		return NULL;
	ro.gpa = RAM;
	ro.size = MEM;
	ro.hva = mem;
	ro.flags = SEAWALL_REGION_NO_SLOT;
	seawall_region_add(ctx, &ro);
	return ctx;
}

static char *render(struct seawall_ctx *ctx)
{
	int n = seawall_metrics_render(ctx, NULL, 0);
	char *buf = n > 0 ? malloc((size_t)n + 1) : NULL;

	if (buf)
		seawall_metrics_render(ctx, buf, (size_t)n + 1);
	return buf;
}

/* The value of the sample "name{labels}" (labels may be ""), or -1. */
static double value(const char *buf, const char *name, const char *labels)
{
	char want[512];
	const char *p;
	size_t n;

	if (*labels)
		snprintf(want, sizeof(want), "\n%s{%s} ", name, labels);
	else
		snprintf(want, sizeof(want), "\n%s ", name);
	n = strlen(want);
	p = strstr(buf, want);
	if (!p && !strncmp(buf, want + 1, n - 1))
		p = buf - 1;
	return p ? strtod(p + n, NULL) : -1;
}

/*
 * The text format's rules as a collector checks them: a family's HELP
 * and TYPE once each, before its samples; every sample in a family; the
 * identity labels on every sample; _total only on counters, and on
 * every one.  0, or a line that breaks one (printed).
 */
static int well_formed(const char *buf, const char *id)
{
	char fam[64][96], line[1024];
	int nfam = 0, bad = 0;
	bool typed = false, helped = false;
	const char *s = buf;

	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char name[96], type[16];

		if (n >= sizeof(line))
			return printf("# line too long\n"), 1;
		memcpy(line, s, n);
		line[n] = 0;
		s += n + (e ? 1 : 0);
		if (sscanf(line, "# HELP %95s", name) == 1) {
			for (int i = 0; i < nfam; i++)
				if (!strcmp(fam[i], name))
					bad = printf("# HELP twice: %s\n", name);
			if (nfam == 64)
				return 1;
			snprintf(fam[nfam++], sizeof(fam[0]), "%s", name);
			helped = true;
			typed = false;
			continue;
		}
		if (sscanf(line, "# TYPE %95s %15s", name, type) == 2) {
			size_t l = strlen(name);
			bool total = l > 6 && !strcmp(name + l - 6, "_total");

			if (!helped || !nfam || strcmp(fam[nfam - 1], name) || typed)
				bad = printf("# TYPE out of place: %s\n", line);
			if (total != !strcmp(type, "counter"))
				bad = printf("# _total and counter go together: %s\n", line);
			typed = true;
			continue;
		}
		if (line[0] == '#' || !line[0])
			continue;
		if (!typed || strncmp(line, fam[nfam - 1], strlen(fam[nfam - 1])) ||
		    (line[strlen(fam[nfam - 1])] != ' ' && line[strlen(fam[nfam - 1])] != '{'))
			bad = printf("# sample outside its family: %s\n", line);
		if (*id && !strstr(line, id))
			bad = printf("# sample without the VM's labels: %s\n", line);
	}
	return bad;
}

int main(void)
{
	char dir[] = "/tmp/seawall-mfleet-XXXXXX", path[128], *a, *b;
	struct seawall_outcome out;
	struct seawall_ctx *ca, *cb;
	uint8_t *mem;

	sw_test_clock = fake_clock;
	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || !mkdtemp(dir)) {
		tap_ok(0, "setup");
		return tap_done();
	}
	snprintf(path, sizeof(path), "%s/journal", dir);

	/* Two VMs: the same series, told apart by their labels. */
	ca = new_ctx("web-1", "6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f", NULL,
		     SEAWALL_KVM_CAPS_KNOWN | SEAWALL_KVM_HAS_SEA_TO_USER, mem);
	cb = new_ctx("db \"2\" \\x", NULL, NULL, 0, mem);
	tap_ok(ca && cb, "two contexts, two identities");
	seawall_ctx_handle_test(ca, RAM + 0x1000, &out);
	a = render(ca);
	b = render(cb);
	tap_ok(a && b, "both render");
	if (!a || !b)
		return tap_done();
	tap_ok(!well_formed(a, "vm=\"web-1\",uuid=\"6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f\""),
	       "VM a: well formed, its vm and uuid on every sample");
	tap_ok(!well_formed(b, "vm=\"db \\\"2\\\" \\\\x\""),
	       "VM b: well formed, its name escaped (\\\" and \\\\) on every sample");
	tap_ok(value(a, "seawall_events_total",
		     "vm=\"web-1\",uuid=\"6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f\",source=\"test\"") == 1 &&
	       value(b, "seawall_events_total", "vm=\"db \\\"2\\\" \\\\x\",source=\"test\"") == 0,
	       "the identity comes first, then the series' own labels");
	tap_ok(value(a, "seawall_build_info",
		     "vm=\"web-1\",uuid=\"6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f\",version=\""
		     SW_VERSION_STRING "\"") == 1,
	       "seawall_build_info{version} 1");
	tap_ok(value(a, "seawall_sea_exit_enabled",
		     "vm=\"web-1\",uuid=\"6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f\"") == 1 &&
	       !strstr(b, "seawall_sea_exit_enabled"),
	       "the SEA-exit capability when the VMM said it (1), absent when it did not");
	tap_ok(value(a, "seawall_last_event_timestamp_seconds",
		     "vm=\"web-1\",uuid=\"6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f\"") == 1700000000.123 &&
	       value(b, "seawall_last_event_timestamp_seconds", "vm=\"db \\\"2\\\" \\\\x\"") == 0,
	       "the last event's time in seconds; 0 before any");
	free(a);
	free(b);
	seawall_ctx_free(ca);
	seawall_ctx_free(cb);

	/* Without an identity: the series as in 0.1, no braces where there are no labels. */
	ca = new_ctx(NULL, NULL, NULL, 0, mem);
	a = render(ca);
	tap_ok(a && !well_formed(a, "") && strstr(a, "\nseawall_injections_total 0\n"),
	       "no identity: unlabelled samples, still well formed");
	free(a);
	seawall_ctx_free(ca);

	/* A reset: the gauge stays with the ledger (and status); counters never go down. */
	ca = new_ctx("vm-r", NULL, path, 0, mem);
	for (int i = 1; i <= 3; i++)
		seawall_ctx_handle_test(ca, RAM + (uint64_t)i * 0x1000, &out);
	seawall_ctx_reset(ca);
	a = render(ca);
	tap_ok(a && value(a, "seawall_poisoned_pages", "vm=\"vm-r\"") == seawall_ledger_count(ca) &&
	       seawall_ledger_count(ca) == 3,
	       "after a reset seawall_poisoned_pages is 3, as the ledger (seawall status) says");
	tap_ok(a && value(a, "seawall_poisoned_pages_since_reset", "vm=\"vm-r\"") == 0 &&
	       value(a, "seawall_poisoned_pages_total", "vm=\"vm-r\"") == 3 &&
	       value(a, "seawall_restarts_total", "vm=\"vm-r\"") == 1,
	       "0 since the reset, 3 found in all, 1 restart performed");
	free(a);
	seawall_ctx_handle_test(ca, RAM + 0x1000, &out);	/* fresh memory gone bad again */
	a = render(ca);
	tap_ok(a && value(a, "seawall_poisoned_pages_total", "vm=\"vm-r\"") == 4 &&
	       value(a, "seawall_poisoned_pages", "vm=\"vm-r\"") == 3 &&
	       value(a, "seawall_poisoned_pages_since_reset", "vm=\"vm-r\"") == 1,
	       "a replaced page bad again: the counter goes to 4, the ledger stays at 3");
	free(a);
	seawall_ctx_free(ca);
	ca = new_ctx("vm-r", NULL, path, 0, mem);
	a = render(ca);
	tap_ok(a && value(a, "seawall_poisoned_pages_total", "vm=\"vm-r\"") == 3 &&
	       value(a, "seawall_poisoned_pages", "vm=\"vm-r\"") == 3 &&
	       value(a, "seawall_restarts_total", "vm=\"vm-r\"") == 0,
	       "after a reload the counter starts from the journal's 3 distinct pages");
	free(a);
	seawall_ctx_free(ca);

	/* Capabilities: the validity bit, and nothing unknown. */
	{
		SEAWALL_OPTS(seawall_ctx_opts, o, .flags = SEAWALL_CTX_NO_HOST_OFFLINE);

		o.kvm_caps = SEAWALL_KVM_HAS_SEA_TO_USER;	/* without SEAWALL_KVM_CAPS_KNOWN */
		ca = seawall_ctx_new(&o);
		tap_ok(!ca && errno == EINVAL, "kvm_caps without SEAWALL_KVM_CAPS_KNOWN: EINVAL");
		o.kvm_caps = SEAWALL_KVM_CAPS_KNOWN | (1u << 20);
		ca = seawall_ctx_new(&o);
		tap_ok(!ca && errno == EINVAL, "an unknown capability bit: EINVAL");
		o.kvm_caps = SEAWALL_KVM_CAPS_KNOWN;
		ca = seawall_ctx_new(&o);
		a = ca ? render(ca) : NULL;
		tap_ok(a && strstr(a, "\nseawall_sea_exit_enabled 0\n"), "known and off: 0");
		free(a);
		seawall_ctx_free(ca);
	}

	unlink(path);
	rmdir(dir);
	munmap(mem, MEM);
	return tap_done();
}
