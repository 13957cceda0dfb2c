# swvm, the reference arm64 VMM.  Two builds:
#   - for the rig: a static arm64 binary linked with the arm64 libseawall
#     and the rig sysroot's static libfdt ($(SWVM_BIN), cross-compiled);
#   - for a real host: when the native compiler targets arm64, $(NATIVE)/bin/swvm
#     against the system's libfdt (Debian: libfdt-dev), hardened like the
#     rest of what `make install` installs.  swvm drives KVM on arm64 only, so
#     on any other architecture there is nothing to install and
#     `make all install` leave it out.
# Included from the top-level Makefile.
# SPDX-License-Identifier: GPL-2.0-only
# Copyright (C) 2026 The Seawall authors

SEAWALL_CACHE ?= $(HOME)/.cache/seawall
SWVM_SYSROOT  := $(SEAWALL_CACHE)/sysroot-arm64
SWVM_FDT_INC  := $(SWVM_SYSROOT)/usr/include
SWVM_FDT_LIB  := $(SWVM_SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a

SWVM_SRCS := main options kvm mem fdt gic uart notify vcpu sea control proto term gate loader guard ratelimit
SWVM_HDRS := vmm/swvm.h vmm/vm.h $(LIB_HDRS)
SWVM_OBJS := $(addprefix $(ARM64)/vmm/,$(addsuffix .o,$(SWVM_SRCS)))
SWVM_BIN  := $(ARM64)/rootfs/opt/seawall/bin/swvm
SWVM_CFLAGS = $(CSTD) $(WARN) $(WERROR) $(OPT) -pthread -D_GNU_SOURCE -Iinclude -Ivmm \
              -isystem $(SWVM_FDT_INC)

ARM64_BINS += $(SWVM_BIN)

.PHONY: swvm swvm-native install-swvm uninstall-swvm
swvm: $(SWVM_BIN)

$(ARM64)/vmm/%.o: vmm/%.c $(SWVM_HDRS)
	@mkdir -p $(dir $@)
	@test -f $(SWVM_FDT_INC)/libfdt.h || { echo "swvm: no libfdt in $(SWVM_SYSROOT): run make rig" >&2; exit 1; }
	$(ACC) $(SWVM_CFLAGS) -c -o $@ $<

$(SWVM_BIN): $(SWVM_OBJS) $(ARM64)/lib/libseawall.a
	@mkdir -p $(dir $@)
	$(ACC) -static -pthread -o $@ $(SWVM_OBJS) $(ARM64)/lib/libseawall.a $(SWVM_FDT_LIB)

# The native, installable swvm (arm64 hosts only; see the top of this file).
# SWVM_FDT_CFLAGS / SWVM_FDT_LIBS point at a libfdt that is not the system's.
SWVM_FDT_CFLAGS ?=
SWVM_FDT_LIBS   ?= -lfdt
SWVM_NATIVE      := $(NATIVE)/bin/swvm
SWVM_NATIVE_OBJS := $(addprefix $(NATIVE)/vmm/,$(addsuffix .o,$(SWVM_SRCS)))

swvm-native: $(SWVM_NATIVE)

$(NATIVE)/vmm/%.o: vmm/%.c $(SWVM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(WERROR) $(HARDEN_CFLAGS) $(EXE_CFLAGS) $(OPT) -pthread -D_GNU_SOURCE \
		-Iinclude -Ivmm $(SWVM_FDT_CFLAGS) -c -o $@ $<

$(SWVM_NATIVE): $(SWVM_NATIVE_OBJS) $(NATIVE)/lib/libseawall.a
	@mkdir -p $(dir $@)
	$(CC) $(EXE_LDFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -pthread -o $@ $(SWVM_NATIVE_OBJS) \
		$(NATIVE)/lib/libseawall.a $(SWVM_FDT_LIBS)

ifeq ($(LIB_NATIVE_ARCH),arm64)
all: $(SWVM_NATIVE)
install: install-swvm
uninstall: uninstall-swvm
endif

install-swvm: $(SWVM_NATIVE)
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1
	install -m 755 $(SWVM_NATIVE) $(DESTDIR)$(bindir)/swvm
	install -m 644 man/man1/swvm.1 $(DESTDIR)$(mandir)/man1/swvm.1

uninstall-swvm:
	rm -f $(DESTDIR)$(bindir)/swvm $(DESTDIR)$(mandir)/man1/swvm.1

# The native unit tests include the KVM-free vmm sources directly.
$(NATIVE)/unit/test_swvm_proto $(NATIVE)/unit-asan/test_swvm_proto: vmm/proto.c vmm/options.c vmm/swvm.h
$(NATIVE)/unit/test_swvm_notify $(NATIVE)/unit-asan/test_swvm_notify: vmm/notify.c vmm/uart.c vmm/swvm.h
$(NATIVE)/unit/test_swvm_gate $(NATIVE)/unit-asan/test_swvm_gate: vmm/gate.c vmm/swvm.h
$(NATIVE)/unit/test_swvm_loader $(NATIVE)/unit-asan/test_swvm_loader: vmm/loader.c vmm/swvm.h
$(NATIVE)/unit/test_swvm_guard $(NATIVE)/unit-asan/test_swvm_guard: vmm/guard.c vmm/ratelimit.c vmm/swvm.h

# The swvm smoke test for the rig: /opt/seawall/tests/swvm/{smoke,ctl-raw}.
SWVM_TEST_DIR := $(ARM64)/rootfs/opt/seawall/tests/swvm
ARM64_BINS += $(SWVM_TEST_DIR)/ctl-raw $(SWVM_TEST_DIR)/smoke

$(SWVM_TEST_DIR)/ctl-raw: vmm/tests/ctl-raw.c
	@mkdir -p $(dir $@)
	$(ACC) $(CSTD) $(WARN) $(WERROR) $(OPT) -static -o $@ $<

$(SWVM_TEST_DIR)/smoke: vmm/tests/smoke
	@mkdir -p $(dir $@)
	install -m 755 $< $@

# make check-swvm [SWVM_KERNELS="7.2 6.12"]: the smoke test in the rig
# (about 4 minutes a kernel); `make check` runs it on 7.2.
SWVM_KERNELS ?= 7.2

.PHONY: check-swvm
check-swvm:
	@$(MAKE) --no-print-directory arm64
	@for k in $(SWVM_KERNELS); do \
		bash rig/run --kernel $$k --mem 1024 --timeout 1200 \
			-- /opt/seawall/tests/swvm/smoke || exit 1; \
	done

CHECK_RIG_EXTRA += check-swvm
