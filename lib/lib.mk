# libseawall: native shared + static library, the arm64 static library,
# and its installation.  Included from the top-level Makefile.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

LIB_VERSION   := 0.2.0
LIB_SONAME    := libseawall.so.0
LIB_SRCS      := util ledger sigq notify sea kvm journal ctx region isolate event guest
LIB_HDRS      := include/seawall.h include/seawall/kvm.h
LIB_DEPS_H    := $(LIB_HDRS) lib/internal.h lib/lib.mk

# The architecture seam: arm64 vCPU code on arm64, the -EOPNOTSUPP stubs
# elsewhere.  Common code never tests the architecture.
LIB_NATIVE_ARCH := $(if $(filter aarch64-% arm64-%,$(shell $(CC) -dumpmachine 2>/dev/null)),arm64,generic)

LIB_CFLAGS = $(CSTD) $(WARN) $(WERROR) $(HARDEN_CFLAGS) $(OPT) -fPIC -fvisibility=hidden \
             -pthread -D_GNU_SOURCE -DSEAWALL_VERSION_STRING='"$(LIB_VERSION)"' -Iinclude -Ilib

# The 0.1 entry points of the calls whose structs grew in 0.2: shared
# library only (symbol versions mean nothing in an archive).
LIB_COMPAT_SRCS := compat

LIB_NATIVE_OBJS := $(addprefix $(NATIVE)/lib/,$(addsuffix .o,$(LIB_SRCS))) \
                   $(NATIVE)/lib/arch/$(LIB_NATIVE_ARCH)/vcpu.o
LIB_ASAN_OBJS   := $(addprefix $(NATIVE)/lib-asan/,$(addsuffix .o,$(LIB_SRCS))) \
                   $(NATIVE)/lib-asan/arch/$(LIB_NATIVE_ARCH)/vcpu.o
LIB_ARM64_OBJS  := $(addprefix $(ARM64)/lib/,$(addsuffix .o,$(LIB_SRCS))) \
                   $(ARM64)/lib/arch/arm64/vcpu.o
LIB_SO_OBJS     := $(LIB_NATIVE_OBJS) $(addprefix $(NATIVE)/lib/,$(addsuffix .o,$(LIB_COMPAT_SRCS)))

# The installed archives export what the shared library does and nothing
# else: the objects are linked into one, whose hidden (internal) symbols
# are then made local.  Tests and benchmarks that call the internals link
# the plain archives under internal/ instead.
LIB_NATIVE_INTERNAL_A := $(NATIVE)/lib/internal/libseawall.a
LIB_ARM64_INTERNAL_A  := $(ARM64)/lib/internal/libseawall.a
OBJCOPY  ?= objcopy
AOBJCOPY := $(CROSS_COMPILE)objcopy

# No fortify under the sanitizers: ASan checks every access itself, and the
# _chk variants would hide some of them from it.
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
            -U_FORTIFY_SOURCE

.PHONY: lib lib-arm64 lib-asan install install-lib uninstall uninstall-lib

lib: $(NATIVE)/lib/libseawall.a $(NATIVE)/lib/libseawall.so.$(LIB_VERSION) \
     $(NATIVE)/lib/libseawall.pc

lib-arm64: $(ARM64)/lib/libseawall.a

lib-asan: $(NATIVE)/lib-asan/libseawall.a

$(NATIVE)/lib/%.o: lib/%.c $(LIB_DEPS_H)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(NATIVE)/lib-asan/%.o: lib/%.c $(LIB_DEPS_H)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) $(SANITIZE) -c -o $@ $<

$(ARM64)/lib/%.o: lib/%.c $(LIB_DEPS_H)
	@mkdir -p $(dir $@)
	$(ACC) $(LIB_CFLAGS) -c -o $@ $<

$(NATIVE)/lib/libseawall.a: $(LIB_NATIVE_OBJS)
	@rm -f $@ $(@D)/libseawall-all.o
	$(CC) -r -nostdlib -o $(@D)/libseawall-all.o $^
	$(OBJCOPY) --localize-hidden $(@D)/libseawall-all.o
	$(AR) rcs $@ $(@D)/libseawall-all.o

