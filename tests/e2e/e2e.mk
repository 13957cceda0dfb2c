# tests/e2e: end-to-end scenarios, swvm + a real guest + the guest agent,
# inside the rig's L1 host.  One boot per kernel runs every mode.
#
#   make check-e2e [E2E_KERNELS="7.2"] [E2E_MODES="read exec"]

E2E_KERNELS ?= $(RIG_KERNELS)
E2E_MODES   ?= read write exec fnv hostile

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
		bash rig/run --kernel $$k --mem 1536 --timeout 2400 --add tests/e2e:/e2e \
			-- sh /e2e/run $(E2E_MODES) || exit 1; \
	done

# `make check` runs them after the rig suites.
CHECK_RIG_EXTRA += check-e2e
