#!/bin/bash
# test_verdicts.sh - pproftop's growth verdicts against a Go service with
# known truth (tests/scenario), on Go 1.19 (Debian's go) and Go 1.27 (from
# Debian unstable, unpacked by scripts/go127.sh, never installed).
#
# Starts seven scenario services at once on free 127.0.0.1 ports and runs
# pproftop against each, concurrently, taking the service's /truth and
# /debug/vars just before and just after:
#   $PPROFTOP_BIN --batch --json -n 65 -i 1 127.0.0.1:PORT
# on the variants steady (Go 1.27), slow, noisy, sparse (Go 1.19) and noisy
# -no-leaks (Go 1.27), and
#   $PPROFTOP_BIN --batch -n 65 -i 1 --fail-on-growth 127.0.0.1:PORT
# on sparse and on steady -no-leaks (both Go 1.27), on services of their
# own so that a broken option cannot hide the verdicts. Then checks, with
# python3:
#   - --fail-on-growth: exit status 3 (growth or proven leaks) on sparse,
#     every group that must be flagged or is proven leaked named on stderr;
#     0 on -no-leaks; the --json runs exit 0 (every fetch worked);
#   - "growing": true on the groups of (a) main.slowLeakWorker, (b)
#     main.memLeakWorker (goroutines) and main.memLeakAlloc (heap), (c)
#     main.retainHeap; false on every group labelled (d) main.burstWorker,
#     (e) main.startupIdler / main.startupOrphan, (f) main.wanderWorker, (g)
#     main.steadyWorker, (h) main.fillCache, (i) main.churnGarbage;
#   - "growth_per_sec" within ±35% of the true rate over the run (from
#     /truth) for (a) and (b) in goroutines/s and (c) in bytes/s;
#   - on Go 1.27, "leaked" > 0 for (a), (b) and main.startupOrphan, and
#     absent or 0 for (d), main.startupIdler, (f), (g); on Go 1.19 no
#     "leaked" > 0 anywhere;
#   - heap "service_alloc_bytes_per_sec" within ±25% of the rate from the
#     service's own MemStats (TotalAlloc in /debug/vars) over the run;
#   - "window_sec" in the goroutine and heap profiles; "growing",
#     "growth_per_sec" and "verdict" on every goroutine and heap group;
#   - the group counts of (e) and (g), which are flat, equal /truth's;
#   - no other group with a frame of ours (main.*) is growing, unless its
#     stack has a function of a behaviour that must be flagged;
#   - the scenario kept its contract: a GC cycle of its own every 1.5-6 s
#     on average (the cycles run by goroutineleak and ?gc=1 requests, which
#     it counts, apart); goroutineleak fetched 1..2+run/30 s times on Go
#     1.27 (each request is a GC cycle), never on Go 1.19.
# If scripts/go127.sh fails that is a failure (with its reason), and the
# Go 1.27 runs use the Go 1.19 build instead, so the rest is still checked.
#
# Prints "ok RUN: ..." or "FAIL RUN: ... expected X got Y" per check and a
# summary; exits 1 when any check failed. About 90 s when the builds are
# cached (the first run downloads Go 1.27, about 48 MB, and builds with it).
#
#   tests/sh/test_verdicts.sh               the whole test
#   tests/sh/test_verdicts.sh --check DIR   only the checks, on a kept run
#                                           directory (pp.json, truth0.json, ...)
#
# env: PPROFTOP_BIN (default build/pproftop), PPROFTOP_VERDICT_POLLS (65),
# PPROFTOP_VERDICT_KEEP=1 keeps the scratch directory (one directory per run).
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${PPROFTOP_BIN:-$root/build/pproftop}
POLLS=${PPROFTOP_VERDICT_POLLS:-65}
scen=$root/build/scenario/scenario

# NAME TOOLCHAIN MODE VARIANT [SCENARIO FLAGS...]; MODE json: the verdicts
# in --json, fog: the exit status of --fail-on-growth.
RUNS=(
	"steady-go127 go127 json steady"
	"slow go119 json slow"
	"noisy go119 json noisy"
	"sparse go119 json sparse"
	"noleaks-go127 go127 json noisy -no-leaks"
	"fog-sparse-go127 go127 fog sparse"
	"fog-noleaks-go127 go127 fog steady -no-leaks"
)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pproftop-verdicts.XXXXXX") || exit 1
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	if [ "${PPROFTOP_VERDICT_KEEP:-0}" = 1 ]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

