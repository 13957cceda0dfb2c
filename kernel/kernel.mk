# kernel/: the 6.12 series, checked five ways.
#
#   make check-kernel-selftests   the CI subset of kernel/patches/6.12/selftests.txt,
#                                 on 6.12 without and with the series; fails if a
#                                 test that passes without fails with (in make check)
#   make check-kernel-full        the same for every listed test (long under TCG)
#   make check-kernel-series      every patch applied in turn: arm64 Image with the
#                                 rig config, arch/arm64/kvm/ with Debian's config,
#                                 checkpatch --strict (about 20 min on 2 cores)
#   make check-kernel-host-abort  pKVM's host abort path is 6.12's, byte for byte, in
#                                 the patched tree (in make check; no QEMU)
#   make check-kernel-broken      each kernel/broken/*.patch on top of the series
#                                 must make the kernel-contract suite fail
#                                 (BROKEN="il-dropped ..." for some; about 5 min each)
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

.PHONY: check-kernel-selftests check-kernel-full check-kernel-series \
	check-kernel-host-abort check-kernel-broken

check-kernel-selftests: rig
	@bash rig/selftests --subset --compare

check-kernel-full: rig
	@bash rig/selftests --full --compare

check-kernel-series: rig
	@bash rig/check-series 6.12

CHECK_RIG_EXTRA += check-kernel-selftests

check-kernel-host-abort: kernels
	@bash -c '. rig/common.sh; rig_versions; \
		kernel/check-host-abort "$$SRC612" "$$SEAWALL_CACHE/work/6.12"'

check-kernel-broken: rig
	@$(MAKE) --no-print-directory arm64
	@bash rig/check-broken $(BROKEN)

CHECK_RIG_EXTRA += check-kernel-host-abort
