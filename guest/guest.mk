# guest/: programs that run inside the L2 guest (static arm64), and the
# guest initramfs that carries them.  Included by the top-level Makefile.
#
#   make guest          the programs and $(GUEST_INITRD)
#
# The programs also land in the L1 rootfs (/opt/seawall/bin) so they can be
# tried directly in the rig's host.  The initramfs needs the rig's arm64
# busybox: BUSYBOX from $(SEAWALL_CACHE)/versions.env (bash rig/provision).
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

SEAWALL_CACHE ?= $(HOME)/.cache/seawall

GUEST_OBJ    := $(ARM64)/guest
GUEST_BINDIR := $(ARM64)/rootfs/opt/seawall/bin
GUEST_PROGS  := seawall-agent sw-victim sw-bystander sw-rt
GUEST_BINS   := $(addprefix $(GUEST_BINDIR)/,$(GUEST_PROGS))
GUEST_INITRD := $(ARM64)/rootfs/opt/seawall/guest/initrd.cpio
# Scenario scripts, installed as /etc/seawall/NAME.sh (sw.run=NAME).
GUEST_SCRIPTS = $(sort $(wildcard guest/etc/*.sh tests/e2e/guest/*.sh))

GUEST_CFLAGS := $(CSTD) $(WARN) $(WERROR) $(OPT) -D_GNU_SOURCE -Iguest -MMD -MP
GUEST_LDFLAGS := -static

ARM64_BINS += $(GUEST_BINS) $(GUEST_INITRD)

.PHONY: guest guest-initrd-force
guest: $(GUEST_BINS) $(GUEST_INITRD)

$(GUEST_OBJ)/%.o: guest/%.c
	@mkdir -p $(@D)
	$(ACC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_BINDIR)/seawall-agent: $(GUEST_OBJ)/agent.o $(GUEST_OBJ)/notify-dev.o
$(GUEST_BINDIR)/sw-victim: $(GUEST_OBJ)/victim.o
$(GUEST_BINDIR)/sw-bystander: $(GUEST_OBJ)/bystander.o
$(GUEST_BINDIR)/sw-rt: $(GUEST_OBJ)/rt.o
$(GUEST_BINS):
	@mkdir -p $(@D)
	$(ACC) $(GUEST_LDFLAGS) -o $@ $^

# Rebuilt every time, but replaced only when its content changes (the
# busybox path lives outside make's view, in versions.env).
$(GUEST_INITRD): $(GUEST_BINS) guest/init guest/mkinitrd.sh guest-initrd-force
	@mkdir -p $(@D)
	@sh guest/mkinitrd.sh $@ \
		"$$(sed -n 's/^BUSYBOX=//p' $(SEAWALL_CACHE)/versions.env 2>/dev/null)" \
		guest/init $(GUEST_BINS) -- $(GUEST_SCRIPTS)

# The notify-device logic is also built natively, by its unit test
# (tests/unit/test_notify_dev.c includes guest/notify-dev.c).
$(NATIVE)/unit/test_notify_dev $(NATIVE)/unit-asan/test_notify_dev: guest/notify-dev.c guest/notify-dev.h

-include $(wildcard $(GUEST_OBJ)/*.d)

# The agent runs inside the guest (the guest's image carries it, built
# above for arm64); a host install carries its manual page only, for the
# operator who puts it into a guest image.
.PHONY: install-guest-man uninstall-guest-man
install: install-guest-man
uninstall: uninstall-guest-man
install-guest-man:
	install -d $(DESTDIR)$(mandir)/man8
	install -m 644 man/man8/seawall-agent.8 $(DESTDIR)$(mandir)/man8/seawall-agent.8
uninstall-guest-man:
	rm -f $(DESTDIR)$(mandir)/man8/seawall-agent.8