npass=0
nfail=0
ok() {
	echo "ok $*"
	npass=$((npass + 1))
}
fail() { # fail WHAT EXPECTED GOT
	echo "FAIL $1 expected $2 got $3"
	nfail=$((nfail + 1))
}

# ---------------------------------------------------------------- the checks
cat >"$tmp/check.py" <<'PY'
"""Check one run directory: mode (json or fog), pp.json, pp.err, pp.rc,
truth0.json, truth1.json, vars0.json, vars1.json (fog: the exit status of
--fail-on-growth; json: the verdicts). Prints ok/FAIL lines, then
"RESULT <pass> <fail>"."""
import json
import os
import sys

name, d = sys.argv[1], sys.argv[2]
npass = nfail = 0


def ok(msg):
    global npass
    npass += 1
    print("ok %s: %s" % (name, msg))


def fail(msg, expected, got):
    global nfail
    nfail += 1
    print("FAIL %s: %s expected %s got %s" % (name, msg, expected, got))


def check(cond, msg, expected, got):
    if cond:
        ok("%s (%s)" % (msg, got))
    else:
        fail(msg, expected, got)


def info(msg):
    print("# %s: %s" % (name, msg))


def load(f):
    with open(os.path.join(d, f)) as fh:
        return json.load(fh)


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def done():
    print("RESULT %d %d" % (npass, nfail))
    sys.exit(0)


def short(s, n=160):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


try:
    t0, t1 = load("truth0.json"), load("truth1.json")
    v0, v1 = load("vars0.json"), load("vars1.json")
except (OSError, ValueError) as e:
    fail("the scenario's /truth and /debug/vars before and after", "JSON", e)
    done()
dt = (t1["unix_ns"] - t0["unix_ns"]) / 1e9
no_leaks, leakprof = t1["no_leaks"], t1["goroutineleak_profile"]
info("%s variant %s%s, %.1f s between the truth snapshots" % (
    t1["go_version"], t1["variant"]["name"], " -no-leaks" if no_leaks else "", dt))

mode = "json"
if os.path.exists(os.path.join(d, "mode")):
    mode = open(os.path.join(d, "mode")).read().strip()

# -- the scenario kept its GC contract (else the verdicts are not tested as
# meant); GC cycles run by pproftop's own requests (goroutineleak, ?gc=1)
# are counted apart.
cycles = t1["gc"]["num_gc"] - t0["gc"]["num_gc"]
req0, req1 = t0.get("pprof_requests") or {}, t1.get("pprof_requests") or {}
ext = (t1.get("pprof_request_gcs") or 0) - (t0.get("pprof_request_gcs") or 0)
own = max(cycles - ext, 0)
every = dt / cycles if cycles else float("inf")
own_every = dt / own if own else float("inf")
info("GC: %d cycles in %.1f s, one every %.2f s; %d run by pproftop's requests; the scenario's own one every %.2f s "
     "(%s, target %.1f±%.1f s); last intervals %s" % (
         cycles, dt, every, ext, own_every, t1["gc"]["mode"], t1["gc"]["period_sec"], t1["gc"]["jitter_sec"],
         t1["gc"]["last_intervals_sec"][:10]))
info("pproftop's requests during the run: %s" % ", ".join(
    "%s %d" % (k, req1[k] - req0.get(k, 0)) for k in sorted(req1) if req1[k] - req0.get(k, 0)))
