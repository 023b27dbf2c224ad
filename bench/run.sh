#!/bin/bash
# run.sh - every pproftop benchmark in one run, against the demo service.
#
#   bench/run.sh           full run (about 5 minutes)
#   bench/run.sh --quick   smaller target and fewer repetitions (under a minute)
#
# Installs what is missing with apt-get (panicparse, hyperfine, tmux, strace,
# curl, time, python3), builds pproftop and the benchmarks in $BUILD with
# the default buildtype (debugoptimized) and the demo service (examples/demo),
# then measures, in this order:
#
#   5. cost to the watched service: the demo with -quiet -heartbeat -spawn
#      100000 -stacks 20000 (quick: 10000/2000). For each endpoint pproftop
#      polls (and goroutine?debug=1, ?debug=2): reset /demo/heartbeat, one
#      curl request, read the heartbeat (longest gap of a 1 ms sleeper,
#      stalls over 5 ms, their sum) and the demo's utime+stime from
#      /proc/PID/stat, minus the heartbeat's own idle CPU rate; then a whole
#      pproftop poll (--batch -n 1) the same way. The bodies of the first
#      request are kept as capture A; capture B is taken a few seconds later.
#   2. the dashboard's own CPU: `pproftop -i 1` on the big demo and on a
#      normal demo (default flags: leaker, heap growth, contention) in a
#      detached tmux for 60 s (quick: 15 s), both at once; utime+stime of
#      each pproftop (and each demo) from /proc/PID/stat before and after.
#   4. key-to-redraw latency: pproftop on a socket that accepts and never
#      answers (a python3 listener), and on the big demo: alternate '1' and
#      '2' with tmux send-keys and poll capture-pane until the tab bar shows
#      the other pane's sort column (resolution: one capture-pane call,
#      about 2-3 ms); then the same under strace -ttt: read(0) of the key to
#      the first and the last write(1) of the redraw, in the process.
#      (full only) a second demo with -spawn 110000 -stacks 22000 for a 50 MB
#      goroutine?debug=1 when the first one is smaller (it is: 46 MB).
#   3. bench_poll on captures A and B: model_ingest (parse + diffs) of every
#      polled endpoint and ui_draw at 200x60, headless (best/median).
#   1. parse + group: bench_parse (in-process, best/median, peak RSS of a
#      process holding the input) on the proto, debug=1 and debug=2 captures;
#      the same end to end (`pproftop --open FILE --batch --rows 10`) with
#      hyperfine; `go tool pprof -top FILE` with hyperfine on the proto and
#      the debug=1 text; panicparse on the debug=2 dump (on stdin, with
#      -parse=false; it is quadratic in the number of goroutines, 80-120 s
#      here, so it runs once), and on a 16 MiB prefix of the dump cut at a
#      goroutine boundary both with -parse=false and with the default flags,
#      next to pproftop on the same prefix.
#
# The demos are stopped before the CPU-bound steps 3 and 1. Prints a table at
# the end (also in $OUT/summary.txt; raw outputs in $OUT/raw). Every figure is
# a wall-clock time on a shared machine: the load average is printed with
# each section. docs/benchmarks.md has the figures of a full run and how to
# read them.
#
# Environment: BUILD (build dir, default build-bench), OUT (default
# build/bench-run), DEMO (demo binary, default built into build/demo/demo).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/demo-lib.sh
. "$root/bench/demo-lib.sh"
cd "$root"

QUICK=0
case "${1:-}" in
--quick) QUICK=1 ;;
"") ;;
-h | --help)
	sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'
	exit 0
	;;
*)
	echo "usage: bench/run.sh [--quick]" >&2
	exit 2
	;;
esac

BUILD=${BUILD:-$root/build-bench}
OUT=${OUT:-$root/build/bench-run}
DATA=$OUT/data
RAW=$OUT/raw
T_START=$(date +%s.%N)

