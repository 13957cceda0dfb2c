# tests/kernel: the kernel-contract suite (KVM_CAP_ARM_SEA_TO_USER /
# KVM_EXIT_ARM_SEA), static arm64 programs run inside the rig's L1 host.
# Included by the top-level Makefile, which defines ARM64, ACC, the warning
# flags and ARM64_BINS.
# SPDX-License-Identifier: MIT
# Copyright (C) 2026 The Seawall authors

KT_SRC    := tests/kernel
KT_OBJ    := $(ARM64)/tests/kernel
KT_DEST   := $(ARM64)/rootfs/opt/seawall/tests/kernel
KT_TESTS  := sea_cap sea_data sea_inst sea_fnv_ttw sea_serror sea_reinject \
             sea_apei \
             sea_hidden rig_inject uffd_poison

# Guest code is this same code, run at EL1 without libc support: no stack
# protector (its guard lives in TLS), and a fixed, non-PIE link address.
KT_CFLAGS := $(CSTD) $(WARN) $(WERROR) $(OPT) -fno-pie -fno-stack-protector \
             -I$(KT_SRC)/lib -MMD -MP
KT_LDFLAGS := -static -no-pie

KT_LIB    := $(KT_OBJ)/lib/kt.o $(KT_OBJ)/lib/guest.o $(KT_OBJ)/lib/guest-asm.o
KT_BINS   := $(addprefix $(KT_DEST)/,$(KT_TESTS))

ARM64_BINS += $(KT_BINS) $(KT_DEST)/run-suite

.PHONY: kernel-tests check-kernel check-kernel-nvhe
kernel-tests: $(KT_BINS) $(KT_DEST)/run-suite

# Run the suite on every rig kernel (boots QEMU once per kernel), with L1's
# KVM in its default mode (VHE) ...
check-kernel: kernel-tests
	@for k in $(RIG_KERNELS); do \
		bash rig/run --kernel $$k -- /opt/seawall/tests/kernel/run-suite || exit 1; \
	done

# ... and in nVHE mode (kvm-arm.mode=nvhe: the hypervisor's own exit path;
# rig/run fails the boot unless L1 says "Hyp nVHE mode initialized").  The
# VHE runs are part of rig/check's suites; this adds one boot per kernel.
check-kernel-nvhe: kernel-tests
	@for k in $(RIG_KERNELS); do \
		bash rig/run --kernel $$k --kvm-mode nvhe -- \
			/opt/seawall/tests/kernel/run-suite || exit 1; \
	done

CHECK_RIG_EXTRA += check-kernel-nvhe

$(KT_OBJ)/lib/kt.o $(KT_OBJ)/lib/guest.o: $(KT_OBJ)/lib/%.o: $(KT_SRC)/lib/%.c
	@mkdir -p $(@D)
	$(ACC) $(KT_CFLAGS) -c -o $@ $<

$(KT_OBJ)/lib/guest-asm.o: $(KT_SRC)/lib/guest.S
	@mkdir -p $(@D)
	$(ACC) -c -o $@ $<

$(addprefix $(KT_OBJ)/,$(addsuffix .o,$(KT_TESTS))): $(KT_OBJ)/%.o: $(KT_SRC)/%.c
	@mkdir -p $(@D)
	$(ACC) $(KT_CFLAGS) -c -o $@ $<

$(KT_BINS): $(KT_DEST)/%: $(KT_OBJ)/%.o $(KT_LIB)
	@mkdir -p $(@D)
	$(ACC) $(KT_LDFLAGS) -o $@ $^

$(KT_DEST)/run-suite: $(KT_SRC)/run-suite
	@mkdir -p $(@D)
	install -m 0755 $< $@

-include $(wildcard $(KT_OBJ)/*.d $(KT_OBJ)/lib/*.d)
