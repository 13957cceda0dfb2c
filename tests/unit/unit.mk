# Native unit tests: no KVM, seconds.  Every program is built and run
# twice: plain, then with ASan+UBSan; the public headers are compiled on
# their own as C and as C++.  The last line is the CI summary.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

CXX ?= c++
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_CFLAGS = $(CSTD) $(WARN) $(WERROR) $(OPT) -pthread -D_GNU_SOURCE -DSEAWALL_VERSION_STRING='"$(LIB_VERSION)"' \
              -Iinclude -Ilib -Itests/unit
UNIT_BINS      := $(addprefix $(NATIVE)/unit/,$(UNIT_TESTS))
UNIT_ASAN_BINS := $(addprefix $(NATIVE)/unit-asan/,$(UNIT_TESTS))

.PHONY: check-unit unit-build

unit-build: $(UNIT_BINS) $(UNIT_ASAN_BINS)

# The internals' archive: some tests call the library's sw_* functions.
$(NATIVE)/unit/%: tests/unit/%.c tests/unit/tap.h $(LIB_NATIVE_INTERNAL_A)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(LIB_NATIVE_INTERNAL_A)

$(NATIVE)/unit-asan/%: tests/unit/%.c tests/unit/tap.h $(NATIVE)/lib-asan/libseawall.a
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $(SANITIZE) -o $@ $< $(NATIVE)/lib-asan/libseawall.a

check-unit: unit-build lib
	@CC="$(CC)" CXX="$(CXX)" \
	 HDR_CFLAGS="$(CSTD) $(WARN) -Wpedantic $(WERROR) -Iinclude" \
	 HDR_CXXFLAGS="-std=c++11 -Wall -Wextra -Wundef -Wshadow $(WERROR) -Iinclude" \
	 UNIT_TMP="$(NATIVE)" ABI_SO="$(NATIVE)/lib/libseawall.so.$(LIB_VERSION)" \
	 ABI_MAP=lib/libseawall.map ABI_MAN=man/man3 \
	 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	 sh tests/unit/run.sh --headers $(UNIT_BINS) $(UNIT_ASAN_BINS)

$(NATIVE)/unit/test_metrics_swvm_opts $(NATIVE)/unit-asan/test_metrics_swvm_opts: vmm/options.c vmm/swvm.h

# swvm's control socket, built from its sources (vmm/control.c with the KVM side stubbed).
$(NATIVE)/unit/test_swvm_control $(NATIVE)/unit-asan/test_swvm_control: vmm/control.c vmm/proto.c \
	vmm/options.c vmm/swvm.h vmm/vm.h

# swvm's signal thread (SIGHUP reopens the events log), from vmm/main.c with the rest stubbed.
$(NATIVE)/unit/test_swvm_sighup $(NATIVE)/unit-asan/test_swvm_sighup: vmm/main.c vmm/options.c \
	vmm/swvm.h vmm/vm.h