$(LIB_NATIVE_INTERNAL_A): $(LIB_NATIVE_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(NATIVE)/lib-asan/libseawall.a: $(LIB_ASAN_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(ARM64)/lib/libseawall.a: $(LIB_ARM64_OBJS)
	@rm -f $@ $(@D)/libseawall-all.o
	$(ACC) -r -nostdlib -o $(@D)/libseawall-all.o $^
	$(AOBJCOPY) --localize-hidden $(@D)/libseawall-all.o
	$(AAR) rcs $@ $(@D)/libseawall-all.o

$(LIB_ARM64_INTERNAL_A): $(LIB_ARM64_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AAR) rcs $@ $^

$(NATIVE)/lib/libseawall.so.$(LIB_VERSION): $(LIB_SO_OBJS) lib/libseawall.map
	$(CC) $(HARDEN_LDFLAGS) $(LDFLAGS) -shared -pthread -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=lib/libseawall.map -Wl,-z,defs -o $@ $(LIB_SO_OBJS)
	ln -sf libseawall.so.$(LIB_VERSION) $(NATIVE)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(NATIVE)/lib/libseawall.so

# The .pc file names the directories of this build's installation.
LIB_PC_SED = -e 's|@prefix@|$(prefix)|' -e 's|@exec_prefix@|$(exec_prefix)|' \
             -e 's|@libdir@|$(libdir)|' -e 's|@includedir@|$(includedir)|' \
             -e 's|@version@|$(LIB_VERSION)|'

$(NATIVE)/lib/libseawall.pc: lib/libseawall.pc.in lib/lib.mk FORCE-pc
	@mkdir -p $(dir $@)
	@sed $(LIB_PC_SED) $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@"; fi

.PHONY: FORCE-pc
FORCE-pc:

MAN3_PAGES := $(wildcard man/man3/*.3)

install: install-lib
uninstall: uninstall-lib

install-lib: lib
	install -d $(DESTDIR)$(includedir)/seawall $(DESTDIR)$(libdir) $(DESTDIR)$(pkgconfigdir) \
		$(DESTDIR)$(mandir)/man3 $(DESTDIR)$(mandir)/man7
	install -m 644 include/seawall.h $(DESTDIR)$(includedir)/seawall.h
	install -m 644 include/seawall/kvm.h $(DESTDIR)$(includedir)/seawall/kvm.h
	install -m 644 $(NATIVE)/lib/libseawall.a $(DESTDIR)$(libdir)/
	install -m 644 $(NATIVE)/lib/libseawall.so.$(LIB_VERSION) $(DESTDIR)$(libdir)/
	ln -sf libseawall.so.$(LIB_VERSION) $(DESTDIR)$(libdir)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(libdir)/libseawall.so
	install -m 644 $(NATIVE)/lib/libseawall.pc $(DESTDIR)$(pkgconfigdir)/libseawall.pc
	$(if $(MAN3_PAGES),install -m 644 $(MAN3_PAGES) $(DESTDIR)$(mandir)/man3/)
	$(if $(wildcard man/man7/seawall.7),install -m 644 man/man7/seawall.7 $(DESTDIR)$(mandir)/man7/)

# Only what install-lib put there; the directories stay (they may be shared).
uninstall-lib:
	rm -f $(DESTDIR)$(includedir)/seawall.h $(DESTDIR)$(includedir)/seawall/kvm.h \
		$(DESTDIR)$(libdir)/libseawall.a $(DESTDIR)$(libdir)/libseawall.so \
		$(DESTDIR)$(libdir)/$(LIB_SONAME) $(DESTDIR)$(libdir)/libseawall.so.$(LIB_VERSION) \
		$(DESTDIR)$(pkgconfigdir)/libseawall.pc \
		$(addprefix $(DESTDIR)$(mandir)/man3/,$(notdir $(MAN3_PAGES))) \
		$(DESTDIR)$(mandir)/man7/seawall.7
	rmdir $(DESTDIR)$(includedir)/seawall 2>/dev/null || true
