#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
#
# make check-pkg (tests/pkg/pkg.mk): build the Debian packages from a copy
# of the tree, lintian them, install them and build a program against them.
#
#   0. reuse lint on the copy (licences, SPDX and copyright lines);
#   1. the tree (tracked and untracked-but-not-ignored files: what a commit
#      of the work tree would hold) is copied to a temporary directory
#      outside it, and dpkg-buildpackage -us -uc -b runs there, so the work
#      tree is left as it was;
#   2. the packages hold what debian/*.install promise (swvm on arm64 only);
#   3. lintian: any E: fails (W: is shown, not fatal);
#   4. unpacked (dpkg -x, no root): tests/pkg/consumer.c built with
#      `pkg-config --cflags --libs libseawall` against the unpacked files,
#      dynamically (run against the packaged libseawall.so.0) and -static;
#   5. installed on a clean Debian 12 (root only): a copy of rig/fresh-host's
#      cached debootstrap of bookworm (made here with debootstrap when there
#      is none), where apt-get installs the three .debs with gcc, libc6-dev
#      and pkgconf; the program is built and run there, the seawall command
#      runs, and a purge leaves none of the packages' files behind.
#
# Environment: SEAWALL_CACHE (rig cache), PKG_BUILD_OPTIONS (DEB_BUILD_OPTIONS
# for the build; pkg.mk passes nocheck), PKG_KEEP=1 keeps the temporary
# directory.  Closing line: "pkg: N passed, N failed, N skipped"; exit 0
# only when nothing failed.
set -u

top=$(pwd)
pass=0 fail=0 skip=0
ok()      { pass=$((pass + 1)); echo "PASS pkg: $*"; }
bad()     { fail=$((fail + 1)); echo "FAIL pkg: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIP pkg: $*"; }
finish() {
	echo "pkg: $pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit
}

SEAWALL_CACHE=${SEAWALL_CACHE:-$HOME/.cache/seawall}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/seawall-pkg.XXXXXX") || { bad "mktemp"; finish; }
root=$tmp/root

undo_mounts() {
	local m
	[ -d "$root" ] || return 0
	awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
	undo_mounts
	if [ -n "${PKG_KEEP:-}" ]; then
		echo "pkg: kept $tmp"
	else
		rm -rf --one-file-system "$tmp"
	fi
}
trap cleanup EXIT

# A clean build: nothing of the make that runs this (its jobserver, its
# command-line variables, the exported WERROR of make check) leaks into it.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES WERROR
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

for c in dpkg-buildpackage dh lintian fakeroot pkg-config gcc; do
	command -v "$c" >/dev/null ||
		{ bad "no $c: make host-deps installs it (rig/provision HOST_PKGS)"; finish; }
done
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

