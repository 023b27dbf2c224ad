#!/bin/sh
# Build the Go demo service (examples/demo) into build/demo/demo.
# Idempotent: `go build` reuses its cache, so a rebuild with no changes is quick.
# Needs only the Go toolchain (stdlib only, no module downloads).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

GO=${GO:-go}
if ! command -v "$GO" >/dev/null 2>&1; then
    echo "build-demo.sh: '$GO' not found (install golang-go)" >&2
    exit 1
fi

mkdir -p build/demo
# Keep the build cache inside build/ unless the caller chose one: HOME may be
# read-only in CI sandboxes.
GOCACHE=${GOCACHE:-$root/build/gocache}
export GOCACHE
export GOFLAGS=
export GOTOOLCHAIN=local  # never try to download another toolchain
export GOPROXY=off        # the demo has no dependencies; never hit the network

cd examples/demo
"$GO" build -o ../../build/demo/demo .
echo "built $root/build/demo/demo"
