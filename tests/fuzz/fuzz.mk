# Fuzzing (tests/fuzz/README.md).  Included from the top-level Makefile.
#
#   make fuzz [FUZZ_SECONDS=30] [FUZZ_TARGETS="sea_decode ..."]
#        each harness under libFuzzer (clang, ASan+UBSan) for that long,
#        over its committed corpus; new inputs go to $(O)/native/fuzz/new/,
#        crashes to $(O)/native/fuzz/crash/
#   make fuzz-merge   add to the corpus the new inputs that reach new edges
#   make check-fuzz   replay every committed input under ASan+UBSan, built
#                     without libFuzzer (any compiler; part of make check)
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CORPUS  := tests/fuzz/corpus
FUZZ_DIR     := $(NATIVE)/fuzz
FUZZ_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CSTD) $(WARN) $(WERROR) $(OPT) -pthread -D_GNU_SOURCE -Iinclude -Ilib -Ivmm -Itools

# The library again, instrumented for coverage, for the libFuzzer builds.
FUZZ_LIB_OBJS := $(addprefix $(FUZZ_DIR)/lib/,$(addsuffix .o,$(LIB_SRCS))) \
                 $(FUZZ_DIR)/lib/arch/$(LIB_NATIVE_ARCH)/vcpu.o
FUZZ_BINS     := $(addprefix $(FUZZ_DIR)/bin/fuzz_,$(FUZZ_TARGETS))
FUZZ_REPLAYS  := $(addprefix $(NATIVE)/fuzz-replay/fuzz_,$(FUZZ_TARGETS))
FUZZ_DEPS     := tests/fuzz/fuzz.h vmm/proto.c vmm/notify.c vmm/loader.c vmm/swvm.h tools/json.c tools/json.h \
                 $(LIB_DEPS_H)

.PHONY: fuzz fuzz-build fuzz-merge check-fuzz fuzz-replay-build

$(FUZZ_DIR)/lib/%.o: lib/%.c $(LIB_DEPS_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(LIB_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/bin/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS) $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS)

$(NATIVE)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_DEPS) \
		$(NATIVE)/lib-asan/libseawall.a
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) $(SANITIZE) -o $@ $< tests/fuzz/replay.c $(NATIVE)/lib-asan/libseawall.a

fuzz-build: $(FUZZ_BINS)
fuzz-replay-build: $(FUZZ_REPLAYS)

# nice: the fuzzers share the machine with builds and emulators.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/new/$$t $(FUZZ_DIR)/crash; \
		echo "fuzz $$t: $(FUZZ_SECONDS) s"; \
		nice -n 19 $(FUZZ_DIR)/bin/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crash/$$t- \
			$(FUZZ_DIR)/new/$$t $(FUZZ_CORPUS)/$$t > $(FUZZ_DIR)/$$t.log 2>&1; \
		rc=$$?; \
		grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)' \
			$(FUZZ_DIR)/$$t.log | sed "s|^|  |"; \
		if [ $$rc != 0 ]; then tail -40 $(FUZZ_DIR)/$$t.log; exit 1; fi; \
	done

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		nice -n 19 $(FUZZ_DIR)/bin/fuzz_$$t -merge=1 -use_counters=0 $(FUZZ_CORPUS)/$$t \
			$(FUZZ_DIR)/new/$$t 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files' | sed "s|^|$$t: |"; \
	done

check-fuzz: fuzz-replay-build
	@sh tests/fuzz/run.sh $(FUZZ_CORPUS) $(FUZZ_REPLAYS)

# Kept between runs (they are only reached through pattern rules).
.SECONDARY: $(FUZZ_LIB_OBJS)
