# Seawall: top-level Makefile.
#
#   make demo          the main job: provision the rig, boot it, show a VM
#                      surviving a memory error
#   make check         every test CI runs (unit tests, then the rig suites)
#   make check-unit    native unit tests only (seconds, no QEMU)
#   make check-build check-fuzz check-valgrind
#                      -Werror under gcc and clang, the fuzz corpora under
#                      ASan+UBSan, the unit tests under valgrind (no QEMU)
#   make fuzz          the fuzzers, FUZZ_SECONDS each (tests/fuzz/README.md)
#   make bench         benchmarks
#   make test          host-side tests only (unit tests, fuzz corpora)
#   make install, make uninstall  [DESTDIR= prefix= libdir= ...]
#   make check-pkg check-ops-kit check-ops-metrics
#                      Debian packages, the operator's kit, fleet metrics
#   make check-fresh-host [FRESH_TARGETS="check"]
#                      audit the install steps: FRESH_TARGETS from a fresh
#                      clone in a clean Debian 12 root (rig/fresh-host)
#
# Out-of-tree: O=DIR (default ./build).  Cross compiler for the arm64 parts:
# CROSS_COMPILE (default aarch64-linux-gnu-).
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

O             ?= build
CC            ?= cc
CROSS_COMPILE ?= aarch64-linux-gnu-
ACC           := $(CROSS_COMPILE)gcc
AAR           := $(CROSS_COMPILE)ar
AR            ?= ar

# Installation (GNU directory variables; DESTDIR for staged installs).
# libdir: pass the multiarch one on Debian (debian/rules does).
prefix        ?= /usr/local
exec_prefix   ?= $(prefix)
bindir        ?= $(exec_prefix)/bin
sbindir       ?= $(exec_prefix)/sbin
libdir        ?= $(exec_prefix)/lib
includedir    ?= $(prefix)/include
datarootdir   ?= $(prefix)/share
mandir        ?= $(datarootdir)/man
pkgconfigdir  ?= $(libdir)/pkgconfig
DESTDIR       ?=

# Which rig kernels the suites run on.
RIG_KERNELS   ?= 7.2 6.12

WARN := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
        -Wold-style-definition -Wundef -Wwrite-strings -Wshadow \
        -Wno-missing-field-initializers
# -Werror in `make check` and its parts (exported, so the rig's own makes
# see it too), not in a release build: `make`, `make install`, `make test`
# must not fail on a newer compiler's new warning.  check-build passes it
# explicitly.
ifneq ($(filter check check-%,$(MAKECMDGOALS)),)
WERROR ?= -Werror
export WERROR
endif
WERROR ?=
CSTD   := -std=gnu11
# The user's (or dpkg-buildflags') CPPFLAGS, CFLAGS and LDFLAGS, from the
# environment or the command line; the project's own flags are added to
# them, never replace them.
CFLAGS   ?= -O2 -g
CPPFLAGS ?=
LDFLAGS  ?=
OPT      ?= $(CPPFLAGS) $(CFLAGS)
# Hardening for what gets installed, on by default and put before the
# user's flags, so that CFLAGS can still turn any of it off.  Fortify only
# when optimising (glibc warns otherwise) and only when the user's flags
# do not choose a level of their own (a redefinition warns).
HARDEN_CPPFLAGS = $(if $(findstring _FORTIFY_SOURCE,$(OPT)),,$(if $(filter-out -O0,$(filter -O%,$(OPT))),-D_FORTIFY_SOURCE=2))
HARDEN_CFLAGS   = $(HARDEN_CPPFLAGS) -fstack-protector-strong -fstack-clash-protection
HARDEN_LDFLAGS  = -Wl,-z,relro,-z,now
# Executables are position independent (ASLR), whatever the compiler's default.
EXE_CFLAGS      = -fPIE
EXE_LDFLAGS     = -pie

NATIVE := $(O)/native
ARM64  := $(O)/arm64
# Every arm64 file listed here goes into the rig's initramfs, at its path
# under $(ARM64)/rootfs.
ARM64_BINS :=
# Further rig checks that fragments add to `make check` (run after the suites).
CHECK_RIG_EXTRA :=

.PHONY: all check check-unit check-rig demo bench install uninstall test clean distclean \
        rig kernels arm64 host-deps help check-fresh-host

all: lib

help:
	@sed -n '2,21p' Makefile

# Fragments: each part of the tree keeps its own rules.
-include lib/lib.mk
-include tests/unit/unit.mk
-include tests/abi/abi.mk
-include tests/fuzz/fuzz.mk
-include tests/ci.mk
-include tests/pkg/pkg.mk
-include tests/kernel/kernel.mk
-include tests/lib/lib-tests.mk
-include vmm/vmm.mk
-include tools/tools.mk
-include guest/guest.mk
-include bench/bench.mk
-include kernel/kernel.mk
-include tests/e2e/e2e.mk
-include tests/qemu/qemu.mk
-include tests/fault/fault.mk
-include tests/ops/kit.mk
-include tests/ops/metrics.mk

arm64: $(ARM64_BINS)

# The cross compiler and kernel build tools come from Debian packages; this
# installs whatever is missing (root), and is a no-op when all is present.
host-deps:
	@bash rig/provision --host-only

rig: host-deps
	@bash rig/provision

kernels: rig
	@for k in $(RIG_KERNELS); do bash rig/build-kernel $$k || exit 1; done

check:
	@$(MAKE) --no-print-directory host-deps
	@$(MAKE) --no-print-directory check-unit
	@$(MAKE) --no-print-directory check-build
	@$(MAKE) --no-print-directory check-fuzz
	@$(MAKE) --no-print-directory check-valgrind
	@$(MAKE) --no-print-directory check-ops-metrics
	@$(MAKE) --no-print-directory check-pkg
	@$(MAKE) --no-print-directory check-ops-kit
	@$(MAKE) --no-print-directory check-rig

# make test: the host-side tests only (no QEMU, no root, no rig), as a
# packager's build runs them (dh_auto_test runs `make test`); -Werror only
# when asked for (WERROR=-Werror), as in any release build.
test:
	@$(MAKE) --no-print-directory WERROR="$(WERROR)" check-unit
	@$(MAKE) --no-print-directory WERROR="$(WERROR)" check-fuzz

check-rig: kernels
	@$(MAKE) --no-print-directory arm64
	@bash rig/check $(RIG_KERNELS)
	@for t in $(CHECK_RIG_EXTRA); do $(MAKE) --no-print-directory $$t || exit 1; done

FRESH_TARGETS ?= check
check-fresh-host:
	@bash rig/fresh-host $(FRESH_TARGETS)

# The demo boots only the 7.2 rig kernel: it builds that one, not every
# RIG_KERNELS entry, and says up front how long each step will take.
DEMO_KERNEL ?= 7.2
demo:
	@bash rig/demo --plan --kernel $(DEMO_KERNEL)
	@$(MAKE) --no-print-directory rig
	@bash rig/build-kernel $(DEMO_KERNEL) >/dev/null
	@$(MAKE) --no-print-directory arm64
	@bash rig/demo --kernel $(DEMO_KERNEL)

clean:
	rm -rf $(O)

distclean: clean
	@echo "the rig cache is outside the tree: rm -rf $${SEAWALL_CACHE:-$$HOME/.cache/seawall}"
