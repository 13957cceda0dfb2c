# Benchmarks: make bench [BENCH_DIR=dir for the journal files].
BENCH_DIR ?= $(NATIVE)

.PHONY: bench

$(NATIVE)/bench/bench: bench/bench.c $(NATIVE)/lib/libseawall.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(WERROR) $(OPT) -pthread -D_GNU_SOURCE -Iinclude -Ilib -o $@ $< \
		$(NATIVE)/lib/libseawall.a

bench: $(NATIVE)/bench/bench
	$(NATIVE)/bench/bench $(BENCH_DIR)
