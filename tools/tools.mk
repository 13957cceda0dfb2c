# tools/: the seawall CLI, static for arm64 (into the rig's rootfs) and
# native (for offline use: decode-esr, or a local swvm).  Included by the
# top-level Makefile.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

TOOLS_SRCS   := seawall cli json
# $(OPT) (the user's CPPFLAGS and CFLAGS) last, after the hardening.
TOOLS_CFLAGS  = $(CSTD) $(WARN) $(WERROR) -D_GNU_SOURCE -Iinclude -Itools -MMD -MP
SEAWALL_CLI_ARM64  := $(ARM64)/rootfs/opt/seawall/bin/seawall
SEAWALL_CLI_NATIVE := $(NATIVE)/bin/seawall

ARM64_BINS += $(SEAWALL_CLI_ARM64)

.PHONY: tools install-tools uninstall-tools
tools: $(SEAWALL_CLI_NATIVE) $(SEAWALL_CLI_ARM64)
all: $(SEAWALL_CLI_NATIVE)

$(NATIVE)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) $(HARDEN_CFLAGS) $(EXE_CFLAGS) $(OPT) -c -o $@ $<

$(ARM64)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(ACC) $(TOOLS_CFLAGS) $(OPT) -c -o $@ $<

$(SEAWALL_CLI_NATIVE): $(addprefix $(NATIVE)/tools/,$(addsuffix .o,$(TOOLS_SRCS))) $(NATIVE)/lib/libseawall.a
	@mkdir -p $(@D)
	$(CC) $(EXE_LDFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^ -pthread

$(SEAWALL_CLI_ARM64): $(addprefix $(ARM64)/tools/,$(addsuffix .o,$(TOOLS_SRCS))) $(ARM64)/lib/libseawall.a
	@mkdir -p $(@D)
	$(ACC) -static -o $@ $^ -pthread

# The unit test includes tools/cli.c and tools/json.c.
$(NATIVE)/unit/test_cli $(NATIVE)/unit-asan/test_cli: tools/cli.c tools/cli.h tools/json.c tools/json.h

install: install-tools
uninstall: uninstall-tools
install-tools: $(SEAWALL_CLI_NATIVE)
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1
	install -m 755 $(SEAWALL_CLI_NATIVE) $(DESTDIR)$(bindir)/seawall
	install -m 644 man/man1/seawall.1 $(DESTDIR)$(mandir)/man1/seawall.1

uninstall-tools:
	rm -f $(DESTDIR)$(bindir)/seawall $(DESTDIR)$(mandir)/man1/seawall.1

-include $(wildcard $(NATIVE)/tools/*.d $(ARM64)/tools/*.d)
