#!/bin/bash
# test_targets.sh - several targets at once (issue 10): three demo services,
# each with its own known truth (-spawn 5, 7 and 11: a main.parked group of
# exactly that many goroutines; -quiet, so nothing else moves), watched
# together by one pproftop.
#
#   batch JSON: a "targets" list of the three (url as given, ok, no error, a
#     last poll time), the merged main.parked group counts 5 + 7 + 11 = 23
#     with by_target {A: 5, B: 7, C: 11} and its state (select) named;
#   batch text: one line per target and the "by target" breakdown;
#   dashboard (tmux): the merged view by default ("all 3 targets", "3
#     targets, 0 down"), main.parked at 23, its detail's "by target" section
#     11, 7, 5 heaviest first; then C is killed: the header says "1 down",
#     the status line says which and why ("connection refused") and that its
#     last data stays in the merge, marked stale; the detail marks it; T
#     shows target 1 and 2 still polled (age under 4 s, at -i 1) and target
#     3 STALE with the reason, then the merged view again;
#   batch with C down: exit 1, C "ok": false with its error, by_target C
#     null, A and B still reported.
#
# env: PPROFTOP_BIN, PPROFTOP_DEMO (default build/demo/demo, built with
# scripts/build-demo.sh when missing). Needs tmux and python3 (exit 77 when
# missing). Prints TAP lines; exits 1 when any check failed.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
demo_bin=${PPROFTOP_DEMO:-$root/build/demo/demo}
export LC_ALL=C

# shellcheck source=tests/sh/require.sh
. "$here/require.sh"
require_tools tmux python3
require_demo

lib_name=targets
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"

start_server a "$demo_bin" -addr 127.0.0.1:0 -quiet -spawn 5 || exit 1
A=$addr
start_server b "$demo_bin" -addr 127.0.0.1:0 -quiet -spawn 7 || exit 1
B=$addr
start_server c "$demo_bin" -addr 127.0.0.1:0 -quiet -spawn 11 || exit 1
C=$addr
c_pid=${bg_pids[2]}

# check_json FILE WANT_C: the merged document; WANT_C is C's main.parked
# count ("11", or "null" when C is down) and C's "ok".
check_json() {
	python3 - "$1" "$A" "$B" "$C" "$2" <<'EOF'
import json, sys
path, a, b, c, want_c = sys.argv[1:]
d = json.load(open(path))
t = d["targets"]
assert [x["url"] for x in t] == [a, b, c], t
for x in t[:2]:
    assert x["ok"] is True and x["error"] is None and x["last_poll"] > 1e9, x
if want_c == "null":
    assert t[2]["ok"] is False and "refused" in t[2]["error"], t[2]
else:
    assert t[2]["ok"] is True and t[2]["error"] is None, t[2]
g = [x for x in d["profiles"]["goroutine"]["groups"] if x["label"] == "main.parked"]
assert len(g) == 1, g
g = g[0]
wc = None if want_c == "null" else int(want_c)
assert g["by_target"] == {a: 5, b: 7, c: wc}, g["by_target"]
assert g["count"] == 5 + 7 + (wc or 0), g["count"]
assert g["state"] == "select", g["state"]
print("ok")
EOF
}

# ---------------------------------------------------------------- batch, all up
"$bin" --json -n 2 -i 1 "$A" "$B" "$C" >"$tmp/all.json" 2>"$tmp/all.err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/all.err" ] && msg=$(check_json "$tmp/all.json" 11 2>&1); then
	ok "batch JSON: targets list, main.parked 23 by_target {5, 7, 11}"
else
	notok "batch JSON against 3: exit $rc"
	{ cat "$tmp/all.err"; echo "$msg"; } | diag
fi
"$bin" --batch -n 1 "$A" "$B" "$C" >"$tmp/all.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -qx "target $A: ok" "$tmp/all.txt" && grep -qx "target $C: ok" "$tmp/all.txt" &&
	grep -Eq "^ +23 +select +main.parked " "$tmp/all.txt" &&
	grep -qx "    by target: $A 5, $B 7, $C 11" "$tmp/all.txt"; then
	ok "batch text: per-target lines and the by-target breakdown"
else
	notok "batch text against 3: exit $rc"
	diag <"$tmp/all.txt"
fi

# ---------------------------------------------------------------- the dashboard
tui_start dash 150 40 C "$bin" -i 1 "$A" "$B" "$C" || {
	notok "tmux did not start"
	echo "1..$n"
	exit 1
}
if wait_for dash '^pproftop all 3 targets  3 targets, 0 down, worst ' 20 &&
	wait_for dash '^ +23 +[-0-9]+ +[-0-9]+ select .* main\.parked stacks\.go' 20; then
	ok "dashboard: the merged view, main.parked at 5 + 7 + 11"
