#!/bin/bash
# test_faults.sh - fault injection: pproftop against a misbehaving server.
#
# Starts the demo Go service and tests/faults/faultserver.py in front of it,
# then:
#  1. batch mode against every bad mode: exits non-zero within the time limit
#     with one-line reasons on stderr (and never the secret);
#  2. the live dashboard in a private tmux server (100x30), polling the fault
#     server every 0.5 s with --timeout 1 --max-body 8 and an Authorization
#     header. After real data shows, for each mode: switch the server to it
#     and check that pproftop (a) keeps running, (b) answers a key within
#     LAT_LIMIT_MS (2 then 1, time until the pane changes), (c) shows STALE
#     and a one-line reason fitting the fault in the header while the old
#     rows stay on screen, (d) never shows the secret (screen, a snapshot
#     saved with s, stderr), (e) keeps its peak RSS under RSS_LIMIT_MB, and
#     (f) shows fresh data again once the server is healthy. Then a restart
#     of the target (counters drop: no negative rates), the server-side
#     checks (never two requests outstanding at once, the Authorization
#     header never sent to another host), a quit while a request hangs, and
#     an empty stderr (no sanitizer report) at the end.
#
# env: PPROFTOP_BIN (the binary; an ASan build raises the RSS limit),
#      PPROFTOP_DEMO (the demo binary; default build/demo/demo, built with
#      scripts/build-demo.sh when missing), FAULT_MODES (a subset, spaces),
#      RSS_LIMIT_MB, LAT_LIMIT_MS, KEEP_TMP=1 (keep the work directory).
# The harness (scratch, tmux, panes, waits, TAP lines) is tui-lib.sh's.
# Prints a TAP line per check, a table per mode, and exits 1 when any check
# failed (77: skipped, a tool is missing).
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
faultserver=$root/tests/faults/faultserver.py
export LC_ALL=C
# pproftop (libcurl) honours proxy variables; this test talks to loopback only
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset PPROFTOP_HEADERS NO_COLOR

SECRET="SECRET-TOKEN-123"
AUTH="Authorization: Bearer $SECRET"

demo=${PPROFTOP_DEMO:-$root/build/demo/demo}
demo_bin=$demo
# shellcheck source=tests/sh/require.sh
. "$here/require.sh"
require_tools tmux python3
require_demo

sanitized=0
if ldd "$bin" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	sanitized=1
fi
# Key latency is asserted with a behaviour's margin: 1 s, a key that is
# answered at all while an 8 MiB body is cut or a request hangs. The strict
# figures (milliseconds) are bench/'s (docs/benchmarks.md, key-to-redraw
# latency); on a loaded 2-core machine a 100 ms limit failed at 105 ms.
LAT_LIMIT_MS=${LAT_LIMIT_MS:-1000}
if [ "$sanitized" = 1 ]; then
	# ASan's shadow memory and quarantine count in RSS
	RSS_LIMIT_MB=${RSS_LIMIT_MB:-600}
else
	RSS_LIMIT_MB=${RSS_LIMIT_MB:-150}
fi


TUI_KEEP=${KEEP_TMP:-0}
lib_name=faults
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"
ppid=

# start_bg NAME CMD...: start_server, or the test ends; sets $listen (what
# follows "listening on").
start_bg() {
	start_server "$@" || bail "$1 did not start"
	listen=$addr
}

