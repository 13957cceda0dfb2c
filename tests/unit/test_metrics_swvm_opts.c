// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * swvm's fleet options: --vm-name, --vm-uuid, --metrics-dir (one
 * DIR/seawall-NAME.prom per VM, the node_exporter textfile convention),
 * --metrics-interval.
 */
#include <string.h>

#include "../../vmm/options.c"
#include "tap.h"

static int parse(struct swvm_opts *o, char *err, ...)
{
	const char *v[32] = { "swvm", "--kernel", "Image" };
	int n = 3;
	va_list ap;
	const char *a;

	va_start(ap, err);
	while ((a = va_arg(ap, const char *)) && n < 31)
		v[n++] = a;
	va_end(ap);
	err[0] = 0;
	return swvm_parse_args(n, (char *const *)v, o, err, 256);
}

int main(void)
{
	static struct swvm_opts o;
	char err[256];
	int r;

	tap_ok(parse(&o, err, NULL) == 0 && o.metrics_interval == 15 && !o.vm_name && !o.vm_uuid &&
	       !o.metrics, "defaults: 15 s, no identity, no metrics file");
	r = parse(&o, err, "--vm-name", "web-1", "--vm-uuid", "6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f",
		  "--metrics-dir", "/var/lib/prometheus/node-exporter", "--metrics-interval", "60", NULL);
	tap_ok(r == 0 && !strcmp(o.vm_name, "web-1") && !strcmp(o.vm_uuid, "6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4f") &&
	       o.metrics_interval == 60 && o.metrics &&
	       !strcmp(o.metrics, "/var/lib/prometheus/node-exporter/seawall-web-1.prom"),
	       "--metrics-dir: DIR/seawall-NAME.prom (%s)", o.metrics ? o.metrics : "none");
	tap_ok(parse(&o, err, "--metrics", "m.prom", "--metrics-interval", "0", NULL) == 0 &&
	       !strcmp(o.metrics, "m.prom") && o.metrics_interval == 0,
	       "--metrics PATH as before; interval 0: on events only");
	tap_ok(parse(&o, err, "--metrics-dir", "d", NULL) < 0 && strstr(err, "--vm-name"),
	       "--metrics-dir without --vm-name: %s", err);
	tap_ok(parse(&o, err, "--metrics-dir", "d", "--metrics", "m", "--vm-name", "a", NULL) < 0,
	       "--metrics and --metrics-dir: %s", err);
	{
		static const char *const bad[] = { "../x", "a/b", ".hidden", "-x", "a b", "a\"b",
			"0123456789012345678901234567890123456789012345678901234567890123456789" };
		int refused = 0;

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			refused += parse(&o, err, "--vm-name", bad[i], NULL) < 0;
		tap_eq(refused, 7, "names that are no file name, or too long, refused");
	}
	tap_ok(parse(&o, err, "--vm-uuid", "6f1c2a9e0d4b4e539a431b8f0c2d3e4f", NULL) < 0 &&
	       parse(&o, err, "--vm-uuid", "6f1c2a9e-0d4b-4e53-9a43-1b8f0c2d3e4g", NULL) < 0,
	       "a UUID is 8-4-4-4-12 hex digits: %s", err);
	tap_ok(parse(&o, err, "--metrics-interval", "86401", NULL) < 0, "interval at most a day");
	tap_ok(parse(&o, err, NULL) == 0 && !o.isolate_split, "--isolation: poison by default");
	tap_ok(parse(&o, err, "--isolation", "split", NULL) == 0 && o.isolate_split, "--isolation split");
	tap_ok(parse(&o, err, "--isolation", "poison", NULL) == 0 && !o.isolate_split,
	       "--isolation poison");
	tap_ok(parse(&o, err, "--isolation", "Split;rm", NULL) < 0 && strstr(err, "poison or split"),
	       "--isolation with anything else: refused, saying what is accepted (%s)", err);
	tap_ok(parse(&o, err, "--isolation", NULL) < 0, "--isolation without its value: refused");
	return tap_done();
}
