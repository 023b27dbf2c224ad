#!/bin/bash
# Generate large goroutine dumps for benchmarks.
#
#   bench/gen-large.sh [OUTDIR]        (default OUTDIR: build/bench-data)
#
# Starts the demo with -quiet -spawn 100000 -stacks 20000 on 127.0.0.1:0, waits
# until /demo/stats shows all goroutines parked, then captures
#   goroutine-debug1.txt  (~50 MB; 20 000 distinct stacks)
#   goroutine-debug2.txt  (runtime cap: 64 MiB, truncated mid-goroutine)
#   goroutine.pb.gz       (proto)
# prints sizes and timings, and kills the demo. The files are big: keep them
# under build/ (git-ignored).
#
# Environment: DEMO (binary, default build/demo/demo, built if needed),
# SPAWN (100000), STACKS (20000), STACK_DEPTH (demo -stack-depth, default 32).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/bench-data}
SPAWN=${SPAWN:-100000}
STACKS=${STACKS:-20000}
STACK_DEPTH=${STACK_DEPTH:-32}

command -v curl >/dev/null 2>&1 || apt-get install -y curl >&2
if [ -z "${DEMO:-}" ]; then
    "$root/scripts/build-demo.sh" >&2
    DEMO=$root/build/demo/demo
fi

mkdir -p "$out"
tmp=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }

t0=$(date +%s.%N)
"$DEMO" -addr 127.0.0.1:0 -quiet -spawn "$SPAWN" -stacks "$STACKS" -stack-depth "$STACK_DEPTH" \
    >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!

addr=
for _ in $(seq 100); do
    addr=$(sed -n 's/^listening on //p' "$tmp/stdout")
    [ -n "$addr" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/stderr" >&2; exit 1; }
    sleep 0.1
done
[ -n "$addr" ] || { echo "gen-large.sh: demo did not report its address" >&2; exit 1; }
base=http://$addr

# Wait until every spawned goroutine has parked.
spawned=0
for _ in $(seq 600); do
    stats=$(curl -sS --max-time 10 "$base/demo/stats")
    spawned=$(printf '%s' "$stats" | sed -n 's/.*"spawned":\([0-9]*\).*/\1/p')
    [ "${spawned:-0}" -ge "$SPAWN" ] && break
    sleep 0.1
done
if [ "${spawned:-0}" -lt "$SPAWN" ]; then
    echo "gen-large.sh: only $spawned of $SPAWN goroutines parked" >&2
    exit 1
fi
t1=$(date +%s.%N)
echo "demo $addr: $stats" >&2
printf 'startup + spawn: %.2fs\n' "$(elapsed "$t0" "$t1")"

fetch() { # fetch PATH FILE
    local s e
    s=$(date +%s.%N)
    curl -sS --fail --max-time 300 -o "$out/$2" "$base$1"
    e=$(date +%s.%N)
    printf '%-22s %11d bytes  %6.2fs  (%s)\n' "$2" "$(stat -c %s "$out/$2")" "$(elapsed "$s" "$e")" "$1"
}

fetch '/debug/pprof/goroutine?debug=1' goroutine-debug1.txt
fetch '/debug/pprof/goroutine?debug=2' goroutine-debug2.txt
fetch '/debug/pprof/goroutine' goroutine.pb.gz
t2=$(date +%s.%N)
printf 'total: %.2fs\n' "$(elapsed "$t0" "$t2")"
