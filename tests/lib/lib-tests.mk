# tests/lib: libseawall's rig tests, static arm64 programs run inside the
# rig's L1 host against real KVM.  They reuse the kernel suite's kt
# framework (tests/kernel/lib) and link the arm64 libseawall.a.  Included by
# the top-level Makefile after tests/kernel/kernel.mk, whose KT_* variables
# and rules (the kt objects) this uses.
# SPDX-License-Identifier: MIT
# Copyright (C) 2026 The Seawall authors

LT_SRC    := tests/lib
LT_OBJ    := $(ARM64)/tests/lib
LT_DEST   := $(ARM64)/rootfs/opt/seawall/tests/lib
LT_TESTS  := lib_raw lib_inject lib_compare lib_isolate lib_poison

LT_CFLAGS := $(KT_CFLAGS) -Iinclude -I$(LT_SRC) -D_GNU_SOURCE
LT_LIB    := $(LT_OBJ)/lt.o $(LT_OBJ)/lt-guest.o
LT_BINS   := $(addprefix $(LT_DEST)/,$(LT_TESTS))

ARM64_BINS += $(LT_BINS) $(LT_DEST)/run-suite

.PHONY: lib-tests check-lib-rig
lib-tests: $(LT_BINS) $(LT_DEST)/run-suite

# Run the suite on every rig kernel (boots QEMU once per kernel).
check-lib-rig: lib-tests
	@for k in $(RIG_KERNELS); do \
		bash rig/run --kernel $$k -- /opt/seawall/tests/lib/run-suite || exit 1; \
	done

$(LT_OBJ)/lt.o $(addprefix $(LT_OBJ)/,$(addsuffix .o,$(LT_TESTS))): $(LT_OBJ)/%.o: $(LT_SRC)/%.c
	@mkdir -p $(@D)
	$(ACC) $(LT_CFLAGS) -c -o $@ $<

$(LT_OBJ)/lt-guest.o: $(LT_SRC)/lt-guest.S
	@mkdir -p $(@D)
	$(ACC) -c -o $@ $<

$(LT_BINS): $(LT_DEST)/%: $(LT_OBJ)/%.o $(LT_LIB) $(KT_LIB) $(ARM64)/lib/libseawall.a
	@mkdir -p $(@D)
	$(ACC) $(KT_LDFLAGS) -o $@ $(filter %.o,$^) $(ARM64)/lib/libseawall.a -lpthread

$(LT_DEST)/run-suite: $(LT_SRC)/run-suite
	@mkdir -p $(@D)
	install -m 0755 $< $@

-include $(wildcard $(LT_OBJ)/*.d)
