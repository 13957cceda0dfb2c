# make check-ops-metrics: the metrics files of two VMs checked with the
# tools operators run (promtool, node_exporter's textfile collector), on
# loopback, no QEMU.  Debian's prometheus and prometheus-node-exporter
# come with `make host-deps`.  Included from the top-level Makefile.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

.PHONY: check-ops-metrics

$(NATIVE)/ops/metrics-gen: tests/ops/metrics-gen.c $(NATIVE)/lib/libseawall.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(WERROR) $(OPT) -pthread -D_GNU_SOURCE -Iinclude -o $@ $< \
		$(NATIVE)/lib/libseawall.a

check-ops-metrics: $(NATIVE)/ops/metrics-gen
	@sh tests/ops/metrics-check $(NATIVE)/ops/metrics-gen $(NATIVE)/ops/metrics-work
