#!/bin/sh
# Build the guest (L2) initramfs: newc, uncompressed, owned by 0:0, with
# fixed timestamps so an unchanged input gives a byte-identical archive.
#   usage: mkinitrd.sh OUT BUSYBOX INIT PROGRAM... -- SCRIPT...
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
set -e
out=$1 busybox=$2 init=$3
shift 3
if [ -z "$busybox" ] || [ ! -f "$busybox" ]; then
	echo "guest initrd: no arm64 busybox (BUSYBOX in \$SEAWALL_CACHE/versions.env): run 'bash rig/provision'" >&2
	exit 1
fi
stage=$out.stage
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/etc/seawall" \
	"$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/run" "$stage/root"
cp "$busybox" "$stage/bin/busybox"
cp "$init" "$stage/init"
chmod 755 "$stage/init" "$stage/bin/busybox"
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	cp "$1" "$stage/usr/bin/"
	shift
done
[ "$1" = -- ] && shift
for s in "$@"; do
	cp "$s" "$stage/etc/seawall/"
done
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) > "$out.tmp"
rm -rf "$stage"
if cmp -s "$out.tmp" "$out"; then rm -f "$out.tmp"; else mv "$out.tmp" "$out"; echo "  INITRD $out"; fi
