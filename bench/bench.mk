# Benchmarks: make bench [BENCH_DIR=dir for the journal files] runs the
# library benchmark natively, then make bench-rig when the rig is built.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
BENCH_DIR ?= $(NATIVE)

.PHONY: bench

# bench.c measures the ledger's internals (sw_*): the internals' archive.
$(NATIVE)/bench/bench: bench/bench.c $(LIB_NATIVE_INTERNAL_A)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(WERROR) $(OPT) -pthread -D_GNU_SOURCE -Iinclude -Ilib -o $@ $< \
		$(LIB_NATIVE_INTERNAL_A)

bench: $(NATIVE)/bench/bench
	$(NATIVE)/bench/bench $(BENCH_DIR)
	@if ls $(SEAWALL_CACHE)/kernels/$(BENCH_RIG_KERNEL)-*/Image >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory bench-rig; \
	else \
		echo "bench: no rig kernel $(BENCH_RIG_KERNEL) built (make kernels): skipping bench-rig"; \
	fi

# make bench-rig: bench/rig/bench-rig against real KVM in the rig's L1 host
# (one boot), on BENCH_RIG_KERNEL.  make bench runs it too when the rig's
# kernel is built.
BENCH_RIG_KERNEL ?= 7.2
BENCH_RIG_DEST   := $(ARM64)/rootfs/opt/seawall/bench
BENCH_RIG_BIN    := $(BENCH_RIG_DEST)/bench-rig
BENCH_RIG_OBJ    := $(ARM64)/bench/rig
ARM64_BINS += $(BENCH_RIG_BIN) $(BENCH_RIG_DEST)/bench $(BENCH_RIG_DEST)/run

.PHONY: bench-rig bench-native
$(BENCH_RIG_OBJ)/bench-rig.o: bench/rig/bench-rig.c
	@mkdir -p $(@D)
	$(ACC) $(KT_CFLAGS) -Iinclude -D_GNU_SOURCE -c -o $@ $<

$(BENCH_RIG_OBJ)/bench-rig-guest.o: bench/rig/bench-rig.S
	@mkdir -p $(@D)
	$(ACC) -c -o $@ $<

$(BENCH_RIG_BIN): $(BENCH_RIG_OBJ)/bench-rig.o $(BENCH_RIG_OBJ)/bench-rig-guest.o $(KT_LIB) \
		$(ARM64)/lib/libseawall.a
	@mkdir -p $(@D)
	$(ACC) $(KT_LDFLAGS) -o $@ $(filter %.o,$^) $(ARM64)/lib/libseawall.a -lpthread

# The library benchmark again, for arm64, in the same boot.
$(BENCH_RIG_DEST)/bench: bench/bench.c $(LIB_ARM64_INTERNAL_A)
	@mkdir -p $(@D)
	$(ACC) $(CSTD) $(WARN) $(WERROR) $(OPT) -static -pthread -D_GNU_SOURCE -Iinclude -Ilib \
		-o $@ $< $(LIB_ARM64_INTERNAL_A)

$(BENCH_RIG_DEST)/run: bench/rig/run
	@mkdir -p $(@D)
	install -m 0755 $< $@

bench-rig:
	@$(MAKE) --no-print-directory arm64
	bash rig/run --kernel $(BENCH_RIG_KERNEL) --mem 2560 --timeout 2100 \
		-- sh /opt/seawall/bench/run $(BENCH_RIG)
