#!/bin/bash
# Capture a fixture set from the demo service (examples/demo).
#
#   scripts/capture-fixtures.sh OUTDIR
#
# Starts build/demo/demo on 127.0.0.1:0, lets it run ~3 s, then fetches every
# /debug/pprof endpoint and debug level into OUTDIR with the same file names as
# /work/shared/fixtures/go1.19/ (plus stats.json, from /demo/stats, taken
# right after the goroutine captures, and headers.txt). Always kills the demo.
#
# Environment:
#   DEMO        demo binary (default build/demo/demo, built if missing/stale)
#   DEMO_FLAGS  extra flags for the demo (default: -spawn 8 -stacks 4)
#   WARMUP      seconds to let the demo run before capturing (default 3)
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v curl >/dev/null 2>&1; then
    echo "capture-fixtures.sh: curl not found, installing it" >&2
    apt-get install -y curl >&2
fi

if [ -z "${DEMO:-}" ]; then
    "$root/scripts/build-demo.sh" >&2
    DEMO=$root/build/demo/demo
fi
DEMO_FLAGS=${DEMO_FLAGS:--spawn 8 -stacks 4}
WARMUP=${WARMUP:-3}

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

# shellcheck disable=SC2086  # DEMO_FLAGS is a word list on purpose
"$DEMO" -addr 127.0.0.1:0 $DEMO_FLAGS >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!

addr=
for _ in $(seq 100); do
    addr=$(sed -n 's/^listening on //p' "$tmp/stdout")
    [ -n "$addr" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "capture-fixtures.sh: demo exited:" >&2
        cat "$tmp/stderr" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$addr" ]; then
    echo "capture-fixtures.sh: demo did not report its address" >&2
    exit 1
fi
base=http://$addr
echo "demo pid $pid listening on $addr; warming up ${WARMUP}s" >&2
sleep "$WARMUP"

: >"$out/headers.txt"
# get PATH FILE: fetch $base$PATH into $out/FILE, append the response headers
# to headers.txt, fail on anything but 200.
get() {
    local path=$1 file=$2 code
    code=$(curl -sS --max-time 60 -D "$tmp/hdr" -o "$out/$file" -w '%{http_code}' "$base$path")
    { printf '### GET %s -> %s\n' "$path" "$file"; tr -d '\r' <"$tmp/hdr"; } >>"$out/headers.txt"
    if [ "$code" != 200 ]; then
        echo "capture-fixtures.sh: GET $path -> HTTP $code" >&2
        return 1
    fi
}

total_line() { head -n 1 "$1"; }

# Goroutines first, with stats.json right after. A leak tick between the
# requests would make them disagree, so retry until the debug=1 total is the
# same before and after (the demo leaks only one goroutine per second).
for attempt in 1 2 3 4 5; do
    get '/debug/pprof/goroutine?debug=1' goroutine-debug1.txt
    get '/debug/pprof/goroutine' goroutine.pb.gz
    get '/debug/pprof/goroutine?debug=2' goroutine-debug2.txt
    get '/demo/stats' stats.json
    curl -sS --max-time 60 -o "$tmp/recheck.txt" "$base/debug/pprof/goroutine?debug=1"
    if [ "$(total_line "$out/goroutine-debug1.txt")" = "$(total_line "$tmp/recheck.txt")" ]; then
        break
    fi
    echo "goroutine count changed during capture (attempt $attempt), retrying" >&2
    : >"$out/headers.txt"
    sleep 0.3
done

get '/debug/pprof/' index.html
get '/debug/pprof/heap' heap.pb.gz
get '/debug/pprof/heap?debug=1' heap-debug1.txt
get '/debug/pprof/allocs' allocs.pb.gz
get '/debug/pprof/allocs?debug=1' allocs-debug1.txt
get '/debug/pprof/block' block.pb.gz
get '/debug/pprof/block?debug=1' block-debug1.txt
get '/debug/pprof/mutex' mutex.pb.gz
get '/debug/pprof/mutex?debug=1' mutex-debug1.txt
get '/debug/pprof/threadcreate' threadcreate.pb.gz
get '/debug/pprof/threadcreate?debug=1' threadcreate-debug1.txt
get '/debug/pprof/example.com/openfiles' custom-openfiles.pb.gz
get '/debug/pprof/example.com/openfiles?debug=1' custom-openfiles-debug1.txt
get '/debug/pprof/profile?seconds=1' profile-cpu-1s.pb.gz
get '/debug/pprof/goroutine?seconds=1' goroutine-delta-1s.pb.gz
get '/debug/pprof/allocs?seconds=1' allocs-delta-1s.pb.gz

echo "captured into $out:" >&2
ls -l "$out" >&2
du -sh "$out" >&2
