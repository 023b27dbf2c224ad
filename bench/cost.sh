#!/bin/bash
# cost.sh - what pproftop's requests cost the service it watches, read from
# the service's own counters (MemStats TotalAlloc, /proc/PID/stat).
#
#   bench/cost.sh [--quick] [--part 1|2|3] [--out FILE]
#
#   --quick     one repetition, shorter windows, no 100,000-goroutine
#               service, 8 s phases, no part 3: under 3 minutes (2 min 41 s
#               on a 2-core machine; the full run: about 23 minutes: part 1
#               3, part 2 14, part 3 5.5)
#   --part N    only part 1, 2 or 3 (default: all three; --quick --part 3
#               runs part 3 with 15 s phases)
#   --out FILE  also write the Markdown report to FILE
#
# Standalone: runs on any Debian machine, as root. Installs what is missing
# with apt-get (curl, python3, tmux, prometheus, caddy, golang-go), builds
# the demo service (examples/demo) into a temporary directory unless DEMO
# names a binary, starts every service on 127.0.0.1 on free ports, one at a
# time, and stops all of it on exit. Progress goes to stderr, the report
# (Markdown, ready to paste) to stdout.
#
# Part 1, one request of each form: on the demo (-quiet), the demo with
# 100,000 goroutines (-quiet -heartbeat -spawn 100000 -stacks 20000) and an
# idle Prometheus, bench/cost_probe.py requests goroutine (protobuf),
# goroutine?debug=1, heap, heap?debug=1, allocs, block, block?debug=1,
# mutex, mutex?debug=1, the index /debug/pprof/ and goroutine?debug=2 (once
# on the 100k service), N times in a row on one keep-alive connection, 3
# repetitions, and reports the medians of: the service's allocation per
# request (TotalAlloc: the "# TotalAlloc" line of heap?debug=1 on the demo,
# go_memstats_alloc_bytes_total of /metrics on Prometheus, the reading
# request's own cost measured back to back and subtracted, and the idle
# rate), its CPU per request (utime+stime, net of the idle rate), the
# latency and the body size; on the 100k service the longest gap of the
# demo's 1 ms heartbeat during each form's requests. N is what takes about
# 1.5 s (3 s on the 100k service), at least 40 (3).
#
# Part 2, the whole dashboard: an idle Prometheus, a Prometheus scraping
# itself every 1 s and queried every 0.5 s, and an idle Caddy (pprof and
# /metrics on its admin address). For -i 2 and -i 0.5: phases without and
# with `$PPROFTOP_BIN -i I http://127.0.0.1:PORT` running live in a detached
# tmux (200x50), alternated W P W P, 30 s each (quick: W P, 8 s), each
# after 3 s of settling (pproftop is started at the start of the settling,
# so its first poll is not counted). Over each phase: the service's
# allocation rate from go_memstats_alloc_bytes_total (one /metrics read at
# each end, the same in both phases) and its CPU from /proc/PID/stat; the
# phases of a kind are pooled.
#
# Part 3, live stalls on the 100,000-goroutine service: the demo with
# -quiet -heartbeat -spawn 100000 -stacks 20000, phases of 60 s (quick: 15)
# without pproftop (W) and with `$PPROFTOP_BIN -i 2` live in a detached tmux
# (200x50) started at the phase's first instant, so its first poll counts:
# W P W, or W B W P W when PPROFTOP_BEFORE names a second binary to compare.
# The demo's heartbeat (a goroutine sleeping 1 ms) is reset at the start of
# a phase and read (and reset) every 5 s: the longest gap per window; every
# gap over 5 ms, which the demo prints on its stderr with its length, is
# counted per phase. Also per phase: the demo's CPU (utime+stime), its
# allocation and GC cycles (TotalAlloc and NumGC of one heap?debug=1 read at
# each end, outside the heartbeat windows) and pproftop's own CPU. At the
# end of a pproftop phase the screen is captured, then the help overlay's
# endpoint table (`?`, `G`): which form of each endpoint it fetched, and how
# often.
#
# Environment: PPROFTOP_BIN (default build/pproftop), PPROFTOP_BEFORE (part
# 3: a binary to compare with; default none), DEMO (a demo binary;
# default: built from examples/demo), KEEP=1 keeps the temporary directory
# (raw JSON, logs, the dashboard's last screens).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/demo-lib.sh
. "$root/bench/demo-lib.sh"

