# tests/e2e: end-to-end scenarios, swvm + a real guest + the guest agent,
# inside the rig's L1 host.  One boot per kernel runs every mode.
#
#   make check-e2e [E2E_KERNELS="7.2"] [E2E_MODES="read exec"]

E2E_KERNELS ?= $(RIG_KERNELS)
# Scenario modes in make check: those that pass on 7.2 and 6.12 with our
# series (nosea runs on 6.12-plain only: make check-e2e-plain).  kernel,
# threshold and fnv end in VM resets.  Not yet: smp4.  Its vCPUs no longer
# see each other's memslot splits (swvm pauses them), and it passed twice
# on 6.12, but on 7.2 one run lost a race in the guest: a dying victim's page
# went back to the guest's allocator and its kernel wrote it (EL1) before
# the agent offlined it, so the policy rightly restarted the VM.
E2E_MODES   ?= read write exec fnv hostile again journal sigbus kernel threshold
E2E_MODES_6.12 ?= $(E2E_MODES)

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

# Without KVM_CAP_ARM_SEA_TO_USER (6.12 as shipped); not part of make check.
.PHONY: check-e2e-plain
check-e2e-plain:
	@$(MAKE) --no-print-directory arm64
	@bash rig/run --kernel 6.12-plain --mem 1536 --timeout 1200 --add tests/e2e:/e2e \
		-- sh /e2e/run nosea sigbus

# `make check` runs them after the rig suites.
CHECK_RIG_EXTRA += check-e2e