if [ $QUICK = 1 ]; then
	SPAWN=10000 STACKS=2000
	REPS_BIG=2 REPS_SMALL=10 WATCH=15 KEYS=60 POLL_RUNS=10 PARSE_RUNS=5
	HF_PROTO=5 HF_TEXT=3
else
	SPAWN=100000 STACKS=20000
	REPS_BIG=3 REPS_SMALL=20 WATCH=60 KEYS=120 POLL_RUNS=20 PARSE_RUNS=10
	HF_PROTO=10 HF_TEXT=5
fi

# ---- tools ----
need=()
for t in panicparse:panicparse hyperfine:hyperfine tmux:tmux strace:strace curl:curl \
	python3:python3 /usr/bin/time:time; do
	command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "run.sh: installing ${need[*]}" >&2
	apt-get install -y "${need[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${need[@]}" >&2; }
fi

# ---- build ----
[ -d "$BUILD" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" -j2 pproftop bench/bench_parse bench/bench_poll >/dev/null
PPT=$BUILD/pproftop
if [ -z "${DEMO:-}" ]; then
	scripts/build-demo.sh >/dev/null
	DEMO=$root/build/demo/demo
fi

rm -rf "$OUT"
mkdir -p "$DATA/A" "$DATA/B" "$RAW"
CLK=$(getconf CLK_TCK)
TSOCK=pproftop-bench-$$ # our own tmux server
pids=()
cleanup() {
	stop_started "$TSOCK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

declare -A R # results, printed at the end

say() { printf '%s\n' "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
section() { say "== $1 (load $(load))"; R[load.$2]=$(load); }
now() { date +%s.%N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
# best and median of the numbers in a file, one per line
best() { sort -g "$1" | head -n 1; }
median() { sort -g "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# start_demo NAME ARGS...: starts the demo on a free port; sets
# demo_pid and demo_addr, waits until every -spawn goroutine is parked
# (bench/demo-lib.sh).
start_demo() {
	local name=$1
	shift
	demo_launch "$DEMO" "$RAW" "$name" "$@" || { say "run.sh: $demo_error"; exit 1; }
	say "demo $name on $demo_addr: $demo_stats"
}

stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# ======================================================================
section "5. cost to the watched service" svc
start_demo big -quiet -heartbeat -spawn "$SPAWN" -stacks "$STACKS"
BIG_PID=$demo_pid BIG=$demo_addr
base=http://$BIG
hb() { curl -sS --max-time 10 "$base/demo/heartbeat?reset=1"; }
hbfield() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

# the heartbeat goroutine's own CPU: subtracted from every request's CPU
# (after the garbage collections that follow the spawn have settled)
sleep 2
hb >/dev/null
c0=$(cpu_ticks "$BIG_PID") t0=$(now)
sleep $((QUICK ? 1 : 3))
c1=$(cpu_ticks "$BIG_PID") t1=$(now)
h=$(hb)
IDLE_MS_PER_S=$(calc "($c1 - $c0) * 1000 / $CLK / ($t1 - $t0)")
R[svc.idle]="$(calc "$(hbfield "$h" max_gap_ns) / 1e6" 1) $(hbfield "$h" stalls_over_5ms) $(calc "$(hbfield "$h" total_stall_ns) / 1e6" 1) $IDLE_MS_PER_S"

# svc NAME REPS CMD...: REPS times: reset heartbeat, run CMD, read it back.
# R[svc.NAME] = "size wall_median_ms maxgap_ms stalls/req stall_ms/req cpu_ms/req"
svc() {
	local name=$1 reps=$2
	shift 2
	local f=$RAW/svc-$name.txt
	: >"$f"
	for ((r = 0; r < reps; r++)); do
		hb >/dev/null
		local c0 t0 c1 t1 out
		c0=$(cpu_ticks "$BIG_PID") t0=$(now)
		out=$(SVC_REP=$r "$@")
		t1=$(now) c1=$(cpu_ticks "$BIG_PID")
		h=$(hb)
		echo "$(calc "($t1 - $t0) * 1000") $((c1 - c0)) $(hbfield "$h" max_gap_ns)" \
			"$(hbfield "$h" stalls_over_5ms) $(hbfield "$h" total_stall_ns) ${out:-0}" >>"$f"
	done
	cut -d' ' -f1 "$f" >"$f.wall"
	R[svc.$name]=$(awk -v clk="$CLK" -v idle="$IDLE_MS_PER_S" -v med="$(median "$f.wall")" '
		{ wall += $1; ticks += $2; if ($3 > gap) gap = $3
		  stalls += $4; stall += $5; size = $6 }
		END { cpu = (ticks * 1000 / clk - idle * wall / 1000) / NR; if (cpu < 0) cpu = 0
		      printf "%d %.1f %.1f %.1f %.1f %.1f", size, med, gap / 1e6,
		             stalls / NR, stall / NR / 1e6, cpu }' "$f")
	say "  $name: ${R[svc.$name]}"
}
# fetch QUERY FILE: one request; the first repetition's body is kept in A
fetch() {
	local out=/dev/null
	[ "$SVC_REP" = 0 ] && [ -n "$2" ] && out=$DATA/A/$2
	curl -sS --fail --max-time 300 -o "$out" -w '%{size_download}' "$base/debug/pprof/$1"
}
batch_poll() {
	"$PPT" --batch -n 1 -i 1 "$BIG" >/dev/null
	echo 0
}
svc goroutine "$REPS_BIG" fetch goroutine goroutine.pb.gz
svc goroutine1 "$REPS_BIG" fetch 'goroutine?debug=1' goroutine-debug1.txt
svc goroutine2 1 fetch 'goroutine?debug=2' goroutine-debug2.txt
svc heap "$REPS_SMALL" fetch heap heap.pb.gz
svc memstats "$REPS_SMALL" fetch 'heap?debug=1' heap-debug1.txt
svc allocs "$REPS_SMALL" fetch allocs allocs.pb.gz
svc block "$REPS_SMALL" fetch block block.pb.gz
svc mutex "$REPS_SMALL" fetch mutex mutex.pb.gz
svc index "$REPS_SMALL" fetch '' ''
svc poll "$REPS_BIG" batch_poll
mv "$DATA/A/goroutine-debug1.txt" "$DATA/A/goroutine-debug2.txt" "$DATA/"
for p in goroutine:goroutine.pb.gz heap:heap.pb.gz allocs:allocs.pb.gz block:block.pb.gz \
	mutex:mutex.pb.gz 'heap?debug=1:heap-debug1.txt'; do
	curl -sS --fail --max-time 300 -o "$DATA/B/${p#*:}" "$base/debug/pprof/${p%:*}"
done

# ======================================================================
section "2. dashboard CPU at -i 1 (${WATCH}s)" cpu
start_demo normal
NORMAL_PID=$demo_pid NORMAL=$demo_addr
tmux -L "$TSOCK" -f /dev/null new-session -d -s big -x 200 -y 60 "exec $PPT -i 1 $BIG"
tmux -L "$TSOCK" new-session -d -s normal -x 200 -y 60 "exec $PPT -i 1 $NORMAL"
sleep 3
PPT_BIG=$(tmux -L "$TSOCK" list-panes -t big -F '#{pane_pid}')
PPT_NORMAL=$(tmux -L "$TSOCK" list-panes -t normal -F '#{pane_pid}')
for p in $PPT_BIG $PPT_NORMAL $BIG_PID $NORMAL_PID; do
	declare "c0_$p=$(cpu_ticks "$p")"
done
t0=$(now)
sleep "$WATCH"
t1=$(now)
for p in $PPT_BIG $PPT_NORMAL $BIG_PID $NORMAL_PID; do
	c0=c0_$p
	declare "pct_$p=$(calc "($(cpu_ticks "$p") - ${!c0}) * 100 / $CLK / ($t1 - $t0)" 2)"
done
v=pct_$PPT_BIG && R[cpu.ppt_big]=${!v}
v=pct_$PPT_NORMAL && R[cpu.ppt_normal]=${!v}
v=pct_$BIG_PID && R[cpu.demo_big]=${!v}
v=pct_$NORMAL_PID && R[cpu.demo_normal]=${!v}
for s in big normal; do
	tmux -L "$TSOCK" capture-pane -p -t $s >"$RAW/screen-$s.txt"
	R[cpu.head_$s]=$(head -n 1 "$RAW/screen-$s.txt" | sed 's/  */ /g')
	R[cpu.status_$s]=$(grep -v '^ *$' "$RAW/screen-$s.txt" | tail -n 1 | sed 's/  */ /g')
done
tmux -L "$TSOCK" kill-session -t normal
stop_pid "$NORMAL_PID"
say "  pproftop: big ${R[cpu.ppt_big]}%, normal ${R[cpu.ppt_normal]}% of a core"

# ======================================================================
section "4. key-to-redraw latency" key
cat >"$RAW/keylat.py" <<'EOF'
# keylat.py SOCK SESSION N OUT: alternate '2' and '1', poll capture-pane
import subprocess, sys, time
sock, target, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def tm(*a):
    return subprocess.run(["tmux", "-L", sock] + list(a), capture_output=True, text=True).stdout
want = {"1": "sort: COUNT", "2": "sort: INUSE"}
lat, caps, key, lost = [], [], "2", 0
for i in range(n):
    t0 = time.perf_counter()
    tm("send-keys", "-t", target, key)
    while True:
        c0 = time.perf_counter()
        line = tm("capture-pane", "-p", "-t", target, "-S", "2", "-E", "2")
        c1 = time.perf_counter()
        caps.append(c1 - c0)
        if want[key] in line:
            lat.append((c1 - t0) * 1e3)
            break
        if c1 - t0 > 2:
            lost += 1
            break
    key = "1" if key == "2" else "2"
    time.sleep(0.03)
lat.sort(); caps.sort()
q = lambda a, p: a[min(len(a) - 1, int(p * len(a)))] if a else float("nan")
open(out, "w").write("\n".join("%.3f" % x for x in lat) + "\n")
print("%.1f %.1f %.1f %.1f %.1f %d" % (q(lat, .5), q(lat, .9), q(lat, .99), lat[-1] if lat else 0,
      q(caps, .5) * 1e3, lost))
EOF
cat >"$RAW/stlat.py" <<'EOF'
# stlat.py STRACE_OUT: read(0) of a key -> first / last write(1) of the redraw
import re, sys
ev = []
for l in open(sys.argv[1]):
    m = re.match(r'\s*(?:\d+\s+)?(\d+\.\d+) (read|write)\((\d+), "(.*?)"', l)
    if m:
        ev.append((float(m.group(1)), m.group(2), int(m.group(3)), m.group(4)))
first, last = [], []
for i, (t, op, fd, data) in enumerate(ev):
    if op != "read" or fd != 0 or data not in ("1", "2"):
        continue
    f = l_ = None
    for t2, op2, fd2, _ in ev[i + 1:]:
        if op2 == "read" and fd2 == 0:
            break
        if op2 == "write" and fd2 == 1:
            if f is None:
                f = t2
            elif t2 - l_ > 0.002:
                break
            l_ = t2
    if f is not None:
        first.append((f - t) * 1e3)
        last.append((l_ - t) * 1e3)
q = lambda a, p: sorted(a)[min(len(a) - 1, int(p * len(a)))] if a else float("nan")
print("%d %.2f %.2f %.2f %.2f %.2f %.2f" % (len(first), q(first, .5), q(first, .99),
      max(first or [0]), q(last, .5), q(last, .99), max(last or [0])))
EOF
# keytest SESSION: the tmux measure, then the same under strace
keytest() {
	local s=$1 pp st
	R[key.tmux_$s]=$(python3 "$RAW/keylat.py" "$TSOCK" "$s" "$KEYS" "$RAW/keylat-$s.txt")
	pp=$(tmux -L "$TSOCK" list-panes -t "$s" -F '#{pane_pid}')
	strace -f -ttt -e trace=read,write -o "$RAW/strace-$s.txt" -p "$pp" 2>/dev/null &
	st=$!
	sleep 1
	python3 "$RAW/keylat.py" "$TSOCK" "$s" "$KEYS" "$RAW/keylat-strace-$s.txt" >/dev/null
	kill "$st" 2>/dev/null || true
	wait "$st" 2>/dev/null || true
	R[key.strace_$s]=$(python3 "$RAW/stlat.py" "$RAW/strace-$s.txt" 2>/dev/null || echo "0 0 0 0 0 0 0")
	say "  $s: tmux p50 p90 p99 max capture lost: ${R[key.tmux_$s]}; strace: ${R[key.strace_$s]}"
}
# the big demo first (the session of section 2 is still polling it) ...
keytest big
tmux -L "$TSOCK" kill-session -t big
stop_pid "$BIG_PID"
# ... then a target that accepts and never answers, with nothing else running
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])  # accept, never answer
' >"$RAW/hang.port" &
HANG_PID=$!
pids+=("$HANG_PID")
for _ in $(seq 50); do
	[ -s "$RAW/hang.port" ] && break
	sleep 0.1
done
tmux -L "$TSOCK" new-session -d -s hang -x 200 -y 60 "exec $PPT -i 1 127.0.0.1:$(cat "$RAW/hang.port")"
sleep 2
keytest hang
tmux -L "$TSOCK" capture-pane -p -t hang >"$RAW/screen-hang.txt"
tmux -L "$TSOCK" kill-server
stop_pid "$HANG_PID"

# a 50 MB debug=1 when the 100k/20k one is smaller
D1=$DATA/goroutine-debug1.txt
D1_SIZE=$(stat -c %s "$D1")
D1_50=
if [ $QUICK = 0 ] && [ "$D1_SIZE" -lt 50000000 ]; then
	section "debug=1 of 50 MB" d150
	start_demo big50 -quiet -spawn 110000 -stacks 22000
	D1_50=$DATA/goroutine-debug1-50mb.txt
	curl -sS --fail --max-time 300 -o "$D1_50" "http://$demo_addr/debug/pprof/goroutine?debug=1"
	stop_pid "$demo_pid"
fi

# ======================================================================
section "3. one poll: ingest + diff + draw (bench_poll)" poll
"$BUILD/bench/bench_poll" -n "$POLL_RUNS" "$DATA/A" "$DATA/B" >"$RAW/bench_poll.txt"
cat "$RAW/bench_poll.txt" >&2
bp() { awk -v k="$1" '$1 == k { print $3, $6 }' "$RAW/bench_poll.txt"; }
for k in ingest.all parse.goroutine diff.goroutine ingest.goroutine draw.poll poll.total \
	draw.tick key.1 key.2; do
	R[poll.$k]=$(bp $k)
done
R[poll.groups]=$(awk '$2 == "goroutine" { print $(NF - 1) }' "$RAW/bench_poll.txt")
R[poll.rss]=$(awk '/^peak RSS/ { print $3 }' "$RAW/bench_poll.txt")

# ======================================================================
section "1. parse + group" parse
# hf NAME RUNS CMD...: hyperfine; R[NAME] = "best_ms median_ms"
hf() {
	local name=$1 runs=$2
	shift 2
	hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$RAW/hf-$name.json" \
		"$*" >"$RAW/hf-$name.txt" 2>&1 || { R[$name]="- -"; return; }
	R[$name]=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f %.1f" % (min(r["times"]) * 1e3, r["median"] * 1e3))' "$RAW/hf-$name.json")
}
# rss CMD...: peak RSS in KiB of one run
rss() { /usr/bin/time -f %M -o "$RAW/time.txt" "$@" >/dev/null 2>&1 || true; tail -n 1 "$RAW/time.txt"; }
files=("proto:$DATA/A/goroutine.pb.gz" "d1:$D1" "d2:$DATA/goroutine-debug2.txt")
[ -n "$D1_50" ] && files+=("d150:$D1_50")
for kf in "${files[@]}"; do
	k=${kf%%:*} f=${kf#*:}
	"$BUILD/bench/bench_parse" -n "$PARSE_RUNS" "$f" >"$RAW/bench_parse-$k.txt"
	R[parse.$k]=$(sed -n 's/.* \([0-9]*\) bytes, .*, \([0-9]*\) groups, \([0-9]*\) samples, best \([0-9.]*\) ms, median \([0-9.]*\) ms .*peak RSS \([0-9]*\) KiB/\1 \2 \3 \4 \5 \6/p' "$RAW/bench_parse-$k.txt")
	say "  pproftop $k: ${R[parse.$k]}"
	runs=$HF_TEXT
	[ "$k" = proto ] && runs=$HF_PROTO
	hf "e2e.$k" "$runs" "$PPT" --open "$f" --batch --rows 10
	R[e2erss.$k]=$(rss "$PPT" --open "$f" --batch --rows 10)
	if [ "$k" != d2 ]; then
		hf "pprof.$k" "$runs" go tool pprof -top "$f"
		R[pprofrss.$k]=$(rss go tool pprof -top "$f")
		say "  go tool pprof $k: ${R[pprof.$k]} (rss ${R[pprofrss.$k]})"
	fi
done
R[inflated.proto]=$(gzip -dc "$DATA/A/goroutine.pb.gz" | wc -c)
# panicparse is quadratic in the goroutines (about 80 s on the 64 MiB dump):
# the whole dump once with -parse=false; both flag sets on a 16 MiB prefix
# cut at a goroutine boundary, next to pproftop on the same prefix.
D2=$DATA/goroutine-debug2.txt D2P=$DATA/goroutine-debug2-16m.txt
python3 -c 'import sys
b = open(sys.argv[1], "rb").read(16 << 20)
i = b.rfind(b"\n\ngoroutine ")
open(sys.argv[2], "wb").write(b[:i + 1] if i > 0 else b)' "$D2" "$D2P"
"$BUILD/bench/bench_parse" -n "$PARSE_RUNS" "$D2P" >"$RAW/bench_parse-d2p.txt"
R[parse.d2p]=$(sed -n 's/.* \([0-9]*\) bytes, .*, \([0-9]*\) groups, \([0-9]*\) samples, best \([0-9.]*\) ms, median \([0-9.]*\) ms .*peak RSS \([0-9]*\) KiB/\1 \2 \3 \4 \5 \6/p' "$RAW/bench_parse-d2p.txt")
# pp KEY FILE [FLAGS]: one panicparse run, the dump on stdin
pp() {
	local k=$1 f=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M %x' -o "$RAW/time-pp.txt" \
		panicparse "$@" <"$f" >"$RAW/panicparse-$k.out" 2>&1 || true
	R[pp.$k]=$(tail -n 1 "$RAW/time-pp.txt")
	say "  panicparse $k: wall user sys maxrss exit: ${R[pp.$k]}"
}
pp full "$D2" -parse=false
pp prefix-noparse "$D2P" -parse=false
pp prefix-default "$D2P"
R[pp.lastline]=$(tail -n 1 "$RAW/panicparse-full.out" | cut -c1-100)
T_END=$(now)

# ======================================================================
# The table.
{
	m() { calc "$1 / 1e6" 2; }
	echo "pproftop benchmarks $(date -u '+%F %H:%M UTC')$([ $QUICK = 1 ] && echo ' (--quick)')"
	echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)," \
		"$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)," \
		"$(go version | cut -d' ' -f3), $(cc --version | head -n 1)," \
		"buildtype $(meson introspect "$BUILD" --buildoptions | python3 -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"))')"
	echo "demo: -spawn $SPAWN -stacks $STACKS; load average per section: svc ${R[load.svc]} |" \
		"cpu ${R[load.cpu]} | key ${R[load.key]} | poll ${R[load.poll]} | parse ${R[load.parse]}"
	echo
	echo "1. parse + group (ms: best / median; in-process $PARSE_RUNS runs, end to end with hyperfine)"
	printf '%-26s %10s %7s %17s %7s %17s %17s %8s %9s\n' input MB groups pproftop target \
		"pproftop e2e" "go tool pprof" ratio "RSS/in"
	for kf in "${files[@]}"; do
		k=${kf%%:*}
		read -r size groups samples b md rss <<<"${R[parse.$k]}"
		read -r eb em <<<"${R[e2e.$k]}"
		case $k in
		proto) label="goroutine proto (.pb.gz)" tgt="< 50" ;;
		d1) label="goroutine debug=1" tgt="< 300" ;;
		d150) label="goroutine debug=1 (50 MB)" tgt="< 300" ;;
		d2) label="goroutine debug=2" tgt="< 500" ;;
		esac
		if [ "$k" != d2 ]; then
			read -r pb pm <<<"${R[pprof.$k]}"
			pp="$pb / $pm" ratio="$(calc "$pb / $b" 1)x/$(calc "$pb / $eb" 1)x"
		else
			pp="(cannot read)" ratio=-
		fi
		insize=$size
		[ "$k" = proto ] && insize=${R[inflated.proto]}
		printf '%-26s %10s %7s %17s %7s %17s %17s %8s %8sx\n' "$label" "$(m "$size")" "$groups" \
			"$b / $md" "$tgt" "$eb / $em" "$pp" "$ratio" "$(calc "$rss * 1024 / $insize" 2)"
	done
	echo "  ratio: go tool pprof best / pproftop best (in-process / end to end)."
	echo "  RSS/in: peak RSS of bench_parse (input buffer included) / input size; for the proto"
	echo "  the inflated size ($(calc "${R[inflated.proto]} / 1e3" 0) kB); target < 3x." \
		"End-to-end peak RSS (KiB): proto ${R[e2erss.proto]}, debug=1 ${R[e2erss.d1]}," \
		"debug=2 ${R[e2erss.d2]}; go tool pprof: proto ${R[pprofrss.proto]}, debug=1 ${R[pprofrss.d1]}"
	read -r size groups samples b md rss <<<"${R[parse.d2]}"
	cut=
	[ "$size" = 67108864 ] && cut=" (the runtime's 64 MiB cap cut it)"
	read -r w u s mr x <<<"${R[pp.full]}"
	printf '  panicparse -parse=false, whole debug=2 dump (%s goroutines%s):\n' "$samples" "$cut"
	printf '    %7.1f s wall (%.1f user + %.1f sys), %4.0f MiB RSS, exit %s: %.0fx pproftop best (%s ms)\n' \
		"$w" "$u" "$s" "$(calc "$mr / 1024" 0)" "$x" "$(calc "$w * 1000 / $b" 0)" "$b"
	echo "    its last line: ${R[pp.lastline]}"
	read -r size groups samples b md rss <<<"${R[parse.d2p]}"
	printf '  16 MiB prefix (%s goroutines): pproftop %s / %s ms\n' "$samples" "$b" "$md"
	for k in prefix-noparse prefix-default; do
		read -r w u s mr x <<<"${R[pp.$k]}"
		printf '    panicparse %-14s %6.1f s wall (%.1f user + %.1f sys), %4.0f MiB RSS, exit %s: %.0fx pproftop best\n' \
			"${k#prefix-}" "$w" "$u" "$s" "$(calc "$mr / 1024" 0)" "$x" "$(calc "$w * 1000 / $b" 0)"
	done
	if [ -n "$D1_50" ]; then
		echo "  the $SPAWN/$STACKS demo's debug=1 is $(calc "$D1_SIZE / 1e6" 1) MB (< 50 MB);" \
			"the 50 MB row is -spawn 110000 -stacks 22000."
	fi
	echo
	echo "2. dashboard CPU, pproftop -i 1, ${WATCH}s window (target < 1% of a core)"
	printf '  %-34s pproftop %6s%%   demo %6s%%\n' "normal demo (default flags)" \
		"${R[cpu.ppt_normal]}" "${R[cpu.demo_normal]}"
	printf '  %-34s pproftop %6s%%   demo %6s%%\n' "big demo ($SPAWN goroutines)" \
		"${R[cpu.ppt_big]}" "${R[cpu.demo_big]}"
	echo "  big screen: ${R[cpu.head_big]}"
	echo "  big status: ${R[cpu.status_big]}"
	echo "  normal screen: ${R[cpu.head_normal]}"
	echo
	echo "3. one poll, $SPAWN goroutines in ${R[poll.groups]} groups, 200x60 (ms best / median of $POLL_RUNS; target < 50)"
	for k in poll.total ingest.all parse.goroutine diff.goroutine draw.poll draw.tick key.1 key.2; do
		read -r b md <<<"${R[poll.$k]}"
		printf '  %-18s %9s / %-9s\n' "$k" "$b" "$md"
	done
	echo "  (ingest.all: every endpoint; diff: one diff_compute, ingest does two; peak RSS ${R[poll.rss]} KiB)"
	echo
	echo "4. key-to-redraw latency, '1'/'2' pane switches, $KEYS each (ms; target < 10)"
	for s in hang big; do
		read -r p50 p90 p99 mx cap lost <<<"${R[key.tmux_$s]}"
		read -r n f50 f99 fmx l50 l99 lmx <<<"${R[key.strace_$s]}"
		printf '  %-5s tmux: p50 %5s p90 %5s p99 %6s max %6s (capture-pane %s ms, lost %s)\n' \
			"$s" "$p50" "$p90" "$p99" "$mx" "$cap" "$lost"
		printf '        strace read(0)->write(1): first p50 %5s p99 %6s max %6s; last p50 %5s p99 %6s max %6s (n=%s)\n' \
			"$f50" "$f99" "$fmx" "$l50" "$l99" "$lmx" "$n"
	done
	echo
	echo "5. cost to the watched service ($SPAWN goroutines; per request: median wall, max heartbeat gap,"
	echo "   stalls > 5 ms and their sum, demo CPU net of the heartbeat's ${IDLE_MS_PER_S} ms/s)"
	read -r g s t _ <<<"${R[svc.idle]}"
	printf '  %-20s %10s %10s %10s %8s %10s %9s\n' request bytes wall_ms maxgap_ms stalls stall_ms cpu_ms
	printf '  %-20s %10s %10s %10s %8s %10s %9s\n' "(idle, per window)" - - "$g" "$s" "$t" -
	for k in goroutine goroutine1 goroutine2 heap memstats allocs block mutex index poll; do
		case $k in
		goroutine) l="goroutine (proto)" ;; goroutine1) l="goroutine?debug=1" ;;
		goroutine2) l="goroutine?debug=2" ;; memstats) l="heap?debug=1" ;;
		index) l="index" ;; poll) l="pproftop poll" ;; *) l=$k ;;
		esac
		read -r size wall gap st stall cpu <<<"${R[svc.$k]}"
		[ "$k" = poll ] && size=-
		printf '  %-20s %10s %10s %10s %8s %10s %9s\n' "$l" "$size" "$wall" "$gap" "$st" "$stall" "$cpu"
	done
	echo
	echo "total run time: $(calc "$T_END - $T_START" 0) s; raw outputs in $RAW"
} | tee "$OUT/summary.txt"