QUICK=0 PART=all OUTFILE=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--part)
		[ $# -ge 2 ] || { echo "cost.sh: --part needs 1, 2 or 3" >&2; exit 2; }
		PART=$2
		shift
		;;
	--part=*) PART=${1#--part=} ;;
	--out)
		[ $# -ge 2 ] || { echo "cost.sh: --out needs a file" >&2; exit 2; }
		OUTFILE=$2
		shift
		;;
	--out=*) OUTFILE=${1#--out=} ;;
	-h | --help)
		sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'
		exit 0
		;;
	*)
		echo "usage: bench/cost.sh [--quick] [--part 1|2|3] [--out FILE]" >&2
		exit 2
		;;
	esac
	shift
done
case $PART in 1 | 2 | 3 | all) ;; *)
	echo "cost.sh: --part must be 1, 2 or 3" >&2
	exit 2
	;;
esac
# want N: part N runs (all: 1, 2 and, unless --quick, 3)
want() { [ "$PART" = "$1" ] || { [ "$PART" = all ] && { [ "$1" != 3 ] || [ $QUICK = 0 ]; }; }; }
[ -z "$OUTFILE" ] || OUTFILE=$(realpath -m "$OUTFILE")

PPROFTOP_BIN=${PPROFTOP_BIN:-$root/build/pproftop}
if [ $QUICK = 1 ]; then
	REPS=1 TARGET_SECS=0.5 MIN_N=20 PHASE=8 SETTLE=2 CYCLES=1 PHASE3=15
else
	REPS=3 TARGET_SECS=1.5 MIN_N=40 PHASE=30 SETTLE=3 CYCLES=2 PHASE3=60
fi
WIN3=5 # part 3: seconds per heartbeat window
BIG_TARGET_SECS=3 BIG_MIN_N=3 BIG_MAX_N=400
FORMS='goroutine,goroutine?debug=1,heap,heap?debug=1,allocs,block,block?debug=1,mutex,mutex?debug=1,index,goroutine?debug=2'

say() { printf '%s\n' "$*" >&2; }
die() { say "cost.sh: $*"; exit 1; }

# ---- tools ----
need=()
for t in curl:curl python3:python3 tmux:tmux prometheus:prometheus caddy:caddy; do
	command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
