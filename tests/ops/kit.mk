# The operator's kit (contrib/) and README.md's program, checked against a
# real library run: `make check-ops-kit` (host only, seconds).  Included by
# the top-level Makefile.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

OPS_KIT_METRICS := $(NATIVE)/ops/kit-metrics

.PHONY: check-ops-kit

$(OPS_KIT_METRICS): tests/ops/kit-metrics.c include/seawall.h $(NATIVE)/lib/libseawall.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(WERROR) $(OPT) -D_GNU_SOURCE -Iinclude -o $@ $< \
		$(NATIVE)/lib/libseawall.a -pthread

# The arm64 library is built when the cross compiler is there, so the
# README program's arm64-only part is compiled too.
check-ops-kit: $(OPS_KIT_METRICS)
	@if command -v $(ACC) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory -s $(ARM64)/lib/libseawall.a >/dev/null || exit 1; fi
	@CC="$(CC)" ACC="$(ACC)" bash tests/ops/kit-check $(OPS_KIT_METRICS) $(NATIVE) $(ARM64)
