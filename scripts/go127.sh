#!/bin/bash
# go127.sh - make Go 1.27 available without installing anything into the system.
#
#   scripts/go127.sh            prints the GOROOT of a working Go 1.27 as its last line
#   GOROOT=$(scripts/go127.sh | tail -n 1) && "$GOROOT/bin/go" version
#
# Debian ships Go 1.27 only in unstable (golang-1.27-go, golang-1.27-src).
# This script gives apt a sources list of its own for that suite and a lists,
# cache and state directory of its own, runs `apt-get update` and
# `apt-get download` with them, and unpacks the two .deb files with
# `dpkg -x` into $CACHE/go1.27 (nothing is installed; dpkg's database and
# /etc/apt are never written). golang-1.27-go depends on golang-1.27-src
# only; its Recommends (gcc, libc6-dev, pkgconf) are for cgo, which a
# stdlib program built with CGO_ENABLED=0 does not need. The unpacked
# toolchain must then build and run a small program before it is used.
#
# Idempotent: once unpacked and checked (the marker file .ok), it only prints
# the GOROOT. Safe to run concurrently (flock). Progress goes to stderr; on
# failure: one line "go127.sh: <reason>" on stderr, exit status 1.
#
# Environment:
#   PPROFTOP_CACHE         cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/pproftop;
#                          build/cache in the checkout when that is not writable)
#   PPROFTOP_DEBIAN_MIRROR Debian mirror (default: the one in /etc/apt/sources.list*,
#                          else http://deb.debian.org/debian)
#   GO127_FORCE=1          unpack again even when already done
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
SUITE=unstable
PKGS=(golang-1.27-go golang-1.27-src)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() {
	echo "go127.sh: $*" >&2
	exit 1
}
say() { echo "go127.sh: $*" >&2; }

# ------------------------------------------------------------ where
cache=${PPROFTOP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/pproftop}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	[ -n "${PPROFTOP_CACHE:-}" ] && die "cannot write the cache directory $cache"
	cache=$root/build/cache
	mkdir -p "$cache" 2>/dev/null || die "cannot write $cache either"
fi
dest=$cache/go1.27
goroot=$dest/usr/lib/go-1.27

command -v flock >/dev/null 2>&1 || die "flock not found (util-linux)"
exec 9>"$cache/go1.27.lock" || die "cannot open $cache/go1.27.lock"
flock -w 600 9 || die "another go127.sh has held $cache/go1.27.lock for 10 minutes"

if [ "${GO127_FORCE:-0}" != 1 ] && [ -f "$dest/.ok" ] && [ -x "$goroot/bin/go" ]; then
	echo "$goroot"
	exit 0
fi

