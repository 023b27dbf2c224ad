#!/bin/bash
# deps.sh - install (with apt-get) what pproftop needs to build, test and demo.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

PKGS=(
	meson ninja-build pkg-config gcc
	libncurses-dev ncurses-term libcurl4-openssl-dev libev-dev zlib1g-dev
	libprotobuf-c-dev protobuf-c-compiler libcmocka-dev
	golang-go tmux curl python3 procps openssl
	groff-base man-db mandoc
)
if [ "${PPROFTOP_FUZZ_DEPS:-0}" = 1 ]; then
	PKGS+=(clang libclang-rt-14-dev)
fi
# the Debian package's test (tests/sh/test_deb.sh)
if [ "${PPROFTOP_DEB_DEPS:-0}" = 1 ]; then
	PKGS+=(dpkg-dev debhelper lintian)
fi

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
