# tests/qemu: Seawall for QEMU (qemu/patches/<line>/) in the rig's L1 host:
# a guest of the patched QEMU surviving a memory error, against Debian's
# unpatched QEMU.  One rig boot per kernel runs that kernel's modes, one
# QEMU guest after the other (tests/qemu/README.md).
#
#   make check-qemu [QEMU_KERNELS="7.2"] [QEMU_MODES="acpi dt"]
#
# QEMU_MODES, when set, replaces every kernel's list below.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

# Every kernel the issue names; each list below ran green here.
QEMU_KERNELS          ?= 7.2 6.12 6.12-plain
QEMU_MODES            ?=
# 7.2: everything the opt-in changes, and the unpatched anchor.
QEMU_MODES_7.2        ?= acpi anchor smp2 kernel journal dt badopts
# 6.12 with our series: the modes whose KVM side differs between the kernels
# (the exit itself, two vCPUs at once).
QEMU_MODES_6.12       ?= acpi smp2
# 6.12 as shipped: no KVM_CAP_ARM_SEA_TO_USER.
QEMU_MODES_6.12-plain ?= nocap sigbus
QEMU_RIG_MEM          ?= 2048
# A QEMU root made elsewhere (the layout rig/build-qemu makes), used as it
# is: rig/build-qemu is not run.
QEMU_RIG_ROOT         ?=

# The L1-side helper (KVM capability probe, host page poisoning).
QEMU_RIG_HELPER := $(ARM64)/rootfs/opt/seawall/bin/sw-qemu-rig
ARM64_BINS += $(QEMU_RIG_HELPER)
$(QEMU_RIG_HELPER): tests/qemu/sw-qemu-rig.c include/seawall/kvm.h
	@mkdir -p $(@D)
	$(ACC) $(CSTD) $(WARN) $(WERROR) $(OPT) -D_GNU_SOURCE -Iinclude -static -o $@ $<

# $$root for the recipes below: QEMU_RIG_ROOT, or the one rig/build-qemu
# makes; a target stops when it holds no QEMU of ours.
QEMU_ROOT_SH = root="$(QEMU_RIG_ROOT)"; [ -n "$$root" ] || root=$$(bash rig/build-qemu); \
	[ -x "$$root/opt/seawall-qemu/bin/qemu-system-aarch64" ] || { echo "$@: no QEMU root ($${root:-rig/build-qemu failed})" >&2; exit 1; }

# rig/build-qemu prints the root (Debian's QEMU, ours, UEFI) that goes to
# /opt/qemu inside L1; it rebuilds only when the series changed.
.PHONY: check-qemu
check-qemu:
	@$(MAKE) --no-print-directory arm64
	@$(QEMU_ROOT_SH); \
	for k in $(QEMU_KERNELS); do \
		case $$k in \
		7.2) modes="$(QEMU_MODES_7.2)" ;; \
		6.12) modes="$(QEMU_MODES_6.12)" ;; \
		6.12-plain) modes="$(QEMU_MODES_6.12-plain)" ;; \
		*) echo "check-qemu: no modes for kernel $$k" >&2; exit 1 ;; \
		esac; \
		[ -z "$(QEMU_MODES)" ] || modes="$(QEMU_MODES)"; \
		bash rig/run --kernel $$k --mem $(QEMU_RIG_MEM) --timeout 1800 \
			--add "$$root:/opt/qemu" --add tests/qemu:/qemu \
			-- sh /qemu/run $$modes || exit 1; \
	done

# The SEA round trip against an MMIO round trip through our QEMU, one
# boot of a device-tree guest on 7.2 (bench/README.md).  Not a test.
.PHONY: bench-qemu
bench-qemu:
	@$(MAKE) --no-print-directory arm64
	@$(QEMU_ROOT_SH); \
	bash rig/run --kernel 7.2 --mem $(QEMU_RIG_MEM) --timeout 1800 \
		--add "$$root:/opt/qemu" --add tests/qemu:/qemu \
		-- sh /qemu/run bench

# The before/after for a person: Debian's QEMU panics the guest, ours
# keeps it (tests/qemu/demo, the anchor and acpi scenarios), one boot.
.PHONY: demo-qemu
demo-qemu:
	@echo "demo-qemu: the rig (7.2 host), Debian's QEMU and ours (rig/build-qemu: about 9 min the first time), one boot of about 5 min"
	@$(MAKE) --no-print-directory rig
	@bash rig/build-kernel 7.2 >/dev/null
	@$(MAKE) --no-print-directory arm64
	@$(QEMU_ROOT_SH); \
	bash rig/run --kernel 7.2 --mem $(QEMU_RIG_MEM) --timeout 1200 \
		--add "$$root:/opt/qemu" --add tests/qemu:/qemu \
		-- sh /qemu/demo

# `make check` runs it after the rig suites.
CHECK_RIG_EXTRA += check-qemu
