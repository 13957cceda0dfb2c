# shellcheck shell=bash
# Shared helpers for the rig scripts.  Sourced, never executed.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors

set -euo pipefail

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$RIG_DIR/.." && pwd)
SEAWALL_CACHE=${SEAWALL_CACHE:-$HOME/.cache/seawall}
export SEAWALL_CACHE

say()  { printf '[rig] %s\n' "$*" >&2; }
die()  { printf '[rig] error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch, for stage timings.
now()  { date +%s; }

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (apt, debootstrap and chroot); run as root"
}

# Print the URI of the machine's Debian archive mirror, taken from its own apt
# configuration (deb822 .sources files first, then one-line sources.list).
# $1 = "main" for the archive, "security" for the security archive.
apt_mirror_uri() {
	local want=$1 f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk -v want="$want" '
			/^[[:space:]]*$/ { if (u != "" && ok) { print u; exit } u = ""; ok = 0; next }
			/^URIs:/ { u = $2 }
			/^Suites:/ {
				for (i = 2; i <= NF; i++) {
					if (want == "security" && $i ~ /-security$/) ok = 1
					if (want == "main" && $i !~ /-(security|updates|backports)$/) ok = 1
				}
			}
			END { if (u != "" && ok) print u }' "$f" | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk -v want="$want" '
			$1 == "deb" {
				u = ""; s = ""
				for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { u = $i; s = $(i + 1); break }
				if (u == "") next
				if (want == "security" && s ~ /-security/) { print u; exit }
				if (want == "main" && s !~ /-(security|updates|backports)/) { print u; exit }
			}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

# A private apt state for the suites the rig needs (sid, trixie and
# bookworm-security), per architecture, so the machine's own apt setup is
# never touched.  Usage: rig_apt ARCH apt-get|apt-cache ARGS...
rig_apt_setup() {
	local arch=$1 main sec
	local dir=$SEAWALL_CACHE/apt/$arch
	main=$(apt_mirror_uri main) || die "no Debian mirror found in the apt configuration (/etc/apt)"
	sec=$(apt_mirror_uri security || true)
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc/preferences.d"
	{
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $main sid main"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $main trixie main"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $main bookworm main"
		[ -n "$sec" ] && echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $sec bookworm-security main"
	} > "$dir/etc/sources.list.new"
	if ! cmp -s "$dir/etc/sources.list.new" "$dir/etc/sources.list" 2>/dev/null; then
		mv "$dir/etc/sources.list.new" "$dir/etc/sources.list"
		rm -f "$dir/updated"
	else
		rm -f "$dir/etc/sources.list.new"
	fi
	# Refresh the lists at most once a day, and whenever the sources changed.
	if [ ! -f "$dir/updated" ] || [ -n "$(find "$dir/updated" -mmin +1440 2>/dev/null)" ]; then
		say "apt ($arch): reading package lists of sid, trixie, bookworm-security"
		rig_apt "$arch" apt-get -q update >"$dir/update.log" 2>&1 ||
			{ cat "$dir/update.log" >&2; die "apt-get update for $arch failed"; }
		touch "$dir/updated"
	fi
}

rig_apt() {
	local arch=$1 dir=$SEAWALL_CACHE/apt/$1; shift
	local tool=$1; shift
	"$tool" -o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences="$dir/etc/preferences" \
		-o Dir::Etc::PreferencesParts="$dir/etc/preferences.d" \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::State::Status=/dev/null \
		-o Dir::Cache="$dir/cache" \
		-o APT::Architecture="$arch" -o APT::Architectures="$arch" \
		-o APT::Sandbox::User=root \
		"$@"
}

# Highest version of a package among the configured suites; empty if none.
# Deterministic: apt's version ordering over the same lists.
rig_pkg_version() {
	local arch=$1 pkg=$2
	rig_apt "$arch" apt-cache madison "$pkg" 2>/dev/null |
		awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		sort -V | tail -n1 |
		{ read -r v || true; [ -z "$v" ] || printf '%s\n' "$v"; }
}

# Newest package whose name matches an extended regex; prints "name version".
rig_pkg_newest() {
	local arch=$1 re=$2 name ver best= bestv=
	while read -r name; do
		ver=$(rig_pkg_version "$arch" "$name")
		[ -n "$ver" ] || continue
		if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$bestv" "$ver" | sort -V | tail -n1)" = "$ver" ]; then
			best=$name bestv=$ver
		fi
	done < <(rig_apt "$arch" apt-cache pkgnames 2>/dev/null | grep -E "^($re)\$" | sort)
	[ -n "$best" ] && printf '%s %s\n' "$best" "$bestv"
}

# Download PKG=VERSION for ARCH into the cache; print the .deb path.
rig_fetch_deb() {
	local arch=$1 pkg=$2 ver=$3 dir=$SEAWALL_CACHE/debs f
	mkdir -p "$dir"
	f=$(ls "$dir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		say "downloading $pkg $ver ($arch)"
		(cd "$dir" && rig_apt "$arch" apt-get -q download "$pkg=$ver" >/dev/null) ||
			die "apt-get download $pkg=$ver ($arch) failed"
		f=$(ls "$dir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
		[ -n "$f" ] || die "downloaded $pkg but cannot find its .deb in $dir"
	fi
	printf '%s\n' "$f"
}

# The versions file written by provisioning: KEY=VALUE lines.
RIG_VERSIONS=$SEAWALL_CACHE/versions.env
rig_versions() {
	[ -f "$RIG_VERSIONS" ] || die "the rig is not provisioned: run rig/provision (or make rig)"
	# shellcheck disable=SC1090
	. "$RIG_VERSIONS"
}

# Kernel builds and QEMU boots each take both cores: they run one at a time,
# serialised on this lock (fd 9).  Waiting is announced, not silent.
rig_cpu_lock() {
	# Only for a caller that keeps the CPU in check itself (a nice'd build).
	[ -n "${SEAWALL_NO_LOCK:-}" ] && return 0
	mkdir -p "$SEAWALL_CACHE"
	exec 9>"$SEAWALL_CACHE/cpu.lock"
	if ! flock -n 9; then
		say "waiting for another kernel build or QEMU run to finish (lock $SEAWALL_CACHE/cpu.lock)"
		flock 9
	fi
}