for t in apt-get apt-cache dpkg dpkg-deb; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (this needs Debian's apt and dpkg)"
done
[ -r "$KEYRING" ] || die "$KEYRING missing (package debian-archive-keyring)"

# ------------------------------------------------------------ mirror
mirror=${PPROFTOP_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
	# deb822 (.sources: "URIs: ...") or one-line ("deb [opts] URI suite ..."),
	# the first Debian archive that is not the security one.
	mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n' | grep -v -- '-security' | grep -m1 '/debian/\?$')
	if [ -z "$mirror" ]; then
		mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' |
			grep -v -- '-security' | grep -m1 '/debian/\?$')
	fi
	mirror=${mirror:-http://deb.debian.org/debian}
fi
mirror=${mirror%/}

# ------------------------------------------------------------ apt, privately
aptdir=$cache/apt-$SUITE
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/etc/preferences.d" \
	"$aptdir/debs" || die "cannot create $aptdir"
echo "deb [signed-by=$KEYRING] $mirror $SUITE main" >"$aptdir/sources.list"
: >"$aptdir/status"
APT=(
	-o "Dir::Etc::SourceList=$aptdir/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o "Dir::Etc::Preferences=$aptdir/etc/preferences"
	-o "Dir::Etc::PreferencesParts=$aptdir/etc/preferences.d"
	-o "Dir::State::Lists=$aptdir/lists"
	-o "Dir::State::status=$aptdir/status"
	-o "Dir::Cache=$aptdir/cache"
	-o APT::Get::List-Cleanup=0
)
# As root apt drops to the _apt user for downloads, which cannot write the
# cache under /root: download as root instead (only into these directories).
[ "$(id -u)" -eq 0 ] && APT+=(-o APT::Sandbox::User=root)

# Refresh the lists when they are missing or older than a day.
if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
	say "apt-get update ($mirror $SUITE, lists in $aptdir)"
	if ! apt-get -q --error-on=any "${APT[@]}" update >"$aptdir/update.log" 2>&1; then
		die "apt-get update of $mirror $SUITE failed: $(grep -m1 '^E:' "$aptdir/update.log" | cut -c1-200) (log: $aptdir/update.log)"
	fi
fi

declare -A ver
for p in "${PKGS[@]}"; do
	v=$(apt-cache "${APT[@]}" show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
	[ -n "$v" ] || die "$p is not in $mirror $SUITE (has it moved on from Go 1.27?)"
	ver[$p]=$v
done
say "${PKGS[0]} ${ver[${PKGS[0]}]}, ${PKGS[1]} ${ver[${PKGS[1]}]}"

# Strictly required to run go: the Depends of golang-1.27-go must be just
# golang-1.27-src (anything else would be unpacked here too, or fail).
deps=$(apt-cache "${APT[@]}" show --no-all-versions "${PKGS[0]}" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1)
extra=$(tr ',' '\n' <<<"$deps" | sed 's/^ *//; s/ .*//; /^$/d' | grep -vx "${PKGS[1]}")
if [ -n "$extra" ]; then
	say "${PKGS[0]} also depends on: $extra (downloading those too)"
	# shellcheck disable=SC2206
	PKGS+=($extra)
fi

rm -f "$aptdir/debs"/*.deb
say "apt-get download ${PKGS[*]}"
if ! (cd "$aptdir/debs" && apt-get -q "${APT[@]}" download "${PKGS[@]}") >"$aptdir/download.log" 2>&1; then
	die "apt-get download ${PKGS[*]} failed: $(grep -m1 '^E:' "$aptdir/download.log" | cut -c1-200) (log: $aptdir/download.log)"
fi

# ------------------------------------------------------------ unpack
new=$cache/go1.27.new.$$
rm -rf "$new"
mkdir -p "$new" || die "cannot create $new"
for f in "$aptdir/debs"/*.deb; do
	[ -e "$f" ] || die "no .deb downloaded into $aptdir/debs"
	dpkg -x "$f" "$new" || { rm -rf "$new"; die "dpkg -x $f failed"; }
done
[ -x "$new/usr/lib/go-1.27/bin/go" ] || { rm -rf "$new"; die "no usr/lib/go-1.27/bin/go in the packages"; }

rm -rf "$dest"
mv "$new" "$dest" || die "cannot move $new to $dest"

# ------------------------------------------------------------ check: it builds
# (the go command finds its GOROOT from its own path; set explicitly anyway)
chk=$(mktemp -d "${TMPDIR:-/tmp}/go127-check.XXXXXX") || die "mktemp failed"
cat >"$chk/go.mod" <<'EOF'
module go127check

go 1.19
EOF
cat >"$chk/main.go" <<'EOF'
package main

import (
	"fmt"
	"runtime"
	"runtime/pprof"
)

func main() { fmt.Println(runtime.Version(), "goroutineleak:", pprof.Lookup("goroutineleak") != nil) }
EOF
out=$(cd "$chk" && env GOROOT="$goroot" GOTOOLCHAIN=local GOPROXY=off GOFLAGS= \
	GOCACHE="$chk/gocache" GOPATH="$chk/gopath" CGO_ENABLED=0 \
	"$goroot/bin/go" build -o "$chk/check" . 2>&1 && "$chk/check" 2>&1)
rc=$?
rm -rf "$chk"
if [ $rc -ne 0 ] || ! grep -q '^go1\.27' <<<"$out"; then
	rm -rf "$dest"
	die "the unpacked Go 1.27 does not build a program: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
fi
say "check program: $out"
echo "${ver[golang-1.27-go]} $out" >"$dest/.ok"
say "Go 1.27 ready in $dest"
echo "$goroot"
