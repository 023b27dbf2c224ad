#!/bin/bash
# test_cpu.sh - the CPU pane and --cpu (issue 10) against the real demo
# service, whose burner spins in main.spin for a known share of a core
# (-burn CORES):
#   - batch --cpu --json: one window covering the polls; main.spin's cores
#     (its groups' cpu_ns_per_sec) within 0.5x-1.6x of -burn 0.25; the
#     window's duration; the polls kept their cadence during the window
#     (2 s apart, and the run took the window, not the window plus the
#     polls); batch text: the CORES column and the poll count;
#   - a service whose own profiler holds the CPU profile
#     (-hold-cpu-profile: net/http/pprof answers 500 "cpu profiling already
#     in use"): batch says so in one line; live, the pane and the status
#     line say it will retry in 30 s;
#   - live, in tmux: 4 shows "CPU profiling on (5 s windows)" in the header
#     and main.spin's cores per function (F) near 0.25; the call tree (t)
#     of cpu_ns; leaving the pane stops the lane after the window in flight
#     (the header no longer says it is on);
#   - several targets (a second burner at -burn 0.1): batch --cpu merges
#     their windows: main.spin's cores near 0.35, by_target splitting its
#     cpu_ns about 2.5 : 1; live, the merged view's pane 4 runs every
#     target's lane and shows the merged window, and T shows one target's.
#
# env: PPROFTOP_BIN (the binary), PPROFTOP_DEMO (the demo binary; default
# build/demo/demo, (re)built with scripts/build-demo.sh: it needs -burn).
# Needs tmux and python3 (exit 77 when missing). Prints "ok N - ..." /
# "not ok N - ..." lines, exits 1 on failure.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
demo_bin=${PPROFTOP_DEMO:-$root/build/demo/demo}
export LC_ALL=C

# shellcheck source=tests/sh/require.sh
. "$here/require.sh"
require_tools tmux python3
require_demo always

lib_name=cpu
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"

burn=0.25
start_server burner "$demo_bin" -addr 127.0.0.1:0 -burn "$burn" || exit 1
burner=$addr
start_server burner2 "$demo_bin" -addr 127.0.0.1:0 -burn 0.1 || exit 1
burner2=$addr
start_server holder "$demo_bin" -addr 127.0.0.1:0 -hold-cpu-profile || exit 1
holder=$addr

now() { date +%s.%N; }

# ---- batch --cpu --json: 4 polls 2 s apart, one 6 s window beside them
t0=$(now)
"$bin" --batch --json --cpu -n 4 -i 2 "$burner" >"$tmp/batch.json" 2>"$tmp/batch.err"
rc=$?
t1=$(now)
if python3 - "$tmp/batch.json" "$burn" "$t0" "$t1" >"$tmp/batch.check" 2>&1 <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1]))["profiles"]
burn, took = float(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3])
cpu = d["cpu"]
spin = sum(g["cpu_ns_per_sec"] for g in cpu["groups"] if g["label"] == "main.spin") / 1e9
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "BAD: ") + what)
    ok = ok and cond
check(0.5 * burn <= spin <= 1.6 * burn, "main.spin %.3f cores (burn %.2f)" % (spin, burn))
check(5.5e9 <= cpu["duration_ns"] <= 7.5e9, "window %.2f s (6 s asked)" % (cpu["duration_ns"] / 1e9))
total = sum(g["cpu_ns_per_sec"] for g in cpu["groups"])
check(abs(total - cpu["cpu_ns_per_sec"]) <= len(cpu["groups"]), "groups add up to %d ns/s" % cpu["cpu_ns_per_sec"])
check(all(g["samples"] * 10000000 == g["cpu_ns"] for g in cpu["groups"]), "cpu_ns = samples x 10 ms")
for p in ("goroutine", "heap"):
    iv = d[p]["interval_sec"]
    check(1.5 <= iv <= 3.5, "%s polls %.2f s apart during the window" % (p, iv))
# serialized, the polls would wait for the window: 6 s + 6 s
check(took < 10.5, "took %.1f s (the window, not the window plus the polls)" % took)
sys.exit(0 if ok else 1)
EOF
	ok "batch --cpu --json: main.spin near -burn $burn, polls at their cadence ($(grep -c '^ok' "$tmp/batch.check") checks)"
	sed -n '1p' "$tmp/batch.check" | diag
else
	notok "batch --cpu --json (exit $rc)"
	diag <"$tmp/batch.check"
	diag <"$tmp/batch.err"
