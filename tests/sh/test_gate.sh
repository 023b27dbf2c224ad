#!/bin/bash
# test_gate.sh - many targets share one cap on requests in flight: batch
# mode against N targets that all answer slowly (tests/faults/faultserver.py
# in front of the real demo, 0.25 s a request) never has more than
# --max-inflight requests outstanding at the server, does reach that many
# (the targets are polled side by side, not one after another), and every
# target still makes its polls.
set -u
bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib_name=gate
. "$here/tui-lib.sh"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
demo=$root/build/demo/demo
[ -x "$demo" ] || { echo "1..0 # SKIP no demo (scripts/build-demo.sh)"; exit 77; }
command -v python3 >/dev/null || { echo "1..0 # SKIP no python3"; exit 77; }

echo "1..8"
start_server demo "$demo" -addr 127.0.0.1:0 -quiet || exit 1
up=$addr
start_server fault python3 "$root/tests/faults/faultserver.py" --upstream "$up" --mode slow ||
	exit 1
fport=${addr##*:}
curl -sf "http://127.0.0.1:$fport/__fault?mode=slow&delay=0.25" >/dev/null

stats() { curl -sf "http://127.0.0.1:$fport/__stats"; }
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# gate_check CAP NTARGETS [--max-inflight CAP]: one batch run, then the server's
# largest number of outstanding requests
gate_check() {
	local cap=$1 nt=$2 t=() i
	shift 2
	for ((i = 0; i < nt; i++)); do t+=("http://127.0.0.1:$fport/debug/pprof"); done
	curl -sf "http://127.0.0.1:$fport/__reset" >/dev/null
	"$bin" --batch -n 2 -i 0.5 --budget 0 "$@" "${t[@]}" >"$tmp/out" 2>"$tmp/err"
	local rc=$? s
	s=$(stats)
	local max req
	max=$(field max_overlap <<<"$s")
	req=$(field requests <<<"$s")
	# each poll of each target fetches goroutine and heap at least
	if [ $rc -eq 0 ] && grep -q "2 polls" "$tmp/out" && [ "$req" -ge $((nt * 2 * 2)) ]; then
		ok "cap $cap, $nt targets: every target made its 2 polls ($req requests)"
	else
		notok "cap $cap, $nt targets: exit $rc"
		diag <"$tmp/err"
	fi
	if [ "$max" = "$cap" ]; then
		ok "cap $cap, $nt targets: at most $cap outstanding, and $cap reached"
	else
		notok "cap $cap, $nt targets: $max outstanding at once, want exactly $cap"
		diag <<<"$s"
	fi
}

gate_check 1 3 --max-inflight 1
gate_check 2 6 --max-inflight 2
gate_check 3 3 # the default cap (8) is above 3 targets: all three at once
gate_check 8 12