[ -n "${DEMO:-}" ] || command -v go >/dev/null 2>&1 || need+=(golang-go)
if [ ${#need[@]} -gt 0 ]; then
	say "cost.sh: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 ||
		{ apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
fi
if want 2 || want 3; then
	[ -x "$PPROFTOP_BIN" ] || die "no pproftop binary at $PPROFTOP_BIN (set PPROFTOP_BIN)"
	PPROFTOP_BIN=$(realpath "$PPROFTOP_BIN")
fi
PPROFTOP_BEFORE=${PPROFTOP_BEFORE:-}
if [ -n "$PPROFTOP_BEFORE" ] && want 3; then
	[ -x "$PPROFTOP_BEFORE" ] || die "no pproftop binary at PPROFTOP_BEFORE=$PPROFTOP_BEFORE"
	PPROFTOP_BEFORE=$(realpath "$PPROFTOP_BEFORE")
fi

TMP=$(mktemp -d /tmp/pproftop-cost.XXXXXX)
TSOCK=pproftop-cost-$$ # our own tmux server
pids=()
cleanup() {
	stop_started "$TSOCK"
	if [ "${KEEP:-0}" = 1 ]; then
		say "cost.sh: raw outputs kept in $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

REPORT=$TMP/report.md
: >"$REPORT"
out() { printf '%s\n' "$*" >>"$REPORT"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
CLK=$(getconf CLK_TCK)
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
freeport() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
# wait_http URL: until it answers 200 (30 s)
wait_http() {
	for _ in $(seq 300); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true)" = 200 ] && return 0
		sleep 0.1
	done
	die "$1 did not answer"
}
# alloc_total URL: go_memstats_alloc_bytes_total of a /metrics page
alloc_total() {
	curl -sS --max-time 10 "$1" | awk '/^go_memstats_alloc_bytes_total / { printf "%.0f\n", $2; f = 1 }
		END { if (!f) exit 1 }'
}

# ---- the demo ----
if want 1 || want 3; then
	if [ -z "${DEMO:-}" ]; then
		say "cost.sh: building the demo (examples/demo) into $TMP"
		(cd "$root/examples/demo" && GOCACHE=${GOCACHE:-$TMP/gocache} GOFLAGS='' GOTOOLCHAIN=local \
			GOPROXY=off go build -o "$TMP/demo" .) >&2
		DEMO=$TMP/demo
	fi
	DEMO=$(realpath "$DEMO")
fi

# start_demo NAME ARGS...: sets svc_pid and svc_addr; waits until every
# -spawn goroutine is parked (bench/demo-lib.sh)
start_demo() {
	local name=$1
	shift
	demo_launch "$DEMO" "$TMP" "$name" "$@" || die "$demo_error"
	svc_pid=$demo_pid
	svc_addr=$demo_addr
	say "demo $name (pid $svc_pid) on $svc_addr: $demo_stats"
}

# start_prom NAME CONFIG: sets svc_pid, svc_port, svc_cmd
start_prom() {
	local name=$1 cfg=$2
	svc_port=$(freeport)
	mkdir -p "$TMP/$name-tsdb"
	svc_cmd="prometheus --config.file=$cfg --storage.tsdb.path=$TMP/$name-tsdb --web.listen-address=127.0.0.1:$svc_port"
	# shellcheck disable=SC2086
	$svc_cmd >"$TMP/$name.log" 2>&1 &
	svc_pid=$!
	pids+=("$svc_pid")
	wait_http "http://127.0.0.1:$svc_port/-/ready"
	say "prometheus $name (pid $svc_pid) on 127.0.0.1:$svc_port"
}

# start_caddy NAME: sets svc_pid, svc_port (the admin address), svc_cmd
start_caddy() {
	local name=$1 site
	svc_port=$(freeport)
	site=$(freeport)
	mkdir -p "$TMP/$name-home"
	cat >"$TMP/$name.Caddyfile" <<EOF
{
	admin 127.0.0.1:$svc_port
	auto_https off
}
http://127.0.0.1:$site {
	respond "ok"
}
EOF
	svc_cmd="caddy run --config $TMP/$name.Caddyfile --adapter caddyfile"
	# shellcheck disable=SC2086
	HOME=$TMP/$name-home XDG_CONFIG_HOME=$TMP/$name-home XDG_DATA_HOME=$TMP/$name-home \
		$svc_cmd >"$TMP/$name.log" 2>&1 &
	svc_pid=$!
	pids+=("$svc_pid")
	wait_http "http://127.0.0.1:$svc_port/metrics"
	[ "$(curl -sS "http://127.0.0.1:$site/")" = ok ] || die "caddy does not serve its site"
	say "caddy $name (pid $svc_pid), site on 127.0.0.1:$site, admin on 127.0.0.1:$svc_port"
}

printf 'global:\n  scrape_interval: 1m\n' >"$TMP/prom-idle.yml"

T_START=$(now)
out "Run of $(date -u '+%F %H:%M UTC')$([ $QUICK = 1 ] && echo ' (--quick)')."
out ""
out "- machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)," \
	"$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)," \
	"$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')"
out "- load average at the start: $(load)"
out "- $(prometheus --version 2>&1 | head -n 1); caddy $(caddy version | cut -d' ' -f1)$(
	[ -n "${DEMO:-}" ] && echo "; demo built with $(go version 2>/dev/null | cut -d' ' -f3)")"
{ want 2 || want 3; } && out "- pproftop: \`$PPROFTOP_BIN\` ($("$PPROFTOP_BIN" --version 2>&1 | head -n 1)," \
	"sha256 $(sha256sum "$PPROFTOP_BIN" | cut -c1-12))"
[ -n "$PPROFTOP_BEFORE" ] && want 3 && out "- part 3 compares with \`$PPROFTOP_BEFORE\`" \
	"($("$PPROFTOP_BEFORE" --version 2>&1 | head -n 1), sha256 $(sha256sum "$PPROFTOP_BEFORE" | cut -c1-12))"
out ""

# ======================================================================
# part 1
# probe NAME ARGS...: cost_probe.py on the current service, its table into the report
probe() {
	local name=$1
	shift
	python3 "$root/bench/cost_probe.py" --pid "$svc_pid" --label "$name" --json "$TMP/part1-$name.json" \
		--reps "$REPS" "$@" >"$TMP/part1-$name.md"
	cat "$TMP/part1-$name.md" >>"$REPORT"
	out ""
}

if want 1; then
	say "== part 1: one request of each form (load $(load))"
	out "## Part 1: one request of each form"
	out ""
	out "Per request, medians of $REPS repetition(s) of N requests in a row on one keep-alive"
	out "connection (bench/cost_probe.py). Allocation: the service's MemStats TotalAlloc, net of"
	out "the reading request and the idle rate; CPU: the service's utime+stime, net of the idle"
	out "rate; latency: send to last byte, median; \"alloc / body byte\" is allocation divided by"
	out "the body size."
	out ""

	start_demo demo -quiet
	out "### The demo, \`$DEMO -addr 127.0.0.1:0 -quiet\` (load $(load))"
	out ""
	probe demo --base "http://$svc_addr" --meter demo --forms "$FORMS" \
		--target-secs "$TARGET_SECS" --min-n "$MIN_N"
	stop_pid "$svc_pid"

	start_prom prom1 "$TMP/prom-idle.yml"
	sleep 3
	out "### Idle Prometheus, \`$svc_cmd\` (load $(load))"
	out ""
	out "The configuration: \`$(tr '\n' ' ' <"$TMP/prom-idle.yml" | sed 's/  */ /g; s/ $//')\` (no scrape job)."
	out ""
	probe prometheus --base "http://127.0.0.1:$svc_port" --meter metrics --forms "$FORMS" \
		--target-secs "$TARGET_SECS" --min-n "$MIN_N"
	stop_pid "$svc_pid"

	if [ $QUICK = 0 ]; then
		start_demo big -quiet -heartbeat -spawn 100000 -stacks 20000
		sleep 5 # the garbage collections after the spawn
		out "### The demo with 100,000 goroutines, \`$DEMO -addr 127.0.0.1:0 -quiet -heartbeat -spawn 100000 -stacks 20000\` (load $(load))"
		out ""
		out "N takes about ${BIG_TARGET_SECS} s, at least $BIG_MIN_N; \`goroutine?debug=2\` once."
		out "Worst stall: the longest gap of the demo's 1 ms heartbeat during a form's"
		out "requests, the worst of the repetitions (/demo/heartbeat?reset=1 before each); gaps > 5 ms"
		out "per request: the median over the repetitions. The idle line is the noise floor."
		out ""
		probe big --base "http://$svc_addr" --meter demo --forms "$FORMS" --once 'goroutine?debug=2' \
			--heartbeat --idle-secs 5 --target-secs "$BIG_TARGET_SECS" --min-n "$BIG_MIN_N" --max-n "$BIG_MAX_N"
		stop_pid "$svc_pid"
	fi
fi

# ======================================================================
# part 2
# phase KIND: one phase on the current service; appends
# "kind secs alloc_bytes svc_ticks ppt_ticks" to $phases
phase() {
	local kind=$1 ppt=
	if [ "$kind" != W ]; then
		tmux -L "$TSOCK" -f /dev/null new-session -d -s ppt -x 200 -y 50 \
			"exec $PPROFTOP_BIN -i $kind http://127.0.0.1:$svc_port"
		ppt=$(tmux -L "$TSOCK" list-panes -t ppt -F '#{pane_pid}')
	fi
	sleep "$SETTLE"
	local m0 c0 p0=0 t0 m1 c1 p1=0 t1
	m0=$(alloc_total "$metrics")
	c0=$(ticks "$svc_pid")
	[ -z "$ppt" ] || p0=$(ticks "$ppt")
	t0=$(now)
	sleep "$PHASE"
	t1=$(now)
	[ -z "$ppt" ] || p1=$(ticks "$ppt")
	c1=$(ticks "$svc_pid")
	m1=$(alloc_total "$metrics")
	if [ -n "$ppt" ]; then
		tmux -L "$TSOCK" capture-pane -p -t ppt >"$TMP/screen-$svc_name-$kind.txt"
		tmux -L "$TSOCK" kill-session -t ppt
		if grep -q STALE "$TMP/screen-$svc_name-$kind.txt"; then
			say "cost.sh: pproftop on $svc_name said STALE:"
			head -n 3 "$TMP/screen-$svc_name-$kind.txt" >&2
		fi
	fi
	echo "$kind $(awk "BEGIN { print $t1 - $t0 }") $((m1 - m0)) $((c1 - c0)) $((p1 - p0))" >>"$phases"
	say "  $svc_name $kind: $(tail -n 1 "$phases")"
}

# dashboard KEY NAME: both intervals on the current service; rows into $TMP/part2.rows
dashboard() {
	svc_name=$1
	local title=$2
	metrics=http://127.0.0.1:$svc_port/metrics
	phases=$TMP/phases-$svc_name.txt
	echo "$title" >"$TMP/title-$svc_name.txt"
	: >"$phases"
	sleep "$SETTLE"
	for i in 2 0.5; do
		for ((c = 0; c < CYCLES; c++)); do
			phase W
			phase "$i"
		done
	done
	awk -v clk="$CLK" -v name="$title" -v load="$(load)" '
		{ s[$1] += $2; a[$1] += $3; c[$1] += $4; p[$1] += $5 }
		END {
			aw = a["W"] / s["W"] / 1048576; cw = c["W"] * 100 / clk / s["W"]
			for (i = 1; i <= 2; i++) {
				k = i == 1 ? "2" : "0.5"
				ap = a[k] / s[k] / 1048576; cp = c[k] * 100 / clk / s[k]
				printf "| %s | -i %s | %.2f → %.2f | **%+.2f** | %.2f → %.2f | **%+.2f** | %.2f | %s |\n",
					name, k, aw, ap, ap - aw, cw, cp, cp - cw, p[k] * 100 / clk / s[k], load
			}
		}' "$phases" >>"$TMP/part2.rows"
}

if want 2; then
	say "== part 2: the whole dashboard (load $(load))"
	: >"$TMP/part2.rows"
	cmds=()

	start_prom prom-idle "$TMP/prom-idle.yml"
	cmds+=("idle Prometheus: \`$svc_cmd\`, the configuration \`$(tr '\n' ' ' <"$TMP/prom-idle.yml" | sed 's/  */ /g; s/ $//')\`")
	dashboard prom-idle "Prometheus, idle"
	stop_pid "$svc_pid"

	port=$(freeport)
	cat >"$TMP/prom-busy.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
	# start_prom picks its own port: start it on the one the config names
	mkdir -p "$TMP/prom-busy-tsdb"
	svc_port=$port
	svc_cmd="prometheus --config.file=$TMP/prom-busy.yml --storage.tsdb.path=$TMP/prom-busy-tsdb --web.listen-address=127.0.0.1:$svc_port"
	# shellcheck disable=SC2086
	$svc_cmd >"$TMP/prom-busy.log" 2>&1 &
	svc_pid=$!
	pids+=("$svc_pid")
	wait_http "http://127.0.0.1:$svc_port/-/ready"
	query="http://127.0.0.1:$svc_port/api/v1/query?query=rate(prometheus_http_requests_total[1m])"
	(
		trap 'exit 0' TERM
		while :; do
			curl -s --max-time 5 "$query" >/dev/null || true
			sleep 0.5
		done
	) &
	qpid=$!
	pids+=("$qpid")
	sleep 5 # a few scrapes before the first phase
	cmds+=("busy Prometheus: \`$svc_cmd\`, scraping itself every 1 s (\`scrape_interval: 1s\`, one static target, itself), while \`while :; do curl -s '$query' >/dev/null; sleep 0.5; done\` runs")
	dashboard prom-busy "Prometheus, scraping itself every 1 s + a query every 0.5 s"
	stop_pid "$qpid"
	stop_pid "$svc_pid"

	start_caddy caddy
	cmds+=("idle Caddy: \`$svc_cmd\` with the Caddyfile \`$(tr '\n\t' '  ' <"$TMP/caddy.Caddyfile" | sed 's/  */ /g; s/ $//')\`; pproftop and the /metrics reads on the admin address")
	dashboard caddy "Caddy, idle"
	stop_pid "$svc_pid"

	out "## Part 2: the whole dashboard"
	out ""
	out "The service's allocation rate (go_memstats_alloc_bytes_total) and CPU (utime+stime) without"
	out "pproftop and with \`tmux new-session -d -x 200 -y 50 \"exec $PPROFTOP_BIN -i I http://127.0.0.1:PORT\"\`;"
	if [ $CYCLES = 1 ]; then
		out "phases W P per interval, $PHASE s each after $SETTLE s of settling."
	else
		out "phases W P W P per interval ($CYCLES of each), $PHASE s each after $SETTLE s of settling"
		out "(pproftop starts at the start of the settling; its first poll is not counted); \"without\""
		out "pools all $((CYCLES * 2)) W phases of the service."
	fi
	out "Targets: at -i 2 on Prometheus pproftop adds ≤ 0.5 MiB/s and ≤ 0.5 % of a core; at -i 0.5 ≤ 2 MiB/s."
	out ""
	out "| service | interval | alloc without → with (MiB/s) | Δ alloc (MiB/s) | CPU without → with (% of a core) | Δ CPU (%) | pproftop's own CPU (%) | load after |"
	out "|---|---|---|---|---|---|---|---|"
	cat "$TMP/part2.rows" >>"$REPORT"
	out ""
	out "Every phase (kind: W without, 2 or 0.5 the interval; MiB/s and % of a core of the service):"
	out ""
	out "| service | phases in order |"
	out "|---|---|"
	for n in prom-idle prom-busy caddy; do
		f=$TMP/phases-$n.txt
		out "| $(cat "$TMP/title-$n.txt") | $(awk -v clk="$CLK" '{ printf "%s%s %.2f MiB/s %.2f%%", (NR > 1 ? "; " : ""), $1, $3 / $2 / 1048576, $4 * 100 / clk / $2 }' "$f") |"
	done
	out ""
	out "Commands:"
	out ""
	for c in "${cmds[@]}"; do
		out "- $c"
	done
	out ""
fi

# ======================================================================
# part 3
# meter3: "TotalAlloc NumGC" of the current demo (one heap?debug=1 read)
meter3() {
	curl -sS --max-time 30 "http://$svc_addr/debug/pprof/heap?debug=1" |
		awk '/^# TotalAlloc = / { a = $4 } /^# NumGC = / { g = $4 }
			END { if (a == "" || g == "") exit 1; print a, g }'
}
# hb3 [reset]: "max_gap_ns stalls_over_5ms total_stall_ns samples since_ns"
hb3() {
	curl -sS --max-time 30 "http://$svc_addr/demo/heartbeat${1:+?reset=1}" |
		python3 -c 'import json, sys; h = json.load(sys.stdin)
print(h["max_gap_ns"], h["stalls_over_5ms"], h["total_stall_ns"], h["samples"], h["since_ns"])'
}
stall_lines() { grep -c '^demo: heartbeat stall ' "$TMP/big3.stderr" || true; }

# phase3 KIND [BIN]: one phase on the 100k demo; KIND W (without) or a
# label; appends "kind secs alloc gcs svc_ticks ppt_ticks load1" to
# $TMP/phases3.txt, the window maxima (ms) to $TMP/windows3-N.txt and the
# gaps over 5 ms (ms, one a line) to $TMP/gaps3-N.txt
phase3() {
	local kind=$1 bin=${2:-} ppt='' n m0 m1 g0 g1 c0 c1 p0=0 p1=0 t0 t1 l0 l1 w
	n=$(($(wc -l <"$TMP/phases3.txt") + 1))
	read -r m0 g0 <<<"$(meter3)" || die "part 3: no TotalAlloc/NumGC in heap?debug=1"
	c0=$(ticks "$svc_pid")
	l0=$(stall_lines)
	if [ -n "$bin" ]; then
		tmux -L "$TSOCK" -f /dev/null new-session -d -s ppt3 -x 200 -y 50 \
			"exec $bin -i 2 http://$svc_addr"
		ppt=$(tmux -L "$TSOCK" list-panes -t ppt3 -F '#{pane_pid}')
		p0=$(ticks "$ppt")
	fi
	hb3 reset >/dev/null
	t0=$(now)
	: >"$TMP/windows3-$n.txt"
	for ((w = 1; w * WIN3 <= PHASE3; w++)); do
		sleep "$(awk -v t="$t0" -v w="$w" -v s="$WIN3" -v n="$(now)" 'BEGIN { d = t + w * s - n; printf "%.3f", (d > 0 ? d : 0) }')"
		hb3 reset | awk '{ printf "%.1f\n", $1 / 1e6 }' >>"$TMP/windows3-$n.txt"
	done
	t1=$(now)
	l1=$(stall_lines)
	if [ -n "$ppt" ]; then
		p1=$(ticks "$ppt")
		tmux -L "$TSOCK" capture-pane -p -t ppt3 >"$TMP/screen3-$n-$kind.txt"
		tmux -L "$TSOCK" send-keys -t ppt3 '?'
		sleep 1
		tmux -L "$TSOCK" send-keys -t ppt3 G
		sleep 1
		tmux -L "$TSOCK" capture-pane -p -t ppt3 >"$TMP/help3-$n-$kind.txt"
		tmux -L "$TSOCK" kill-session -t ppt3
	fi
	c1=$(ticks "$svc_pid")
	read -r m1 g1 <<<"$(meter3)" || die "part 3: no TotalAlloc/NumGC in heap?debug=1"
	{ [ "$l1" -le "$l0" ] || grep '^demo: heartbeat stall ' "$TMP/big3.stderr" | sed -n "$((l0 + 1)),${l1}p"; } |
		sed -n 's/^demo: heartbeat stall //p' |
		awk '/ms$/ { sub(/ms$/, ""); print $1 + 0; next } /µs$/ { sub(/µs$/, ""); print $1 / 1000; next }
			/[0-9]s$/ { sub(/s$/, ""); print $1 * 1000 }' >"$TMP/gaps3-$n.txt"
	echo "$kind $(awk "BEGIN { print $t1 - $t0 }") $((m1 - m0)) $((g1 - g0)) $((c1 - c0)) $((p1 - p0)) $(cut -d' ' -f1 /proc/loadavg)" >>"$TMP/phases3.txt"
	say "  part 3 phase $n $kind: $(tail -n 1 "$TMP/phases3.txt"); window maxima $(tr '\n' ' ' <"$TMP/windows3-$n.txt")"
}

if want 3; then
	say "== part 3: live stalls on the 100k service (load $(load))"
	start_demo big3 -quiet -heartbeat -spawn 100000 -stacks 20000
	sleep 10 # the garbage collections after the spawn
	: >"$TMP/phases3.txt"
	phase3 W
	if [ -n "$PPROFTOP_BEFORE" ]; then
		phase3 before "$PPROFTOP_BEFORE"
		phase3 W
	fi
	phase3 "$([ -n "$PPROFTOP_BEFORE" ] && echo after || echo pproftop)" "$PPROFTOP_BIN"
	phase3 W
	stop_pid "$svc_pid"

	out "## Part 3: live stalls on the 100,000-goroutine service"
	out ""
	out "\`$DEMO -addr 127.0.0.1:0 -quiet -heartbeat -spawn 100000 -stacks 20000\`, phases of $PHASE3 s"
	out "without pproftop (W) and with \`tmux new-session -d -x 200 -y 50 \"exec BIN -i 2 http://ADDR\"\`"
	out "started at the phase's first instant (its first poll counts)$([ -n "$PPROFTOP_BEFORE" ] &&
		echo "; before: \`$PPROFTOP_BEFORE\`, after: \`$PPROFTOP_BIN\`")."
	out "Stalls: the demo's 1 ms heartbeat, read every $WIN3 s; \"worst after ${WIN3} s\" leaves out the first"
	out "window (pproftop's start and first poll); gaps over 5 ms as the demo printed them. Demo CPU"
	out "from utime+stime; allocation and GC cycles from TotalAlloc and NumGC of one heap?debug=1"
	out "read at each end of the phase (outside the heartbeat windows, the same in every phase)."
	out ""
	out "| phase | secs | worst stall (ms) | worst after ${WIN3} s (ms) | median window max (ms) | gaps > 5 ms | > 20 ms | > 50 ms | stalled (ms) | demo CPU (% of a core) | demo alloc (MiB/s) | GCs | pproftop's CPU (%) | load |"
	out "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	n=0
	while read -r kind secs alloc gcs st pt l; do
		n=$((n + 1))
		out "| $kind | $(printf %.0f "$secs") | $(sort -n "$TMP/windows3-$n.txt" | tail -n 1) | $(tail -n +2 "$TMP/windows3-$n.txt" | sort -n | tail -n 1) | $(sort -n "$TMP/windows3-$n.txt" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }') | $(awk '
			{ n++; s += $1; if ($1 > 20) a++; if ($1 > 50) b++ }
			END { printf "%d | %d | %d | %.0f", n, a, b, s }' "$TMP/gaps3-$n.txt") | $(awk -v t="$st" -v c="$CLK" -v s="$secs" 'BEGIN { printf "%.1f", t * 100 / c / s }') | $(awk -v a="$alloc" -v s="$secs" 'BEGIN { printf "%.2f", a / s / 1048576 }') | $gcs | $(awk -v t="$pt" -v c="$CLK" -v s="$secs" -v k="$kind" 'BEGIN { if (k == "W") print "-"; else printf "%.2f", t * 100 / c / s }') | $l |"
	done <"$TMP/phases3.txt"
	out ""
	out "Window maxima in order (ms, one per $WIN3 s):"
	out ""
	n=0
	while read -r kind _; do
		n=$((n + 1))
		out "- $kind: $(paste -sd' ' "$TMP/windows3-$n.txt")"
	done <"$TMP/phases3.txt"
	out ""
	n=0
	while read -r kind _; do
		n=$((n + 1))
		[ "$kind" != W ] || continue
		out "The dashboard at the end of the $kind phase (top lines), then its help's endpoint table:"
		out ""
		out '```'
		head -n 4 "$TMP/screen3-$n-$kind.txt" | sed 's/ *$//' >>"$REPORT"
		out "..."
		sed -n '/^Endpoints/,$p' "$TMP/help3-$n-$kind.txt" | sed 's/ *$//' | sed '/^$/d' >>"$REPORT"
		out '```'
		out ""
	done <"$TMP/phases3.txt"
fi

out "Load average at the end: $(load); run time $(awk "BEGIN { printf \"%.0f\", $(now) - $T_START }") s."
cat "$REPORT"
[ -z "$OUTFILE" ] || cp "$REPORT" "$OUTFILE"