leakreq = req1.get("goroutineleak", 0) - req0.get("goroutineleak", 0)
if dt >= 30:
    # batch: goroutineleak on the first and the last poll (allow the 30 s cadence too)
    most = 2 + int(dt // 30)
    if ext <= most:
        check(1.5 <= own_every <= 6.0, "scenario: its own GC cycle every 1.5-6 s", "1.5-6 s", "%.2f s" % own_every)
    else:
        info("the scenario's own GC cadence not judged: pproftop's requests ran %d cycles, which pre-empt its own" % ext)
    if leakprof:
        check(1 <= leakreq <= most, "goroutineleak fetched at its slow cadence (each request is a GC cycle)",
              "1..%d requests in %.0f s" % (most, dt), leakreq)
    else:
        check(leakreq == 0, "goroutineleak not requested when the index does not list it", 0, leakreq)
else:
    info("run too short (%.1f s) to judge the GC cadence" % dt)

try:
    rc = int(open(os.path.join(d, "pp.rc")).read().strip())
except (OSError, ValueError):
    rc = None
err = open(os.path.join(d, "pp.err"), errors="replace").read() if os.path.exists(os.path.join(d, "pp.err")) else ""

# -- --fail-on-growth: the exit status and the groups on stderr; nothing else
if mode == "fog":
    want_rc = 0 if no_leaks else 3
    what = "no growth, nothing leaked" if no_leaks else "growth and leaks"
    check(rc == want_rc, "--fail-on-growth exit status (%s)" % what, want_rc,
          "%s%s" % (rc, "" if rc == want_rc else "; stderr: " + short(err, 300)))
    named = sorted({b["label"] for b in t1["behaviours"]
                    if b["must_flag"] or (leakprof and b["proven_leaked"] and b["enabled"])})
    if rc == 3 and named:
        missing = [l for l in named if l not in err]
        check(not missing, "--fail-on-growth names the growing and leaked groups on stderr",
              ", ".join(named), "missing " + ", ".join(missing) if missing else "all named")
    done()

check(rc == 0, "--batch --json exit status (every fetch worked)", 0,
      "%s%s" % (rc, "" if rc == 0 else "; stderr: " + short(err, 300)))

# -- the JSON document
try:
    doc = load("pp.json")
    prof = doc["profiles"]
    gor, heap = prof["goroutine"], prof["heap"]
except (OSError, ValueError, KeyError, TypeError) as e:
    raw = open(os.path.join(d, "pp.json"), errors="replace").read(200) if os.path.exists(os.path.join(d, "pp.json")) else ""
    fail("pproftop --json output with goroutine and heap profiles", "a JSON document",
         "%s: %r" % (type(e).__name__, raw))
    done()
panes = {"goroutine": gor, "heap": heap}
primary = {"goroutine": "count", "heap": "inuse_bytes"}

for pane, p in panes.items():
    w = p.get("window_sec")
    check(num(w) and w > 0, "%s profile has window_sec" % pane, "a number > 0", w)
    groups = p.get("groups") or []
    bad = [g.get("label") for g in groups
           if not isinstance(g.get("growing"), bool)
           or not (g.get("growth_per_sec") is None or num(g.get("growth_per_sec")))
           or not isinstance(g.get("verdict"), str)]
    check(groups and not bad, "every %s group has growing, growth_per_sec, verdict" % pane,
          "all of %d groups" % len(groups),
          "%d of %d groups" % (len(groups) - len(bad), len(groups)) +
          ("" if not bad else "; missing on " + short(", ".join(map(str, bad[:6])))))


def groups_of(pane, label):
    return [g for g in (panes[pane].get("groups") or []) if g.get("label") == label]


def desc(g):
    return "growing=%s growth_per_sec=%s leaked=%s verdict=%r" % (
        json.dumps(g.get("growing")), g.get("growth_per_sec"), g.get("leaked"), short(g.get("verdict"), 120))


truth0 = {(b["id"], b["label"], b["pane"]): b for b in t0["behaviours"]}
for b in t1["behaviours"]:
    if not b["enabled"]:
        continue
    pane, label, bid = b["pane"], b["label"], b["id"]
    tag = "(%s) %s %s" % (bid, label, pane)
    gs = groups_of(pane, label)
    if not gs:
        if not b["must_flag"] and (bid == "d" or b["count"] == 0):
            # a burst may be over at the last poll: then its group is gone
            ok(tag + " not growing (no group at the last poll; %d alive at the end)" % b["count"])
        else:
            fail(tag + " group", "a %s group labelled %s" % (pane, label), "none")
        continue
    main = max(gs, key=lambda g: g.get(primary[pane]) or 0)
    b0 = truth0.get((bid, label, pane))
    true_rate = (b["count"] - b0["count"]) / dt if b0 and dt > 0 else None
    if b["must_flag"] and not true_rate:
        fail(tag + " true rate from /truth", "a count growing between the snapshots",
             "%s -> %s" % (b0 and b0["count"], b["count"]))
    elif b["must_flag"]:
        check(main.get("growing") is True, tag + " growing", "true", desc(main))
        gps = main.get("growth_per_sec")
        unit = "goroutines/s" if b["unit"] == "goroutines" else "bytes/s"
        if pane == "goroutine" or bid == "c":
            check(num(gps) and true_rate and abs(gps - true_rate) <= 0.35 * true_rate,
                  tag + " growth_per_sec within ±35%% of %.4g %s (nominal %.4g)" % (true_rate, unit, b["rate"]),
                  "%.4g..%.4g" % (0.65 * true_rate, 1.35 * true_rate), gps)
        else:
            info("%s growth_per_sec %s, true %.4g %s (not checked: sampled in few large objects)" % (
                tag, gps, true_rate, unit))
    else:
        bad = [g for g in gs if g.get("growing") is not False]
        check(not bad, tag + " not growing (%d group%s)" % (len(gs), "" if len(gs) == 1 else "s"),
              "false", "; ".join(desc(g) for g in (bad or [main])))
    if pane == "goroutine":
        leaked = sum(g.get("leaked") or 0 for g in gs if num(g.get("leaked")))
        if leakprof and b["proven_leaked"]:
            check(leaked > 0, tag + " leaked (goroutineleak)", "> 0 (of %d)" % b["count"], leaked)
        elif leakprof:
            check(leaked == 0, tag + " not leaked (reachable)", "absent or 0", leaked)
    if bid in ("e", "g"):
        total = sum(g.get("count") or 0 for g in gs)
        check(total == b["count"], tag + " count matches /truth", b["count"], total)

if not leakprof:
    leaky = [(pane, g.get("label"), g.get("leaked")) for pane in ("goroutine",)
             for g in (panes[pane].get("groups") or []) if num(g.get("leaked")) and g.get("leaked") > 0]
    check(not leaky, "no leaked counts without a goroutineleak profile (%s)" % t1["go_version"],
          "none", short(leaky) if leaky else "none")

# -- growing groups that are not behaviours of the truth
known = {b["label"] for b in t1["behaviours"]}
allowed = set()
for b in t1["behaviours"]:
    if b["must_flag"]:
        allowed.add(b["label"])
        allowed.update(b.get("related") or [])
unexpected = []
for pane, p in panes.items():
    for g in p.get("groups") or []:
        if g.get("growing") is not True or g.get("label") in known:
            continue
        funcs = [f.get("function", "") for f in g.get("frames") or []]
        why = [f for f in funcs if f in allowed]
        if why:
            info("%s group %s growing, explained by %s on its stack" % (pane, g.get("label"), why[0]))
        elif any(f.startswith("main.") for f in funcs):
            unexpected.append("%s %s (%s)" % (pane, g.get("label"), desc(g)))
        else:
            info("%s group %s growing (no frame of ours: runtime or standard library)" % (pane, g.get("label")))
check(not unexpected, "no other group of ours growing", "none", short("; ".join(unexpected), 400) or "none")

# -- the service-wide allocation rate
try:
    ta = (v1["memstats"]["TotalAlloc"] - v0["memstats"]["TotalAlloc"]) / dt
except (KeyError, TypeError, ZeroDivisionError):
    ta = None
s = heap.get("service_alloc_bytes_per_sec")
if ta:
    check(num(s) and abs(s - ta) <= 0.25 * ta,
          "heap service_alloc_bytes_per_sec within ±25%% of %.4g B/s (MemStats TotalAlloc over the run)" % ta,
          "%.4g..%.4g" % (0.75 * ta, 1.25 * ta), s)
else:
    fail("TotalAlloc in the scenario's /debug/vars", "two readings", "none")
done()
PY

check_dir() { # check_dir NAME DIR: the checks on one run, counted here
	local out line
	out=$(python3 "$tmp/check.py" "$1" "$2" 2>&1)
	while IFS= read -r line; do
		case $line in
		"RESULT "*)
			read -r _ p f <<<"$line"
			npass=$((npass + p))
			nfail=$((nfail + f))
			;;
		*) echo "$line" ;;
		esac
	done <<<"$out"
	grep -q '^RESULT ' <<<"$out" || fail "$1: the checker" "a result" "$(tail -n 3 <<<"$out")"
}