# ctl PATH: a request to the fault server's control endpoints; prints the body.
ctl() {
	python3 - "http://127.0.0.1:$fport$1" <<'PY'
import sys, urllib.request
h = urllib.request.ProxyHandler({})
print(urllib.request.build_opener(h).open(sys.argv[1], timeout=5).read().decode(), end="")
PY
}
# set_mode NAME [&more=query]: switch the fault server to mode NAME.
set_mode() {
	local r
	r=$(ctl "/__fault?mode=$1${2:-}")
	[ "$r" = ok ] || bail "cannot set fault mode $1: $r"
}
# fstat EXPR...: a value from /__stats (python expression on d).
fstat() {
	ctl /__stats | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# ---------------------------------------------------------------- services

start_bg demo "$demo" -addr 127.0.0.1:0
upstream=$listen
start_bg faultserver python3 "$faultserver" --upstream "$upstream"
fport=$listen
target=http://127.0.0.1:$fport

# expected reason (ERE) per bad mode, in the header and batch stderr
declare -A reason=(
	[random]='bad response'
	[cut_text]='bad response'
	[gzip_junk]='bad response'
	[short]='connection closed'
	[endless]='timed out|stalled'
	[huge]='body larger than'
	[huge_chunked]='body larger than'
	[silent]='timed out'
	[s500]='HTTP 500'
	[s401]='HTTP 401'
	[s404]='HTTP 404'
	[html_login]='bad response'
	[reset]='connection reset|connection closed'
	[redirect_loop]='redirect loop'
	[redirect_other_host]='redirect to another host'
	[alternate]='HTTP 500'
)
all_bad="random cut_text gzip_junk short endless huge huge_chunked silent s500 s401 html_login reset redirect_loop redirect_other_host alternate s404"
modes=${FAULT_MODES:-$all_bad index restart}
SPARE_INDEX='&spare=pprof/%24'

# ---------------------------------------------------------------- batch mode

echo "== batch mode (--batch -n 2 -i 0.3 --timeout 1)"
set_mode proxy
t0=$(now_ms)
timeout 20 "$bin" --batch -n 2 -i 0.3 --timeout 1 -H "$AUTH" "$target" >"$tmp/b.out" 2>"$tmp/b.err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^target ' "$tmp/b.out" && [ ! -s "$tmp/b.err" ]; then
	ok
else
	notok "batch proxy: exit $rc, expected 0 and a report; stderr: $(head -c 500 "$tmp/b.err")"
fi
echo "batch proxy: exit $rc in $(($(now_ms) - t0)) ms"
for m in $modes; do
	case $m in alternate | restart | index) continue ;; esac
	set_mode "$m"
	t0=$(now_ms)
	timeout 20 "$bin" --batch -n 2 -i 0.3 --timeout 1 -H "$AUTH" "$target" >"$tmp/b.out" 2>"$tmp/b.err"
	rc=$?
	dt=$(($(now_ms) - t0))
	first=$(head -n 1 "$tmp/b.err")
	echo "batch $m: exit $rc in $dt ms: ${first:-<no stderr>}"
	if [ "$rc" -eq 124 ] || [ "$rc" -ge 128 ]; then
		notok "batch $m: hung or crashed (exit $rc after $dt ms)"
	elif [ "$rc" -eq 0 ]; then
		notok "batch $m: exit 0, expected non-zero"
	else
		ok
	fi
	if [ ! -s "$tmp/b.err" ]; then
		notok "batch $m: exit $rc without a reason on stderr"
	elif grep -v -q '^pproftop: ' "$tmp/b.err"; then
		notok "batch $m: stderr has lines that are not one-line reasons: $(grep -v '^pproftop: ' "$tmp/b.err" | head -n 5)"
	elif [ "$(awk 'length > 300' "$tmp/b.err" | wc -l)" -ne 0 ]; then
		notok "batch $m: a reason longer than 300 bytes"
	elif ! grep -Eq -- "${reason[$m]}" "$tmp/b.err"; then
		notok "batch $m: no reason matching /${reason[$m]}/ on stderr: $(head -c 400 "$tmp/b.err")"
	else
		ok
	fi
	if grep -q -- "$SECRET" "$tmp/b.out" "$tmp/b.err"; then
		notok "batch $m: the secret token was printed"
	else
		ok
	fi
done
set_mode proxy
batch_overlap=$(fstat 'd["max_overlap"]')

# ---------------------------------------------------------------- live

snap=$tmp/snapshots
mkdir -p "$snap"
npp=0
errf=
stf=

# alive: pproftop runs (not exited, not a zombie).
alive() {
	local st
	[ -s "$stf" ] && return 1
	read -r st <"/proc/$ppid/stat" 2>/dev/null || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}
# dead_status: pproftop's exit status (128+N: killed by signal N), "" if it
# has not ended within 3 s.
dead_status() {
	local _
	for _ in $(seq 60); do
		[ -s "$stf" ] && break
		sleep 0.05
	done
	cat "$stf" 2>/dev/null
}

