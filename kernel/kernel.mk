# kernel/: the 6.12 series checked against 6.12's own KVM selftests.
#
#   make check-kernel-selftests   the CI subset of kernel/patches/6.12/selftests.txt,
#                                 on 6.12 without and with the series; fails if a
#                                 test that passes without fails with
#   make check-kernel-full        the same for every listed test (long under TCG)

.PHONY: check-kernel-selftests check-kernel-full

check-kernel-selftests: rig
	@bash rig/selftests --subset --compare

check-kernel-full: rig
	@bash rig/selftests --full --compare
