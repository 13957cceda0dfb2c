#!/bin/sh
# Replay each harness's committed corpus; one summary line at the end.
#   usage: run.sh CORPUS_DIR REPLAY_BINARY...
# A binary fuzz_NAME replays CORPUS_DIR/NAME; an empty or missing corpus
# is a failure, so a corpus that went missing cannot pass unnoticed.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
corpus=$1; shift
inputs=0 failed=0
for bin in "$@"; do
	t=$(basename "$bin" | sed 's/^fuzz_//')
	n=$(ls "$corpus/$t" 2>/dev/null | wc -l)
	if [ "$n" = 0 ]; then
		echo "FAIL $t: no corpus in $corpus/$t"; failed=$((failed + 1)); continue
	fi
	out=$(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$bin" "$t" "$corpus/$t" 2>&1)
	printf '%s\n' "$out" | grep -v ' inputs, [0-9]* failed$' | sed "s|^|$t: |"
	last=$(printf '%s\n' "$out" | tail -1)
	i=$(echo "$last" | sed -n 's/^.*: \([0-9]*\) inputs, \([0-9]*\) failed$/\1/p')
	f=$(echo "$last" | sed -n 's/^.*: \([0-9]*\) inputs, \([0-9]*\) failed$/\2/p')
	[ -n "$i" ] || { echo "FAIL $t: replay did not finish"; failed=$((failed + 1)); continue; }
	echo "$([ "$f" = 0 ] && echo PASS || echo FAIL) $t: $i inputs, $f failed"
	inputs=$((inputs + i)); failed=$((failed + f))
done
echo "fuzz-replay: $inputs inputs, $failed failed"
[ $failed = 0 ]
