# tools/: the seawall CLI, static for arm64 (into the rig's rootfs) and
# native (for offline use: decode-esr, or a local swvm).  Included by the
# top-level Makefile.

TOOLS_SRCS   := seawall cli json
TOOLS_CFLAGS  = $(CSTD) $(WARN) $(WERROR) $(OPT) -D_GNU_SOURCE -Iinclude -Itools -MMD -MP
SEAWALL_CLI_ARM64  := $(ARM64)/rootfs/opt/seawall/bin/seawall
SEAWALL_CLI_NATIVE := $(NATIVE)/bin/seawall

ARM64_BINS += $(SEAWALL_CLI_ARM64)

.PHONY: tools install-tools
tools: $(SEAWALL_CLI_NATIVE) $(SEAWALL_CLI_ARM64)
all: $(SEAWALL_CLI_NATIVE)

$(NATIVE)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(TOOLS_CFLAGS) -c -o $@ $<

$(ARM64)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(ACC) $(TOOLS_CFLAGS) -c -o $@ $<

$(SEAWALL_CLI_NATIVE): $(addprefix $(NATIVE)/tools/,$(addsuffix .o,$(TOOLS_SRCS))) $(NATIVE)/lib/libseawall.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -pthread

$(SEAWALL_CLI_ARM64): $(addprefix $(ARM64)/tools/,$(addsuffix .o,$(TOOLS_SRCS))) $(ARM64)/lib/libseawall.a
	@mkdir -p $(@D)
	$(ACC) -static -o $@ $^ -pthread

# The unit test includes tools/cli.c and tools/json.c.
$(NATIVE)/unit/test_cli $(NATIVE)/unit-asan/test_cli: tools/cli.c tools/cli.h tools/json.c tools/json.h

install: install-tools
install-tools: $(SEAWALL_CLI_NATIVE)
	install -d $(DESTDIR)$(prefix)/bin $(DESTDIR)$(prefix)/share/man/man1
	install -m 755 $(SEAWALL_CLI_NATIVE) $(DESTDIR)$(prefix)/bin/seawall
	install -m 644 man/man1/seawall.1 $(DESTDIR)$(prefix)/share/man/man1/seawall.1

-include $(wildcard $(NATIVE)/tools/*.d $(ARM64)/tools/*.d)
