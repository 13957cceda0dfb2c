# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
#
# make check-pkg: the Debian packages (debian/) built with dpkg-buildpackage
# from a copy of the tree (the work tree stays clean), checked with lintian
# (errors fail), then installed and used: a C program built with
# `pkg-config --cflags --libs libseawall` against what the packages hold,
# in a clean Debian 12 root when one is at hand (rig/fresh-host's cached
# debootstrap; root only) and always from the unpacked packages.
# Closing line: "pkg: N passed, N failed, N skipped".  Part of `make check`.
#
# The package build skips its own `make test` (PKG_BUILD_OPTIONS=nocheck):
# make check has just run the same tests on the same tree.  Host only, no
# QEMU.

PKG_BUILD_OPTIONS ?= nocheck

.PHONY: check-pkg
check-pkg:
	@SEAWALL_CACHE="$(SEAWALL_CACHE)" PKG_BUILD_OPTIONS="$(PKG_BUILD_OPTIONS)" \
		bash tests/pkg/check-pkg.sh
