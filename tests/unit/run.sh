#!/bin/sh
# Run the unit test programs given as arguments, then the header
# self-containment checks; print one summary line at the very end.
#   usage: run.sh [--headers] PROGRAM...
# Environment: CC, CXX, HDR_CFLAGS, HDR_CXXFLAGS, UNIT_TMP.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
pass=0 fail=0 skip=0
headers=0
if [ "$1" = "--headers" ]; then headers=1; shift; fi

for t in "$@"; do
	name=$(basename "$(dirname "$t")")/$(basename "$t")
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s|^|$name: |"
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name" ;;
	77) skip=$((skip + 1)); echo "SKIP $name" ;;
	*) fail=$((fail + 1)); echo "FAIL $name (exit $rc)" ;;
	esac
done

if [ $headers = 1 ]; then
	tmp=${UNIT_TMP:-/tmp}/seawall-hdr.$$
	mkdir -p "$tmp"
	for h in seawall.h seawall/kvm.h; do
		for lang in c c++; do
			if [ $lang = c ]; then src=$tmp/h.c; cc=${CC:-cc}; fl=$HDR_CFLAGS
			else src=$tmp/h.cc; cc=${CXX:-c++}; fl=$HDR_CXXFLAGS; fi
			printf '#include <%s>\n#include <%s>\nint seawall_hdr_probe;\n' "$h" "$h" > "$src"
			if $cc $fl -c -o "$tmp/h.o" "$src" 2> "$tmp/err"; then
				pass=$((pass + 1)); echo "PASS header $h alone, twice, as $lang"
			else
				fail=$((fail + 1)); echo "FAIL header $h as $lang"; sed 's/^/  /' "$tmp/err"
			fi
		done
	done
	rm -rf "$tmp"
fi

# ABI: the shared library exports exactly the version script's symbols,
# each as the default version of the node that lists it (name@@NODE), plus
# only old versions (name@NODE, lib/compat.c) of nodes the script has; and
# every one of them has a man page.
if [ -n "$ABI_SO" ] && [ -n "$ABI_MAP" ]; then
	want=$(awk '/^[A-Z0-9_.]+ *\{/ { node = $1 } $1 ~ /^seawall_[a-z0-9_]*;$/ { sub(/;/, "", $1); print $1 "@@" node }' "$ABI_MAP" | sort)
	nodes=$(sed -n 's/^\([A-Z0-9_.]*\) *{.*/\1/p' "$ABI_MAP")
	syms=$(nm -D --defined-only "$ABI_SO" | awk '$2 == "T" { print $3 }')
	got=$(printf '%s\n' "$syms" | grep '@@' | sort)
	old=$(printf '%s\n' "$syms" | grep -v '@@' | sed 's/.*@//' | sort -u)
	strays=0
	for n in $old; do printf '%s\n' "$nodes" | grep -qx "$n" || strays=$((strays + 1)); done
	if [ "$want" = "$got" ] && [ "$(printf '%s\n' "$syms" | grep -vc @)" = 0 ] && [ $strays = 0 ]; then
		pass=$((pass + 1)); echo "PASS exports match the version script ($(echo "$got" | wc -l) symbols)"
	else
		fail=$((fail + 1)); echo "FAIL exports differ from the version script"
		printf '%s\n' "$want" > "${UNIT_TMP:-/tmp}/abi.want"; printf '%s\n' "$syms" | diff "${UNIT_TMP:-/tmp}/abi.want" - | sed 's/^/  /'
	fi
	want=$(printf '%s\n' "$want" | sed 's/@.*//')
	missing=0
	for f in $want; do [ -f "${ABI_MAN:-man/man3}/$f.3" ] || { missing=$((missing + 1)); echo "  no man page: $f"; }; done
	if [ $missing = 0 ]; then pass=$((pass + 1)); echo "PASS every exported function has a man3 page"
	else fail=$((fail + 1)); echo "FAIL $missing exported functions lack a man3 page"; fi
fi

echo "unit: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
