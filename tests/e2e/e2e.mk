# tests/e2e: end-to-end scenarios, swvm + a real guest + the guest agent,
# inside the rig's L1 host.  One boot per kernel runs every mode.
#
#   make check-e2e [E2E_KERNELS="7.2"] [E2E_MODES="read exec"]
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

E2E_KERNELS ?= $(RIG_KERNELS)
# Scenario modes in make check: those below on 7.2 and on 6.12
# with our series (nosea runs on 6.12-plain: check-e2e-plain, also in make
# check).
# kernel, threshold and fnv end in VM resets.  smp4's victims have their
# pages held by a child (sw.hold) until the agent offlined them: without
# that, a dead victim's page could go back to the guest's allocator and be
# written by the guest kernel first, which the policy rightly answers with
# a restart (seen once on 7.2).
E2E_ALL     := read write exec fnv hostile hugetlb again journal sigbus kernel threshold smp4
# make check leaves out write (the same KVM exit and injection as read with
# WnR set: tests/kernel and tests/lib check both) and hostile (tests/fault's
# hostile test, in make check, touches an isolated page 10^5 times); both
# pass (tests/e2e/README.md); every mode: make check-e2e E2E_MODES="read write
# exec fnv hostile hugetlb again journal sigbus kernel threshold smp4"
E2E_MODES   ?= read exec fnv hugetlb again journal sigbus kernel threshold smp4
# On 6.12 make check runs the modes whose KVM side differs between kernels
# (the series' exit for data, fetch and FnV aborts, a reset after an
# injected abort, four vCPUs at once, the SIGBUS path); the others drive the
# same KVM calls as read and kernel and only add VMM and library paths
# already covered on 7.2.  All of them pass on 6.12 (tests/e2e/README.md):
#   make check-e2e E2E_KERNELS=6.12 E2E_MODES_6.12="<every mode>"
E2E_MODES_6.12 ?= read exec fnv kernel smp4 sigbus

# The host-side helper the sigbus scenario needs (in L1's PATH).
E2E_HWPOISON := $(ARM64)/rootfs/opt/seawall/bin/sw-hwpoison
ARM64_BINS += $(E2E_HWPOISON)
$(E2E_HWPOISON): tests/e2e/sw-hwpoison.c
	@mkdir -p $(@D)
	$(ACC) $(CSTD) $(WARN) $(WERROR) $(OPT) -D_GNU_SOURCE -static -o $@ $<

.PHONY: check-e2e
check-e2e:
	@$(MAKE) --no-print-directory arm64
	@for k in $(E2E_KERNELS); do \
		case $$k in 6.12) modes="$(E2E_MODES_6.12)" ;; *) modes="$(E2E_MODES)" ;; esac; \
		bash rig/run --kernel $$k --mem 1536 --timeout 2400 --add tests/e2e:/e2e \
			-- sh /e2e/run $$modes || exit 1; \
	done

# Without KVM_CAP_ARM_SEA_TO_USER (6.12 as shipped): the SEA path reported
# unavailable, the SIGBUS path still contains the error.
.PHONY: check-e2e-plain
check-e2e-plain:
	@$(MAKE) --no-print-directory arm64
	@bash rig/run --kernel 6.12-plain --mem 1536 --timeout 1200 --add tests/e2e:/e2e \
		-- sh /e2e/run nosea sigbus

# `make check` runs them after the rig suites.
CHECK_RIG_EXTRA += check-e2e check-e2e-plain