if [ "${1:-}" = --check ]; then
	shift
	for d in "$@"; do
		check_dir "$(basename "$d")" "$d"
	done
	echo "verdicts: $npass ok, $nfail FAIL"
	[ "$nfail" -eq 0 ]
	exit
fi

# ---------------------------------------------------------------- build
if [ ! -x "$bin" ]; then
	fail "pproftop binary" "an executable $bin" "none"
	exit 1
fi
for t in curl python3 timeout; do
	command -v "$t" >/dev/null || {
		fail "tools" "$t installed" "not found"
		exit 1
	}
done

t_start=$(date +%s)
have127=0
if goroot=$("$root/scripts/go127.sh" 2>"$tmp/go127.err" | tail -n 1) && [ -x "$goroot/bin/go" ]; then
	ok "scripts/go127.sh: Go 1.27 at $goroot"
	have127=1
else
	fail "scripts/go127.sh (Go 1.27 from Debian unstable)" "a GOROOT" \
		"failure: $(grep 'go127.sh:' "$tmp/go127.err" | tail -n 1)"
	echo "# the Go 1.27 runs use the Go 1.19 build instead: no goroutineleak checks"
fi

if [ $have127 = 1 ]; then
	bargs=(--go127)
else
	bargs=()
fi
if "$root/scripts/build-scenario.sh" "${bargs[@]}" >"$tmp/build.log" 2>&1 && [ -x "$scen" ]; then
	ok "scripts/build-scenario.sh ${bargs[*]}"