# why_dead: how pproftop ended, for a failure report.
why_dead() {
	if ! tm has-session -t "$pt" 2>/dev/null; then
		echo "the tmux server or session is gone"
	elif alive; then
		echo "still running"
	else
		echo "exit status $(dead_status)"
	fi
}

# start_pp: pproftop in a fresh tmux session pt$npp (named in $pt; the
# pane stays when it ends, so a crash leaves the screen to look at). Sets
# ppid, errf, stf. The new session starts before the old one is killed:
# the server never runs out of sessions.
pt=
start_pp() {
	local old=$pt
	npp=$((npp + 1))
	pt=pt$npp
	errf=$tmp/$pt.err
	stf=$tmp/$pt.exit
	tui_start "$pt" 100 30 C "$bin" -i 0.5 --budget 0 --timeout 1 --max-body 8 \
		-o "$snap" -H "$AUTH" "$target" || bail "pproftop did not start in tmux"
	[ -n "$old" ] && tm kill-session -t "$old" 2>/dev/null
	ppid=$(cat "$tmp/$pt.pid")
}

# hdr_re ERE: an ERE for the header (the first line) matching ERE.
hdr_re() { echo "^pproftop .*($1)"; }

# key_latency KEY ERE: sends KEY, then captures in a tight loop until the
# screen matches ERE; prints the milliseconds (99999: not within 3 s).
key_latency() {
	local t0 t
	t0=$(now_us)
	tm send-keys -t "$pt" "$1"
	while :; do
		if screen "$pt" | grep -q -- "$2"; then
			t=$(now_us)
			echo $(((t - t0) / 1000))
			return
		fi
		if [ $(($(now_us) - t0)) -gt 3000000 ]; then
			echo 99999
			return
		fi
	done
}

rss_mb() {
	awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$ppid/status" 2>/dev/null
}
hwm_mb() {
	awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$ppid/status" 2>/dev/null
}

fresh_re='polled [0-9.]+[a-z]* ago'
rows_re='behaviours\.go'
worst_lat=0
worst_lat_mode=
declare -A res_detect res_lat res_rss res_recover res_result

# live_ready SECONDS: fresh data with goroutine rows on pane 1.
# (the header can say "polled" before the rows arrive: the index comes first)
live_ready() {
	wait_for "$pt" "$(hdr_re "$fresh_re")" "$1" && wait_for "$pt" "$rows_re" "$1"
}

echo "== live dashboard (-i 0.5 --timeout 1 --max-body 8, 100x30)"
set_mode proxy
start_pp
if ! live_ready 20; then
	notok "live: no data from the demo through the fault server within 20 s ($(why_dead)); stderr:"
	sed 's/^/  | /' "$errf" | head -n 40
	show "$pt"
	exit 1
fi
ok
# let a diff and a few history points exist
sleep 1.2

# check_secret WHERE: the screen and stderr never show the secret.
check_secret() {
	if screen "$pt" | grep -q -- "$SECRET"; then
		notok "$1: the secret token is on screen"
		show "$pt"
	else
		ok
	fi
	if grep -q -- "$SECRET" "$errf"; then
		notok "$1: the secret token is in pproftop's stderr"
	else
		ok
	fi
}

# snapshot WHERE: press s, wait for the new snapshot, grep it for the secret.
snapshot() {
	local before after
	before=$(find "$snap" -mindepth 1 -maxdepth 1 | wc -l)
	tm send-keys -t "$pt" s
	local t0
	t0=$(now_ms)
	while :; do
		after=$(find "$snap" -mindepth 1 -maxdepth 1 | wc -l)
		[ "$after" -gt "$before" ] && break
		if [ $(($(now_ms) - t0)) -gt 3000 ]; then
			notok "$1: s saved no snapshot within 3 s"
			show "$pt"
			return
		fi
		sleep 0.05
	done
	wait_for "$pt" 'snapshot (saved|failed)' 2 >/dev/null
	if grep -rq -- "$SECRET" "$snap"; then
		notok "$1: the secret token is in a saved snapshot: $(grep -rl -- "$SECRET" "$snap" | head -n 3)"
	else
		ok
	fi
}

