#!/bin/sh
# Build the scenario service with known truth (tests/scenario).
#
#   scripts/build-scenario.sh [--go127] [OUT]
#
# With Debian's go into OUT (default build/scenario/scenario); with --go127
# also with Go 1.27 (made available by scripts/go127.sh, never installed)
# into OUT-go127 (default build/scenario/scenario-go127), which serves
# /debug/pprof/goroutineleak. Prints "built PATH" per binary. Idempotent:
# `go build` reuses its cache (under build/ unless GOCACHE is set). Needs
# only the toolchains: stdlib only, no module downloads, CGO off.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

go127=0
out=
for a in "$@"; do
    case $a in
    --go127) go127=1 ;;
    -h | --help)
        sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d'
        exit 0
        ;;
    -*)
        echo "build-scenario.sh: unknown option $a" >&2
        exit 2
        ;;
    *) out=$a ;;
    esac
done
out=${out:-$root/build/scenario/scenario}
case $out in /*) ;; *) out=$PWD/$out ;; esac

GO=${GO:-go}
if ! command -v "$GO" >/dev/null 2>&1; then
    echo "build-scenario.sh: '$GO' not found (install golang-go)" >&2
    exit 1
fi

mkdir -p "$(dirname "$out")"
# The build cache inside build/ unless the caller chose one: HOME may be
# read-only in CI sandboxes.
GOCACHE=${GOCACHE:-$root/build/gocache}
export GOCACHE
export GOFLAGS=
export GOTOOLCHAIN=local # never try to download another toolchain
export GOPROXY=off       # no dependencies; never hit the network
export CGO_ENABLED=0     # stdlib only; no C compiler needed

cd tests/scenario
"$GO" build -o "$out" .
echo "built $out"

if [ $go127 = 1 ]; then
    goroot=$("$root/scripts/go127.sh" | tail -n 1) || {
        echo "build-scenario.sh: scripts/go127.sh failed: no Go 1.27 build" >&2
        exit 1
    }
    # Its own cache: objects built by two toolchains need not share one.
    GOCACHE=$GOCACHE-go127 GOROOT=$goroot "$goroot/bin/go" build -o "$out-go127" .
    echo "built $out-go127"
fi