else
	fail "scripts/build-scenario.sh ${bargs[*]}" "a build" "$(tail -n 5 "$tmp/build.log" | tr '\n' ' ')"
	[ -x "$scen" ] || exit 1
	have127=0
fi
if [ $have127 = 1 ] && [ ! -x "$scen-go127" ]; then
	fail "the Go 1.27 scenario build" "$scen-go127" "none"
	have127=0
fi
echo "# builds took $(($(date +%s) - t_start)) s"

# ---------------------------------------------------------------- start
declare -A port
for r in "${RUNS[@]}"; do
	read -r name tc mode variant flags <<<"$r"
	sbin=$scen
	[ "$tc" = go127 ] && [ $have127 = 1 ] && sbin=$scen-go127
	mkdir -p "$tmp/$name"
	echo "$mode" >"$tmp/$name/mode"
	# shellcheck disable=SC2086
	"$sbin" -addr 127.0.0.1:0 -variant "$variant" $flags -exit-after 300s \
		>"$tmp/$name/scenario.out" 2>"$tmp/$name/scenario.err" &
	pids+=($!)
	echo "$!" >"$tmp/$name/scenario.pid"
done
for r in "${RUNS[@]}"; do
	read -r name _ <<<"$r"
	for ((i = 0; i < 200; i++)); do
		port[$name]=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/$name/scenario.out")
		[ -n "${port[$name]}" ] && break
		kill -0 "$(cat "$tmp/$name/scenario.pid")" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "${port[$name]}" ]; then
		fail "$name: scenario start" "listening on 127.0.0.1:PORT" "$(head -c 300 "$tmp/$name/scenario.err")"
		unset "port[$name]"
	fi
done
[ ${#port[@]} -gt 0 ] || exit 1
sleep 3 # the pools and the first GC cycle

# ---------------------------------------------------------------- run
# run_one NAME: truth and vars, pproftop, truth and vars, in NAME's directory.
run_one() {
	local d=$tmp/$1 u=http://127.0.0.1:${port[$1]}
	curl -sS --max-time 10 -o "$d/truth0.json" "$u/truth" 2>>"$d/curl.err"
	curl -sS --max-time 10 -o "$d/vars0.json" "$u/debug/vars" 2>>"$d/curl.err"
	local args=(--batch --json)
	[ "$(cat "$d/mode")" = fog ] && args=(--batch --fail-on-growth)
	timeout -k 5 $((POLLS * 3 + 60)) "$bin" "${args[@]}" -n "$POLLS" -i 1 \
		"127.0.0.1:${port[$1]}" >"$d/pp.json" 2>"$d/pp.err"
	echo $? >"$d/pp.rc"
	curl -sS --max-time 10 -o "$d/truth1.json" "$u/truth" 2>>"$d/curl.err"
	curl -sS --max-time 10 -o "$d/vars1.json" "$u/debug/vars" 2>>"$d/curl.err"
}
t_run=$(date +%s)
rpids=()
for name in "${!port[@]}"; do
	run_one "$name" &
	rpids+=($!)
done
for p in "${rpids[@]}"; do wait "$p"; done
echo "# ${#port[@]} pproftop runs of $POLLS polls at -i 1, concurrently: $(($(date +%s) - t_run)) s"

# ---------------------------------------------------------------- check
for r in "${RUNS[@]}"; do
	read -r name _ <<<"$r"
	[ -n "${port[$name]:-}" ] || continue
	check_dir "$name" "$tmp/$name"
done

echo "verdicts: $npass ok, $nfail FAIL ($(($(date +%s) - t_start)) s)"
[ "$nfail" -eq 0 ]