# keys WHERE: 2 then 1, three times; each must change the pane within
# LAT_LIMIT_MS. One sample over the limit is forgiven (the machine is
# shared), unless it is over 5 times the limit. Sets $lat (the worst).
keys() {
	local _ all=() sorted
	for _ in 1 2 3; do
		all+=("$(key_latency 2 'sort: INUSE')")
		all+=("$(key_latency 1 'sort: COUNT')")
	done
	mapfile -t sorted < <(printf "%s\n" "${all[@]}" | sort -n)
	lat=${sorted[5]}
	if [ "$lat" -gt "$worst_lat" ]; then
		worst_lat=$lat
		worst_lat_mode=$1
	fi
	if [ "${sorted[4]}" -gt "$LAT_LIMIT_MS" ] || [ "$lat" -gt $((5 * LAT_LIMIT_MS)) ]; then
		notok "$1: keys answered in ${all[*]} ms (limit $LAT_LIMIT_MS ms)"
		show "$pt"
	else
		ok
	fi
}

check_rss() {
	local hwm
	hwm=$(hwm_mb)
	rss=$(rss_mb)
	if [ -z "$hwm" ]; then
		notok "$1: cannot read /proc/$ppid/status"
	elif [ "$hwm" -ge "$RSS_LIMIT_MB" ]; then
		notok "$1: peak RSS $hwm MB (limit $RSS_LIMIT_MB MB)"
	else
		ok
	fi
}

# check_alive WHERE: pproftop still runs; if not, report and restart it.
check_alive() {
	if alive; then
		ok
		return 0
	fi
	notok "$1: pproftop is gone ($(why_dead)); stderr:"
	sed 's/^/  | /' "$errf" | head -n 40
	show "$pt"
	restart_pp "$1"
	return 1
}

restart_pp() {
	echo "   (restarting pproftop after $1)"
	set_mode proxy
	start_pp
	live_ready 20 || {
		notok "restart after $1: no data ($(why_dead)); stderr:"
		sed 's/^/  | /' "$errf" | head -n 40
		show "$pt"
		exit 1
	}
	sleep 1.2
}

# recover WHERE: back to proxy; fresh data (not STALE) within 10 s.
recover() {
	local t0
	set_mode proxy
	t0=$(now_ms)
	if live_ready 10 && ! head -n 1 <<<"$screen" | grep -q STALE; then
		rec=$(($(now_ms) - t0))
		ok
		return 0
	fi
	rec=-1
	notok "$1: no fresh data within 10 s after the server recovered; screen:"
	show "$pt"
	restart_pp "$1"
	return 1
}

