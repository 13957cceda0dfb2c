# kernel/: the 6.12 series, checked three ways.
#
#   make check-kernel-selftests   the CI subset of kernel/patches/6.12/selftests.txt,
#                                 on 6.12 without and with the series; fails if a
#                                 test that passes without fails with (in make check)
#   make check-kernel-full        the same for every listed test (long under TCG)
#   make check-kernel-series      every patch applied in turn: arm64 Image with the
#                                 rig config, arch/arm64/kvm/ with Debian's config,
#                                 checkpatch --strict (about 20 min on 2 cores)
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

.PHONY: check-kernel-selftests check-kernel-full check-kernel-series

check-kernel-selftests: rig
	@bash rig/selftests --subset --compare

check-kernel-full: rig
	@bash rig/selftests --full --compare

check-kernel-series: rig
	@bash rig/check-series 6.12

CHECK_RIG_EXTRA += check-kernel-selftests
