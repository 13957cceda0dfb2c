#!/bin/sh
# libseawall's ABI, on the build host (no KVM, no QEMU): TAP, then one
# summary line.  Run by `make check-abi` (and so by `make check-unit`),
# which builds everything first.
# Environment: ABI_DIR (the built programs), LIB_DIR (libseawall.so.0 and
# libseawall.a), ARM64_LIB (the arm64 libseawall.a, checked when built),
# NM, ARM64_NM, OBJDUMP, MAP (lib/libseawall.map), MAP01 (0.1's map).
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
n=0 failed=0 skipped=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - # SKIP $*"; }
NM=${NM:-nm}
OBJDUMP=${OBJDUMP:-objdump}
so=$LIB_DIR/libseawall.so.0

# The programs: abi01 runs against today's library through the soname.
for t in abi01 opts opts-static; do
	out=$(LD_LIBRARY_PATH=$LIB_DIR "$ABI_DIR/$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^ok ' | sed "s|^|# $t: |"
	if [ $rc = 0 ]; then ok "$t ($(printf '%s\n' "$out" | grep -c '^ok ') checks)"
	else bad "$t (exit $rc)"; fi
done

# abi01 was linked as in 0.1's time: every libseawall symbol it uses binds
# to LIBSEAWALL_0.1, the changed calls included (so it reaches lib/compat.c).
refs=$($OBJDUMP -T "$ABI_DIR/abi01" | awk '$NF ~ /^seawall_/ { print $(NF - 1), $NF }')
changed=$(printf '%s\n' "$refs" | awk '{ print $2 }' | while read -r f; do
	awk -v f="$f;" '/^LIBSEAWALL_0.2/ { in2 = 1 } in2 && $1 == f { print substr(f, 1, length(f) - 1) }' "$MAP"
done)
if [ -n "$refs" ] && [ -z "$(printf '%s\n' "$refs" | grep -v '^(LIBSEAWALL_0.1) ')" ] && [ -n "$changed" ]; then
	ok "abi01 binds to @LIBSEAWALL_0.1, changed calls too: $(echo $changed)"
else
	bad "abi01's bindings"; printf '%s\n' "$refs" | sed 's/^/#   /'
fi

# Every 0.1 name is still exported at LIBSEAWALL_0.1: by default (@@) when
# unchanged, as a compat version (@) when it moved to a later node.
dyn=$($NM -D --defined-only "$so" | awk '{ print $3 }')
missing=0
for f in $(sed -n 's/^[[:space:]]*\(seawall_[a-z0-9_]*\);$/\1/p' "$MAP01"); do
	printf '%s\n' "$dyn" | grep -qE "^$f@@?LIBSEAWALL_0\.1\$" || { missing=$((missing + 1)); echo "#   $f@LIBSEAWALL_0.1 missing"; }
done
if [ $missing = 0 ]; then ok "every 0.1 function is exported at LIBSEAWALL_0.1"
else bad "$missing 0.1 functions lost their LIBSEAWALL_0.1 version"; fi

# Exactly the API is global: seawall_* (and, in the .so, the version nodes).
exports() { # FILE NM [-D]
	"$2" -g --defined-only $3 "$1" 2>/dev/null | awk 'NF == 3 { sub(/@.*/, "", $3); print $3 }' |
		grep -vE '^seawall_[a-z0-9_]+$|^LIBSEAWALL_[0-9.]+$' | sort -u
}
for a in "$LIB_DIR/libseawall.a:$NM" "$so:$NM:-D" "${ARM64_LIB:-none}:${ARM64_NM:-none}"; do
	f=${a%%:*} rest=${a#*:} tool=${rest%%:*} flag=
	case $rest in *:-D) flag=-D ;; esac
	if [ ! -f "$f" ] || ! command -v "$tool" >/dev/null 2>&1; then
		skip "exports of ${f#"${O:-}"}: not built, or no $tool"; continue
	fi
	if ! "$tool" -g --defined-only $flag "$f" >/dev/null 2>&1; then bad "$tool cannot read $f"; continue; fi
	extra=$(exports "$f" "$tool" "$flag")
	count=$("$tool" -g --defined-only $flag "$f" | grep -c ' seawall_')
	if [ -z "$extra" ] && [ "$count" -gt 0 ]; then ok "$(basename "$f") ($f): only seawall_* global ($count)"
	else bad "$(basename "$f") ($f) exports more than seawall_*:"; printf '%s\n' "$extra" | head -20 | sed 's/^/#   /'; fi
done

# seawall(7)'s example, extracted from the page by make: it needs KVM on
# arm64 to run, so compiling it against the 0.2 header and linking it is
# the check here.
if [ -x "$ABI_DIR/example01" ]; then ok "example01 from seawall(7) compiles and links (not run: needs KVM/arm64)"
else bad "example01 was not built"; fi
if [ -f "$ABI_DIR/example01-arm64.o" ]; then ok "example01 compiles for arm64"
else skip "example01 for arm64: no cross compiler"; fi

# Man pages: groff without warnings (from man/, where a .so link's path
# resolves, as man(1) does under a mandir), NAME lines whole.
if command -v groff >/dev/null 2>&1; then
	nw=0
	for p in man/man*/*.[1-8]; do
		w=$(cd man && groff -ww -z -man "${p#man/}" 2>&1)
		[ -z "$w" ] || { nw=$((nw + 1)); printf '%s\n' "$w" | sed "s|^|#   $p: |"; }
	done
	if [ $nw = 0 ]; then ok "man pages render without groff warnings"; else bad "$nw man pages warn"; fi
else
	skip "no groff"
fi
cut=
for p in man/man*/*.[1-8]; do
	sed -n '/^\.SH NAME/{n;p;}' "$p" | grep -q '\.\.\.$' && cut="$cut $p"
done
if [ -z "$cut" ]; then ok "no NAME line is truncated"; else bad "truncated NAME lines:$cut"; fi

echo "1..$n"
echo "abi: $((n - failed - skipped)) passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