# 1. The copy, and the build.
src=$tmp/seawall
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# A tracked file deleted in the work tree is not copied.
	(cd "$top" && git ls-files -z -co --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$src" -xf -
else
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
fi
# 0. Licensing: reuse lint on the copy (every file has its SPDX and
#    copyright lines, or a .reuse/dep5 entry; every licence has its text in
#    LICENSES/).  One known exception: a context line of a kernel patch
#    quotes the kernel's old "GPL-2.0" tag, which reuse 1.1 reads as ours
#    (the patches' bytes cannot change; see .reuse/dep5).
if command -v reuse >/dev/null; then
	out=$(cd "$src" && reuse lint 2>&1 | sed "s|$src/||g")
	rest=$(printf '%s\n' "$out" | sed '/^# SUMMARY/,$d' | grep -v -e '^$' \
		-e '^# MISSING LICENSES$' -e '^reuse.project - WARNING - could not find supported VCS$' -e "^'GPL-2.0' found in:$" -e '^\* kernel/patches/.*\.patch$')
	missing=$(printf '%s\n' "$out" | sed -n 's/^\* Missing licenses: *//p')
	if grep -q 'REUSE Specification :-)' <<< "$out" ||
	   { [ -z "$rest" ] && [ "$missing" = GPL-2.0 ]; }; then
		ok "reuse lint (REUSE 3.0: SPDX and copyright on every file, licence texts in LICENSES/)"
	else
		printf '%s\n' "$rest" | head -n 40 | sed 's/^/  /'
		bad "reuse lint: files without licence or copyright information (above)"
	fi
else
	bad "no reuse: make host-deps installs it (rig/provision HOST_PKGS)"
fi

echo "pkg: dpkg-buildpackage -us -uc -b in $src (DEB_BUILD_OPTIONS=${PKG_BUILD_OPTIONS-})"
if (cd "$src" && DEB_BUILD_OPTIONS=${PKG_BUILD_OPTIONS-} dpkg-buildpackage -us -uc -b) \
		> "$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage"
else
	tail -n 40 "$tmp/build.log" | sed 's/^/  /'
	bad "dpkg-buildpackage (log above)"
	finish
fi

# 2. What each package holds.
debs=()
for p in libseawall0 libseawall-dev seawall; do
	d=$(ls "$tmp/${p}_"*"_$arch.deb" 2>/dev/null | head -n1)
	if [ -z "$d" ]; then
		bad "no $p package"
		continue
	fi
	debs+=("$d")
done
[ "${#debs[@]}" = 3 ] || finish

contents() { dpkg-deb -c "$tmp/${1}_"*"_$arch.deb" | awk '{ print $6 }'; }
want_in() {
	local pkg=$1 missing=() f list
	shift
	list=$(contents "$pkg")
	for f in "$@"; do
		grep -qx -- "$f" <<< "$list" || missing+=("$f")
	done
	if [ ${#missing[@]} = 0 ]; then
		ok "$pkg holds $*"
	else
		bad "$pkg lacks ${missing[*]}"
	fi
}
want_in libseawall0 "./usr/lib/$ma/libseawall.so.0"
want_in libseawall-dev ./usr/include/seawall.h ./usr/include/seawall/kvm.h \
	"./usr/lib/$ma/libseawall.so" "./usr/lib/$ma/libseawall.a" \
	"./usr/lib/$ma/pkgconfig/libseawall.pc" ./usr/share/man/man3/seawall_ctx_new.3.gz \
	./usr/share/man/man7/seawall.7.gz
want_in seawall ./usr/bin/seawall ./usr/share/man/man1/seawall.1.gz \
	./usr/share/man/man8/seawall-agent.8.gz
if [ "$arch" = arm64 ]; then
	want_in seawall ./usr/bin/swvm ./usr/share/man/man1/swvm.1.gz
elif contents seawall | grep -q swvm; then
	bad "seawall holds swvm on $arch (it drives KVM on arm64 only)"
else
	ok "seawall on $arch: no swvm (arm64 only)"
fi

# 3. lintian: errors fail.
lint_root=
[ "$(id -u)" = 0 ] && lint_root=--allow-root
lintian $lint_root "$tmp"/seawall_*_"$arch".changes > "$tmp/lintian.log" 2>&1
nerr=$(grep -c '^E: ' "$tmp/lintian.log")
nwarn=$(grep -c '^W: ' "$tmp/lintian.log")
grep -E '^(E|W): ' "$tmp/lintian.log" | sed 's/^/  /'
if [ "$nerr" = 0 ]; then
	ok "lintian: 0 errors, $nwarn warnings"
else
	bad "lintian: $nerr errors, $nwarn warnings"
fi

# What the consumer prints, as the library decodes its SEA.
expect="libseawall 0.2: ec 0x24 gpa 0x8001000 source sea"

# 4. The unpacked packages: pkg-config with a sysroot.
x=$tmp/unpacked
for d in "${debs[@]}"; do dpkg-deb -x "$d" "$x"; done
pc() {
	PKG_CONFIG_SYSROOT_DIR=$x PKG_CONFIG_LIBDIR=$x/usr/lib/$ma/pkgconfig \
		pkg-config "$@" libseawall
}
if flags=$(pc --cflags --libs) &&
   gcc -o "$tmp/consumer" "$top/tests/pkg/consumer.c" $flags 2> "$tmp/cc.log"; then
	out=$(LD_LIBRARY_PATH=$x/usr/lib/$ma "$tmp/consumer" 2>&1 | head -n1)
	lib=$(LD_LIBRARY_PATH=$x/usr/lib/$ma ldd "$tmp/consumer" | awk '$1 == "libseawall.so.0" { print $3 }')
	if [ "$out" = "$expect" ] && [ "$lib" = "$x/usr/lib/$ma/libseawall.so.0" ]; then
		ok "unpacked: cc \$(pkg-config --cflags --libs libseawall) links libseawall.so.0 and runs"
	else
		bad "unpacked: the program printed '$out' (want '$expect'), libseawall.so.0 from '$lib'"
	fi
else
	sed 's/^/  /' "$tmp/cc.log" 2>/dev/null
	bad "unpacked: pkg-config or the compiler failed (flags: ${flags:-none})"
fi
if flags=$(pc --static --cflags --libs) &&
   gcc -static -o "$tmp/consumer-static" "$top/tests/pkg/consumer.c" $flags 2> "$tmp/cc.log" &&
   [ "$("$tmp/consumer-static" | head -n1)" = "$expect" ]; then
	ok "unpacked: -static with pkg-config --static (libseawall.a, Libs.private)"
else
	sed 's/^/  /' "$tmp/cc.log" 2>/dev/null
	bad "unpacked: -static \$(pkg-config --static --cflags --libs libseawall)"
fi

# 5. A clean Debian 12 root.
pristine=$SEAWALL_CACHE-fresh-host/pristine
if [ "$(id -u)" != 0 ]; then
	skipped "clean Debian 12 root: needs root (chroot, apt-get)"
	finish
fi
if [ ! -f "$pristine/.seawall-ok" ] && command -v debootstrap >/dev/null; then
	# The same root rig/fresh-host makes and caches (it reuses this one).
	uri=$(bash -c '. rig/common.sh && apt_mirror_uri main' 2>/dev/null)
	if [ -n "$uri" ]; then
		echo "pkg: debootstrap --variant=minbase --include=make bookworm into $pristine (about 1 min)"
		rm -rf --one-file-system "$pristine"
		mkdir -p "$(dirname "$pristine")"
		if debootstrap --variant=minbase --include=make bookworm "$pristine" "$uri" \
				> "$tmp/debootstrap.log" 2>&1; then
			date -u +%FT%TZ > "$pristine/.seawall-ok"
		else
			tail -n 20 "$tmp/debootstrap.log" | sed 's/^/  /'
		fi
	fi
fi
if [ ! -f "$pristine/.seawall-ok" ]; then
	skipped "clean Debian 12 root: none cached in $pristine and debootstrap could not make one"
	finish
fi

cp -a "$pristine" "$root"
rm -f "$root/etc/apt/sources.list"
mkdir -p "$root/etc/apt/sources.list.d"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && cp "$f" "$root$f"
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
apt-config dump 2>/dev/null |
	grep -E '^Acquire::(Check-Valid-Until|Check-Date|Retries|(https?|ftp)::Proxy)' \
	> "$root/etc/apt/apt.conf.d/99seawall-host-acquire" || true
mount -t proc proc "$root/proc"
# The downloads are kept between runs (apt checks every file it takes).
mkdir -p "$SEAWALL_CACHE/pkg-apt-archives/partial"
mount --bind "$SEAWALL_CACHE/pkg-apt-archives" "$root/var/cache/apt/archives"
mkdir -p "$root/tmp/pkg"
cp "${debs[@]}" "$top/tests/pkg/consumer.c" "$root/tmp/pkg/"

in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c "$1" </dev/null
}
echo "pkg: clean Debian 12 root from the debootstrap of $(cat "$pristine/.seawall-ok"): apt-get install the packages, gcc, libc6-dev, pkgconf"
if in_root 'apt-get -q update && apt-get -q -y --no-install-recommends install \
		/tmp/pkg/*.deb gcc libc6-dev pkgconf' > "$tmp/apt.log" 2>&1; then
	ok "clean root: apt-get install ./libseawall0 ./libseawall-dev ./seawall"
else
	tail -n 20 "$tmp/apt.log" | sed 's/^/  /'
	bad "clean root: apt-get install (log above)"
	finish
fi
out=$(in_root 'cd /tmp/pkg && gcc -o consumer consumer.c $(pkg-config --cflags --libs libseawall) &&
	./consumer | head -n1 && ldd ./consumer | grep libseawall' 2>&1)
if [ "$(head -n1 <<< "$out")" = "$expect" ] &&
   grep -q "libseawall.so.0 => /lib/$ma/libseawall.so.0\|libseawall.so.0 => /usr/lib/$ma/libseawall.so.0" <<< "$out"; then
	ok "clean root: cc \$(pkg-config --cflags --libs libseawall) builds a program that runs on the installed library"
else
	sed 's/^/  /' <<< "$out"
	bad "clean root: the program (want '$expect' and the installed libseawall.so.0)"
fi
out=$(in_root 'seawall --help; echo "exit $?"' 2>&1)
if grep -q '^exit 0$' <<< "$out" && grep -qi 'usage' <<< "$out"; then
	ok "clean root: seawall --help"
else
	sed 's/^/  /' <<< "$out" | tail -n 10
	bad "clean root: seawall --help"
fi
out=$(in_root 'dpkg --purge seawall libseawall-dev libseawall0 >/dev/null &&
	ls /usr/include/seawall.h /usr/include/seawall /usr/lib/*/libseawall* /usr/lib/*/pkgconfig/libseawall.pc \
	   /usr/bin/seawall /usr/bin/swvm /usr/share/man/man3/seawall_ctx_new.3.gz 2>/dev/null; echo done' 2>&1)
if [ "$out" = done ]; then
	ok "clean root: dpkg --purge leaves none of the packages' files"
else
	sed 's/^/  /' <<< "$out"
	bad "clean root: after dpkg --purge"
fi
finish