for m in $modes; do
	case $m in restart | index) continue ;; esac
	res=ok
	nf0=$nfail
	# the index (read every 30 polls) is checked on its own below
	set_mode "$m" "$SPARE_INDEX"
	t0=$(now_ms)
	detect=-1
	if [ "$m" = alternate ]; then
		# good and bad polls take turns: both states must show within 4 s
		seen_bad=0 seen_good=0
		while [ $(($(now_ms) - t0)) -lt 4000 ]; do
			h=$(row "$pt" 1)
			if grep -Eq "STALE.*(${reason[$m]})" <<<"$h"; then
				[ "$seen_bad" = 0 ] && detect=$(($(now_ms) - t0))
				seen_bad=1
			fi
			if grep -Eq "$fresh_re" <<<"$h" && [ $(($(now_ms) - t0)) -gt 1000 ]; then
				seen_good=1
			fi
			[ "$seen_bad$seen_good" = 11 ] && break
			alive || break
			sleep 0.03
		done
		if [ "$seen_bad$seen_good" = 11 ]; then ok; else
			notok "alternate: expected both STALE ${reason[$m]} and fresh data within 4 s (bad seen: $seen_bad, good seen: $seen_good)"
			show "$pt"
		fi
	elif wait_for "$pt" "$(hdr_re "STALE.*(${reason[$m]})")" 6; then
		detect=$(($(now_ms) - t0))
		ok
	else
		notok "$m: header did not show STALE and /${reason[$m]}/ within 6 s; screen:"
		show "$pt"
	fi
	if ! check_alive "$m"; then
		res_result[$m]=CRASH
		continue
	fi
	# hold the fault for a while (2.5 s in all), watching memory
	while [ $(($(now_ms) - t0)) -lt 2500 ]; do
		sleep 0.2
	done
	check_alive "$m" || {
		res_result[$m]=CRASH
		continue
	}
	if [ "$m" != alternate ]; then
		cap "$pt" >/dev/null
		hdr=$(head -n 1 <<<"$screen")
		if grep -Eq "STALE.*(${reason[$m]})" <<<"$hdr"; then ok; else
			notok "$m: after 2.5 s the header no longer shows STALE /${reason[$m]}/: $hdr"
		fi
		if grep -q -- "$rows_re" <<<"$screen"; then ok; else
			notok "$m: the last good rows are no longer shown; screen:"
			show "$pt"
		fi
	fi
	keys "$m"
	check_rss "$m"
	check_secret "$m"
	snapshot "$m"
	if [ "$m" = redirect_other_host ]; then
		other=$(fstat 'd["by_host"].get("127.0.0.2", {}).get("requests", 0)')
		if [ "$other" = 0 ]; then ok; else
			notok "redirect_other_host: pproftop followed the redirect to 127.0.0.2 ($other requests)"
		fi
	fi
	res_detect[$m]=$detect
	res_lat[$m]=$lat
	res_rss[$m]="$rss/$(hwm_mb)"
	recover "$m"
	res_recover[$m]=$rec
	[ "$nfail" -gt "$nf0" ] && res=FAIL
	res_result[$m]=$res
done

# ---------------------------------------------------------------- index

# The index page (/debug/pprof/) is read on the first poll and then every
# 30th. A failure there must not keep the header STALE once the server is
# healthy again: the next index read may be 15 s away.
if [[ " $modes " == *" index "* ]]; then
	m=index
	nf0=$nfail
	n0=$(fstat 'd["by_mode"].get("s500", 0)')
	set_mode s500 '&only=pprof/%24'
	t0=$(now_ms)
	while [ "$(fstat 'd["by_mode"].get("s500", 0)')" = "$n0" ] && [ $(($(now_ms) - t0)) -lt 30000 ]; do
		sleep 0.2
	done
	if [ "$(fstat 'd["by_mode"].get("s500", 0)')" = "$n0" ]; then
		notok "index: pproftop did not read the index within 30 s"
	else
		ok
		res_detect[$m]=$(($(now_ms) - t0))
		sleep 0.3
		check_alive index
		keys index
		res_lat[$m]=$lat
		set_mode proxy
		t0=$(now_ms)
		if wait_for "$pt" "$(hdr_re "$fresh_re")" 5; then
			ok
			res_recover[$m]=$(($(now_ms) - t0))
		else
			res_recover[$m]=-1
			notok "index: the header still shows STALE 5 s after a failed index read, although every profile is fresh again:"
			show "$pt"
			restart_pp index
		fi
		check_rss index
		res_rss[$m]="$rss/$(hwm_mb)"
	fi
	res_result[$m]=ok
	[ "$nfail" -gt "$nf0" ] && res_result[$m]=FAIL
	set_mode proxy
fi

# ---------------------------------------------------------------- restart

