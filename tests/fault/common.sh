# shellcheck shell=sh
# tests/fault/common.sh: what the fault tests share.  Sourced after the test
# set name=, C= (guest console), E= (swvm stderr); vm= holds swvm's pid.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
n=0 pass=0 fail=0 vm=
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok $n - $2"
	else fail=$((fail + 1)); echo "not ok $n - $2"; fi
}
# Stop swvm (SIGTERM, then SIGKILL after 15 s), show the tails of its
# console and stderr when something failed, close the TAP and exit.
finish() {
	if [ -n "$vm" ] && kill "$vm" 2>/dev/null; then
		i=0
		while kill -0 "$vm" 2>/dev/null && [ $i -lt 15 ]; do sleep 1; i=$((i + 1)); done
		kill -9 "$vm" 2>/dev/null
		wait "$vm" 2>/dev/null
	fi
	if [ "$fail" != 0 ]; then
		echo "# guest console:"; tail -n 60 "$C" | sed 's/^/#   /'
		echo "# swvm stderr:"; tail -n 30 "$E" | sed 's/^/#   /'
	fi
	echo "1..$n"
	echo "$name: $pass passed, $fail failed, 0 skipped"
	[ "$fail" = 0 ]
	exit $?
}
# wait_for FILE ERE SECONDS: until FILE holds a line matching ERE, while
# swvm lives.
wait_for() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -qE "$2" "$1" && return 0
		kill -0 "$vm" 2>/dev/null || break
		sleep 1
		i=$((i + 1))
	done
	grep -qE "$2" "$1"
}
# jf KEY: the first value of "KEY" in the JSON on stdin.
jf() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n1; }
# cpu_ticks: swvm's user + system time minus its time in the guest (ticks)
cpu_ticks() { awk '{ print $14 + $15 - $43 }' /proc/$vm/stat; }
rss() { sed -n 's/^VmRSS:[ \t]*\([0-9]*\).*/\1/p' /proc/$vm/status; }
count() { grep -c "$1" "$2"; }
# skip_unless FILE...: the rig's KVM, swvm and the named files, or a skip.
skip_unless() {
	for f in "$@"; do
		if [ ! -c /dev/kvm ] || [ ! -f "$f" ] || ! command -v swvm >/dev/null; then
			echo "1..0 # SKIP needs /dev/kvm, swvm and $f"
			echo "$name: 0 passed, 0 failed, 1 skipped"
			exit 77
		fi
	done
}