else
	notok "dashboard: no merged view with main.parked at 23"
	screen dash | diag
fi
tm send-keys -t dash / p a r k e d Enter
sleep 0.5
tm send-keys -t dash Enter
if wait_for dash '^by target \(count, now; heaviest first\)' 10; then
	s=$(screen dash)
	t=$(grep -n '^by target' <<<"$s" | cut -d: -f1)
	got=$(sed -n "$((t + 1)),$((t + 3))p" <<<"$s" | sed 's/  */ /g')
	want=$(printf ' %s 11\n %s 7\n %s 5' "$C" "$B" "$A")
	if [ "$got" = "$want" ]; then
		ok "detail: each target's count, heaviest first"
	else
		notok "detail: by target '$got', expected '$want'"
		diag <<<"$s"
	fi
else
	notok "detail: no 'by target' section"
	screen dash | diag
fi

# C dies: reported, kept (stale), the others go on
kill "$c_pid"
wait "$c_pid" 2>/dev/null
# C-l: a one-shot message (a poller's note) keeps the status line until
# the next key, and under load a note (the schedule stretched, say) may come
# at any time; the down line is what shows once it is cleared
down_line="^$C down: (connection refused|[^;]*(reset|closed)[^;]*); its last data stays in the merge, marked stale"
down_shown() {
	local i
	for ((i = 0; i < 10; i++)); do
		tm send-keys -t dash C-l
		wait_for dash "$down_line" 1 && return 0
	done
	return 1
}
if wait_for dash '^pproftop all 3 targets  3 targets, 1 down, ' 15 && down_shown &&
	wait_for dash "^  $C +11  down: its last data \(stale\)" 5; then
	ok "one killed: 1 down, with its reason; its last data kept and marked stale"
else
	fail "one killed: not reported as down (want a status line /$down_line/)"
fi
sleep 3 # C has been down a while; A and B must still be fresh
# the age in "polled 1.2s ago" (or "polled 350ms ago"), in seconds
age_of() { sed -n 's/.* polled \([0-9.]*\)\(m\{0,1\}s\) ago.*/\1 \2/p' | awk '{ print ($2 == "ms") ? $1 / 1000 : $1 }'; }
for i in 1 2; do
	tm send-keys -t dash T
	want=$([ "$i" = 1 ] && echo "$A" || echo "$B")
	if wait_for dash "^pproftop target $i/3: $want  3 targets, 1 down" 5; then
		sleep 0.3
		age=$(screen dash | head -1 | age_of)
		if [ -n "$age" ] && awk -v a="$age" 'BEGIN { exit !(a < 4) }'; then
			ok "target $i/3 still polled while C is down (polled ${age}s ago)"
		else
			notok "target $i/3: age '$age'"
			screen dash | head -1 | diag
		fi
	else
		notok "T: no target $i/3 view"
		screen dash | diag
	fi
done
tm send-keys -t dash T
if wait_for dash "^pproftop target 3/3: $C  3 targets, 1 down, .*STALE [0-9.]+m?s connection refused" 5; then
	ok "target 3/3: STALE with its reason"
else
	notok "target 3/3: not shown STALE"
	screen dash | head -3 | diag
fi
tm send-keys -t dash T
if wait_for dash '^pproftop all 3 targets  3 targets, 1 down' 5 &&
	wait_for dash '^showing all 3 targets merged' 5; then
	ok "T: back to the merged view"
else
	notok "T: not back to the merged view"
	screen dash | diag
fi
tm send-keys -t dash q
for ((i = 0; i < 100; i++)); do
	[ -e "$tmp/dash.exit" ] && break
	sleep 0.05
done
if [ "$(cat "$tmp/dash.exit" 2>/dev/null)" = 0 ] && [ ! -s "$tmp/dash.err" ]; then
	ok "q: exit 0, nothing on stderr"
else
	notok "q: exit '$(cat "$tmp/dash.exit" 2>/dev/null)'"
	diag <"$tmp/dash.err"
fi

# ---------------------------------------------------------------- batch, C down
"$bin" --json -n 2 -i 1 "$A" "$B" "$C" >"$tmp/down.json" 2>"$tmp/down.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "connection refused" "$tmp/down.err" &&
	msg=$(check_json "$tmp/down.json" null 2>&1); then
	ok "batch with one down: exit 1, the others reported, C's error in targets"
else
	notok "batch with one down: exit $rc"
	{ cat "$tmp/down.err"; echo "${msg:-}"; } | diag
fi

echo "1..$n"
[ "$nfail" -eq 0 ]