if [[ " $modes " == *" restart "* ]]; then
	m=restart
	nf0=$nfail
	start_bg demo2 "$demo" -addr 127.0.0.1:0
	upstream2=$listen
	# watch the contention pane across the restart
	tm send-keys -t "$pt" 3
	wait_for "$pt" 'sort: DELAY' 2 >/dev/null
	sleep 1 # rates from two polls of the old target
	set_mode restart "&upstream2=$upstream2"
	t0=$(now_ms)
	seen_restart=0
	neg=
	ncap=0
	while [ $(($(now_ms) - t0)) -lt 3500 ]; do
		cap "$pt" >/dev/null
		ncap=$((ncap + 1))
		grep -qi 'restart' <<<"$screen" && seen_restart=1
		# the rate columns of the contention table (rows start with B or
		# M); a lone "-" is a gone group's "no rate"
		bad=$(awk '/^[BM] / && ($2 ~ /^-[0-9]/ || $3 ~ /^-[0-9]/)' <<<"$screen")
		if [ -n "$bad" ] && [ -z "$neg" ]; then
			neg=$screen
		fi
		alive || break
		sleep 0.05
	done
	if check_alive restart; then
		if [ -z "$neg" ]; then ok; else
			notok "restart: negative rates in the contention pane after the target restarted:"
			sed -e 's/[[:space:]]*$//' -e 's/^/  | /' <<<"$neg"
		fi
		if [ "$seen_restart" = 1 ]; then ok; else
			notok "restart: the counters dropped but nothing on the contention pane said the target restarted ($ncap screens over 3.5 s); last screen:"
			show "$pt"
		fi
		cap "$pt" >/dev/null
		if grep -Eq "$fresh_re" <<<"$(head -n 1 <<<"$screen")"; then ok; else
			notok "restart: the header is not fresh after a restart: $(head -n 1 <<<"$screen")"
		fi
		keys restart
		check_rss restart
		check_secret restart
		res_lat[$m]=$lat
		res_rss[$m]="$rss/$(hwm_mb)"
		res_detect[$m]=-
		res_recover[$m]=-
	fi
	res_result[$m]=ok
	[ "$nfail" -gt "$nf0" ] && res_result[$m]=FAIL
	tm send-keys -t "$pt" 1
	set_mode proxy
fi

# ---------------------------------------------------------------- server side

max_overlap=$(fstat 'd["max_overlap"]')
if [ "$max_overlap" = 1 ]; then ok; else
	notok "the fault server saw $max_overlap requests outstanding at once (batch phase: $batch_overlap): $(fstat 'd["overlaps"]')"
fi
auth1=$(fstat 'd["by_host"].get("127.0.0.1", {}).get("authorization", 0)')
auth2=$(fstat 'd["by_host"].get("127.0.0.2", {}).get("authorization", 0)')
if [ "$auth1" -gt 0 ]; then ok; else
	notok "the Authorization header never reached the target"
fi
if [ "$auth2" = 0 ]; then ok; else
	notok "the Authorization header reached 127.0.0.2 $auth2 times (another host)"
fi

# ---------------------------------------------------------------- quit

# q while a request hangs: exits at once, status 0, nothing on stderr
if alive; then
	set_mode silent
	sleep 1.2 # a poll is waiting on the silent server now
	t0=$(now_ms)
	tm send-keys -t "$pt" q
	while alive && [ $(($(now_ms) - t0)) -lt 5000 ]; do
		sleep 0.02
	done
	qt=$(($(now_ms) - t0))
	qs=$(dead_status)
	if alive; then
		notok "q did not quit within 5 s while a request was hanging"
		show "$pt"
	elif [ "$qs" != 0 ]; then
		notok "pproftop exited with status '$qs' after q ($(why_dead))"
	else
		ok
		echo "quit while a request hangs: ${qt} ms"
	fi
	set_mode proxy
fi
for f in "$tmp"/pt*.err; do
	if [ -s "$f" ]; then
		notok "pproftop wrote to stderr ($(basename "$f")):"
		head -n 60 "$f" | sed 's/^/  | /'
	else
		ok
	fi
done

# ---------------------------------------------------------------- summary

echo
printf '%-20s %-6s %10s %10s %12s %11s\n' MODE RESULT DETECT_MS KEY_MS RSS/PEAK_MB RECOVER_MS
for m in $modes; do
	printf '%-20s %-6s %10s %10s %12s %11s\n' "$m" "${res_result[$m]:-?}" "${res_detect[$m]:--}" \
		"${res_lat[$m]:--}" "${res_rss[$m]:--}" "${res_recover[$m]:--}"
done
echo "worst key latency: $worst_lat ms ($worst_lat_mode); max outstanding requests: $max_overlap; sanitized build: $sanitized"
echo "# $((n - nfail)) checks passed, $nfail failed"
echo "1..$n"
[ "$nfail" -eq 0 ]