fi

"$bin" --batch --cpu -n 2 -i 1 --rows 3 "$burner" >"$tmp/batch.txt" 2>"$tmp/batch.err"
rc=$?
if [ "$rc" = 0 ] && grep -q "^target .*, 2 polls$" "$tmp/batch.txt" &&
	grep -Eq "^cpu: protobuf, [0-9]+ groups, cpu_ns .*, samples [0-9]+, 0\.[0-9]{3} cores over a 5\.[0-9] s window(; not counted: .*)?$" "$tmp/batch.txt" &&
	grep -q "CPU_NS      SAMPLES        CORES  FUNCTION (LOCATION)" "$tmp/batch.txt" &&
	grep -Eq " 0\.[0-9]{3}  main\.spin( .*)? \(behaviours\.go:[0-9]+\)$" "$tmp/batch.txt"; then
	ok "batch --cpu: a 5 s window in cores, main.spin listed, 2 polls"
else
	notok "batch --cpu text (exit $rc)"
	grep -A5 -e "^target" -e "^cpu" "$tmp/batch.txt" | diag
	diag <"$tmp/batch.err"
fi

# ---- two targets: their windows merged, by_target per group
"$bin" --batch --json --cpu -n 2 -i 1 "$burner" "$burner2" >"$tmp/two.json" 2>"$tmp/two.err"
rc=$?
if [ "$rc" = 0 ] && python3 - "$tmp/two.json" "$burner" "$burner2" >"$tmp/two.check" 2>&1 <<'EOF'; then
import json, sys
doc = json.load(open(sys.argv[1]))
cpu = doc["profiles"]["cpu"]
a, b = sys.argv[2], sys.argv[3]
spin = [g for g in cpu["groups"] if g["label"] == "main.spin"]
cores = sum(g["cpu_ns_per_sec"] for g in spin) / 1e9
ta = sum(g["by_target"][a] or 0 for g in spin)
tb = sum(g["by_target"][b] or 0 for g in spin)
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "BAD: ") + what)
    ok = ok and cond
check(0.5 * 0.35 <= cores <= 1.6 * 0.35, "merged main.spin %.3f cores (0.25 + 0.1)" % cores)
check(all((g["by_target"][a] or 0) + (g["by_target"][b] or 0) == g["cpu_ns"] for g in spin),
      "by_target adds up to each group's cpu_ns")
check(tb > 0 and 1.5 <= ta / tb <= 4.5, "by_target %d : %d ns (2.5 : 1 burnt)" % (ta, tb))
check(len(doc["targets"]) == 2 and all(t["ok"] for t in doc["targets"]), "two targets, both ok")
sys.exit(0 if ok else 1)
EOF
	ok "batch --cpu, two targets: windows merged, main.spin split by target"
	diag <"$tmp/two.check"
else
	notok "batch --cpu, two targets (exit $rc)"
	diag <"$tmp/two.check"
	diag <"$tmp/two.err"
fi

# ---- the CPU profile held by the service itself
"$bin" --batch --cpu -n 2 -i 1 "$holder" >"$tmp/held.txt" 2>"$tmp/held.err"
rc=$?
if [ "$rc" = 1 ] && [ "$(cat "$tmp/held.err")" = "pproftop: cpu: the service's own profiler holds the CPU profile" ] &&
	grep -q "^goroutine: " "$tmp/held.txt" && ! grep -q "^cpu: " "$tmp/held.txt"; then
	ok "batch --cpu, CPU profile in use: one line on stderr, the other profiles printed"
else
	notok "batch --cpu, CPU profile in use (exit $rc)"
	diag <"$tmp/held.err"
	diag 5 <"$tmp/held.txt"
fi

tui_start held 120 30 C.UTF-8 "$bin" -i 1 "$holder" || notok "held: no start"
wait_for held "Goroutines \([0-9]+\)" 15
tm send-keys -t held 4
# the status line's message is a one-shot (another note may follow it):
# seen at any moment while the pane's line, which stays, arrives
said=0
for ((i = 0; i < 300; i++)); do
	screen held | tail -1 | grep -q "^the service's own profiler holds the CPU profile: retrying in 30 s" && said=1
	[ "$said" = 1 ] && screen held | grep -q "CPU profiling: the service's own profiler holds the CPU profile: retrying in 30 s" && break
	sleep 0.05
