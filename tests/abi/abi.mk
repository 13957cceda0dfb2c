# libseawall's ABI on the build host: a program built against the 0.1
# header and a 0.1 link-time library runs against today's libseawall.so
# (abi01), the 0.2 header's SEAWALL_OPTS() and seawall_version() with the
# shared and the static library (opts, opts-static), seawall(7)'s example
# compiled and linked, the exported symbols of every library, the man
# pages.  `make check-unit` runs it first.  Included from the top Makefile.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

ABI_DIR    := $(NATIVE)/abi
ABI_CFLAGS  = $(CSTD) $(WARN) $(WERROR) $(OPT) -pthread -D_GNU_SOURCE -Itests/unit
ABI_SO      = $(NATIVE)/lib/libseawall.so.$(LIB_VERSION)
ABI_01_HDRS := tests/abi/include-0.1/seawall.h tests/abi/include-0.1/seawall/kvm.h

.PHONY: check-abi abi-build

# With the cross compiler, the arm64 archive too: its exports are checked.
abi-build: $(ABI_DIR)/abi01 $(ABI_DIR)/opts $(ABI_DIR)/opts-static $(ABI_DIR)/example01 \
	   $(if $(shell command -v $(ACC)),$(ABI_DIR)/example01-arm64.o $(ARM64)/lib/libseawall.a)

# 0.1's libseawall.so.0 as a linker saw it: every 0.1 function, under
# LIBSEAWALL_0.1 (empty bodies: never run, only linked against).
$(ABI_DIR)/stub01/libseawall.so.0: tests/abi/libseawall-0.1.map
	@mkdir -p $(@D)
	sed -n 's/^[[:space:]]*\(seawall_[a-z0-9_]*\);$$/void \1(void); void \1(void) {}/p' $< > $(@D)/stub.c
	$(CC) -shared -fPIC -o $@ -Wl,-soname,libseawall.so.0 -Wl,--version-script=$< $(@D)/stub.c

$(ABI_DIR)/abi01: tests/abi/abi01.c $(ABI_01_HDRS) tests/unit/tap.h $(ABI_DIR)/stub01/libseawall.so.0
	$(CC) $(ABI_CFLAGS) -Itests/abi/include-0.1 -o $@ $< $(ABI_DIR)/stub01/libseawall.so.0

$(ABI_DIR)/opts: tests/abi/opts.c $(LIB_HDRS) tests/unit/tap.h $(ABI_SO)
	@mkdir -p $(@D)
	$(CC) $(ABI_CFLAGS) -Iinclude -DABI_LIB_VERSION='"$(LIB_VERSION)"' -o $@ $< $(ABI_SO)

# The archive has no symbol versions: only the 0.2 calls, which must link.
$(ABI_DIR)/opts-static: tests/abi/opts.c $(LIB_HDRS) tests/unit/tap.h $(NATIVE)/lib/libseawall.a
	@mkdir -p $(@D)
	$(CC) $(ABI_CFLAGS) -Iinclude -DABI_LIB_VERSION='"$(LIB_VERSION)"' -o $@ $< \
		$(NATIVE)/lib/libseawall.a

# The example of seawall(7), between its roff comment markers, unescaped:
# the page and the program cannot drift apart.
$(ABI_DIR)/example01.c: man/man7/seawall.7
	@mkdir -p $(@D)
	sed -n '/^\.\\" example01 begin/,/^\.\\" example01 end/{/^\.\\"/d;s/^\\&//;s/\\e/\\/g;s/\\-/-/g;p;}' $< > $@
	@test -s $@ || { echo "no example01 in $<"; rm -f $@; exit 1; }

# As a user would build it: the program defines _GNU_SOURCE itself.
$(ABI_DIR)/example01: $(ABI_DIR)/example01.c $(LIB_HDRS) $(ABI_SO)
	$(CC) $(CSTD) $(WARN) $(WERROR) $(OPT) -Iinclude -o $@ $< $(ABI_SO) -pthread

# Its arm64 side (KVM_ARM_VCPU_INIT) compiles only with the cross compiler.
$(ABI_DIR)/example01-arm64.o: $(ABI_DIR)/example01.c $(LIB_HDRS)
	$(ACC) $(CSTD) $(WARN) $(WERROR) $(OPT) -Iinclude -c -o $@ $<

check-abi: abi-build lib
	@ABI_DIR=$(ABI_DIR) LIB_DIR=$(NATIVE)/lib O=$(O)/ MAP=lib/libseawall.map \
	 MAP01=tests/abi/libseawall-0.1.map OBJDUMP=objdump NM=nm \
	 ARM64_LIB=$(ARM64)/lib/libseawall.a ARM64_NM=$(CROSS_COMPILE)nm \
	 sh tests/abi/run.sh

check-unit: check-abi
