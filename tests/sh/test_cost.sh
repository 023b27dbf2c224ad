#!/bin/bash
# test_cost.sh - pproftop is gentle on the target it watches:
#  1. an endpoint that costs the service more than the CPU budget allows
#     (--budget 20: 20% of a core, 200 ms a poll at -i 1) is fetched less
#     often, and the status line says so; back to every poll when it is
#     cheap again;
#  2. goroutine?debug=2 (it stops the world) is fetched only on demand (D),
#     and above 10,000 goroutines only after a warning showing the count and
#     a second D; the dump then shows in the detail pane.
# The target is the demo Go service behind tests/faults/faultserver.py, whose
# request log tells what pproftop really fetched. The harness is tui-lib.sh's.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export LC_ALL=C.UTF-8
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset PPROFTOP_HEADERS NO_COLOR

demo=$root/build/demo/demo
demo_bin=$demo
# shellcheck source=tests/sh/require.sh
. "$here/require.sh"
require_tools tmux python3 curl
require_demo

lib_name=cost
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"

# start LOGNAME CMD...: start_server, and $port from its "listening on" line
port=
start() {
	start_server "$@" || return 1
	port=${addr##*:}
}
count_req() { # regex: requests in the log whose path matches
	curl -s "http://127.0.0.1:$fport/__log" |
		python3 -c 'import json,re,sys; r=re.compile(sys.argv[1]); print(sum(1 for e in json.load(sys.stdin) if r.search(e["path"])))' "$1"
}

# --- 1. a costly endpoint is spaced out, and said so -------------------------
# The demo as it is (its garbage makes a GC every second or so, so the heap
# never settles into being fetched every 5th poll: heap fetches count
# polls), through the fault server, at -i 1 --budget 20 (200 ms a poll).
watch_demo() { # NAME PPROFTOP-OPTIONS -- DEMO-ARGS...: the demo behind the fault server
	# (its port in $fport), and pproftop on it in the tmux session NAME ($t)
	local name=$1 opts=$2
	shift 3
	start "$name" "$demo" -addr 127.0.0.1:0 "$@" || bail "demo did not start"
	start "$name-fault" python3 "$root/tests/faults/faultserver.py" \
		--upstream "127.0.0.1:$port" --mode proxy || bail "fault server did not start"
	fport=$port
	t=$name
	# shellcheck disable=SC2086 # the options are words
	tui_start "$t" 140 32 C.UTF-8 "$bin" $opts "http://127.0.0.1:$fport" ||
		bail "pproftop did not start in tmux"
}
watch_demo small '-i 1 --budget 20' --
if wait_for "$t" 'main\.leakOne' 15; then ok "dashboard shows the demo"; else fail "no rows"; fi

# what a fetch costs is the least of its last 8 (a busy machine's delays are
# not work for us): 8 slow fetches in a row (8 s) make it costly; 0.9 s a
# fetch is 4 polls' worth of the budget
curl -s "http://127.0.0.1:$fport/__fault?mode=slow&delay=0.9&only=/goroutine\\?debug=1\$" >/dev/null
if wait_for "$t" 'to keep pproftop under 20% of a core: goroutine costs the service [0-9]+ ms a fetch: fetched every [0-9]+ polls \([0-9.]+ s\)' 25; then
	ok "costly goroutine endpoint: the status line says it is fetched less often"
else
	fail "no spacing message"
fi
curl -s "http://127.0.0.1:$fport/__reset" >/dev/null
sleep 8
g=$(count_req '/goroutine\?debug=1$')
h=$(count_req '/heap\?debug=1$')
if [ "$h" -ge 5 ] && [ $((g * 10)) -le $((h * 5)) ]; then
	ok "goroutine fetched $g times while heap was fetched $h times"
else
	notok "goroutine fetched $g times, heap $h times (want goroutine <= 50% of heap)"
fi
# heap?debug=1 brings allocs and MemStats: neither is fetched on its own
nreq=$(count_req '/(allocs|heap)$')
if [ "$nreq" = 0 ]; then ok "no heap or allocs protobuf: heap?debug=1 is all three"; else notok "$nreq heap/allocs protobuf requests"; fi
curl -s "http://127.0.0.1:$fport/__fault?mode=proxy" >/dev/null
# the next goroutine fetch (a few polls away) is cheap again
if wait_for "$t" 'goroutine costs the service [0-9.]+ ms a fetch: fetched every poll again' 30; then
	ok "cheap again: back to every poll"
else
	fail "no every-poll-again message"
fi
curl -s "http://127.0.0.1:$fport/__reset" >/dev/null
sleep 6
# 6 polls at -i 1 (the heap is no yardstick: it settles to every 5th poll
# while no GC comes); spaced out, the goroutine fetch came once in 8 s
g=$(count_req '/goroutine\?debug=1$')
if [ "$g" -ge 4 ]; then ok "goroutine fetched $g times in 6 s: every poll again"; else notok "goroutine fetched $g times in 6 s after recovery (want >= 4)"; fi
tm send-keys -t "$t" q
if wait_for "$t" '^EXITED rc=0$' 5; then ok "q exits 0"; else notok "no clean exit"; fi
tm kill-session -t "$t" 2>/dev/null

# 12,000 parked goroutines in 10 stacks: above the dump's warning threshold
watch_demo big '-i 1' -- -quiet -spawn 12000 -stacks 10
if wait_for "$t" 'main\.parked' 15; then ok "dashboard shows the 12,000 goroutines"; else fail "no rows"; fi

# --- 2. the goroutine dump only on demand, with a warning -------------------
nreq=$(count_req 'debug=2')
if [ "$nreq" = 0 ]; then ok "no goroutine?debug=2 on the timer"; else notok "$nreq debug=2 requests on the timer"; fi
tm send-keys -t "$t" D
if wait_for "$t" 'goroutine\?debug=2 stops the world while it formats all 120[0-9][0-9] goroutines.*press D again' 5; then
	ok "D warns with the goroutine count"
else
	fail "no warning after D"
fi
sleep 2
nreq=$(count_req 'debug=2')
if [ "$nreq" = 0 ]; then ok "nothing fetched before the second D"; else notok "$nreq debug=2 requests before confirming"; fi
tm send-keys -t "$t" D
# the poll in flight, then the dump (4 MB through the Python proxy): on a
# loaded machine that took more than 20 s once, so give it a minute
if wait_for "$t" 'goroutine dump: 120[0-9][0-9] goroutines in [0-9]+ groups' 60; then
	ok "second D fetches the dump"
else
	fail "no dump after the second D"
fi
nreq=$(count_req 'debug=2')
if [ "$nreq" = 1 ]; then ok "exactly one goroutine?debug=2 request"; else notok "$nreq debug=2 requests"; fi
tm send-keys -t "$t" g Enter
if wait_for "$t" 'from the goroutine dump \(D\) taken .* ago: [0-9]+ goroutines' 5 &&
	grep -qE 'states: (select \(no cases\)|chan receive)' <<<"$screen"; then
	ok "the detail pane shows the dump's states for the group"
else
	fail "detail without the dump"
fi
sleep 3
nreq=$(count_req 'debug=2')
if [ "$nreq" = 1 ]; then ok "no further dumps after it"; else notok "$nreq debug=2 requests in all"; fi

tm send-keys -t "$t" Escape q
if wait_for "$t" '^EXITED rc=0$' 5; then ok "q exits 0"; else notok "no clean exit"; fi
screen=
for f in small big; do
	if [ -s "$tmp/$f.err" ]; then
		notok "pproftop ($f) wrote to stderr:"
		diag 20 <"$tmp/$f.err"
	else
		ok "pproftop ($f): nothing on stderr"
	fi
done
echo "1..$n"
[ "$nfail" -eq 0 ]