done
if [ "$said" = 1 ] &&
	wait_for held "CPU profiling: the service's own profiler holds the CPU profile: retrying in 30 s" 1; then
	ok "live, CPU profile in use: the pane and the status line say so, retry in 30 s"
else
	notok "live, CPU profile in use"
	screen held | diag
fi
tm send-keys -t held q

# ---- live: the pane
tui_start live 120 30 C.UTF-8 "$bin" -i 1 "$burner" || notok "live: no start"
wait_for live "Goroutines \([0-9]+\)" 15
if screen live | head -1 | grep -q "CPU profiling on"; then
	notok "live: CPU profiling on before the pane was shown"
	screen live | diag 3
else
	ok "live: no CPU profiling before the pane is shown"
fi
tm send-keys -t live 4
if wait_for live "^pproftop .*CPU profiling on \(5 s windows\)" 5; then
	ok "live, 4: the header says CPU profiling on (5 s windows)"
else
	notok "live, 4: no 'CPU profiling on' in the header"
	screen live | diag 3
fi
if wait_for live "CPU profiling: the last window 5\.[0-9] s, 0\.[0-9]{3} cores in all" 15 &&
	wait_for live " main\.spin " 2; then
	ok "live, 4: a window arrived, main.spin listed"
else
	notok "live, 4: no window"
	screen live | diag
fi
tm send-keys -t live F
sleep 0.5
spin=$(screen live | sed -n 's/^ *\([0-9.]*\) *\([0-9.]*\) *[0-9]* .* main\.spin .*/\1 \2/p' | head -1)
if python3 -c 'import sys; f, c = map(float, sys.argv[1].split()); b = float(sys.argv[2]); sys.exit(0 if 0.5 * b <= f <= 1.6 * b and c >= f else 1)' "$spin" "$burn" 2>/dev/null &&
	screen live | grep -q "per function, as pprof -top"; then
	ok "live, F: main.spin flat, cum: $spin cores (-burn $burn)"
else
	notok "live, F: main.spin's row '$spin'"
	screen live | diag
fi
tm send-keys -t live t
if wait_for live "call tree of cpu_ns" 5; then
	ok "live, t: the call tree of the CPU window"
else
	notok "live, t: no call tree"
	screen live | diag
fi
tm send-keys -t live t 1
# the window in flight ends (5 s), then none: the header stops saying it
off=0
for ((i = 0; i < 15 * 20; i++)); do
	if ! screen live | head -1 | grep -q "CPU profiling on"; then
		off=1
		break
	fi
	sleep 0.05
done
sleep 3 # a new window would have started by now
if [ "$off" = 1 ] && ! screen live | head -1 | grep -q "CPU profiling on"; then
	ok "live, 1: the lane stops after the window in flight"
else
	notok "live, 1: still CPU profiling"
	screen live | diag 3
fi
tm send-keys -t live q

# ---- several targets: the merged view runs every target's lane and shows
# their merged window; T, one target's
tui_start multi 120 30 C.UTF-8 "$bin" -i 1 "$burner" "$burner2" || notok "multi: no start"
wait_for multi "Goroutines \([0-9]+\)" 15
tm send-keys -t multi 4
if wait_for multi "^pproftop all 2 targets.*CPU profiling on \(5 s windows\)" 5 &&
	wait_for multi "CPU profiling: the last window 5\.[0-9] s" 20 &&
	wait_for multi " main\.spin" 5; then
	ok "several targets, merged view: pane 4 shows the merged window (main.spin)"
else
	notok "several targets, merged view"
	screen multi | diag 8
fi
tm send-keys -t multi T
if wait_for multi "^pproftop target 1/2: .*CPU profiling on \(5 s windows\)" 5 &&
	wait_for multi "CPU profiling: the last window 5\.[0-9] s" 15; then
	ok "several targets, T: target 1's CPU windows"
else
	notok "several targets, T: no CPU window of target 1"
	screen multi | diag 8
fi
tm send-keys -t multi q
for name in held live multi; do
	for ((i = 0; i < 100; i++)); do
		[ -e "$tmp/$name.exit" ] && break
		sleep 0.05
	done
	if [ "$(cat "$tmp/$name.exit" 2>/dev/null)" = 0 ] && [ ! -s "$tmp/$name.err" ]; then
		ok "$name: q: exit 0, nothing on stderr"
	else
		notok "$name: exit '$(cat "$tmp/$name.exit" 2>/dev/null)'"
		diag <"$tmp/$name.err"
	fi
done

echo "1..$n"
[ "$nfail" = 0 ]
