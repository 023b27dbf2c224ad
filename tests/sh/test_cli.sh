#!/bin/bash
# test_cli.sh - the offline command line: --open FILE --batch [--json]
# [--base FILE2] [--tree], --open DIR --tree, --help, --version, --targets
# FILE, and bad input.
#
# env: PPROFTOP_BIN (the binary), PPROFTOP_FIXTURES (tests/fixtures).
# Prints one line per failed check and exits 1 when any failed.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
fx=${PPROFTOP_FIXTURES:-$(cd "$(dirname "$0")/../fixtures" && pwd)}
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pproftop-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

nfail=0
nok=0
fail() {
	echo "FAIL: $*"
	nfail=$((nfail + 1))
}
ok() {
	nok=$((nok + 1))
}

# run ARGS...: runs the binary; $out, $err and $rc are the results.
run() {
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# squeeze: collapse runs of blanks (table columns are padded).
squeeze() {
	sed -e 's/[[:space:]]\{1,\}/ /g' -e 's/^ //' -e 's/ $//'
}

# ---------------------------------------------------------------- --help, --version

run --help
if [ "$rc" -ne 0 ]; then fail "--help: exit $rc"; else ok; fi
case $out in
*"usage: pproftop"*"--open FILE"*) ok ;;
*) fail "--help: no usage text on stdout: $out" ;;
esac
run -h
[ "$rc" -eq 0 ] && ok || fail "-h: exit $rc"
run --version
if [ "$rc" -ne 0 ]; then fail "--version: exit $rc"; else ok; fi
# pproftop's version (and the checkout's git description), then the
# libraries it runs with, each as their own packages tell it
mapfile -t vl <<<"$out"
if [ "${#vl[@]}" -eq 4 ] && [[ ${vl[0]} =~ ^pproftop\ ([0-9]+\.[0-9]+\.[0-9]+)(\ \((.+)\))?$ ]]; then
	ok
	want=${PPROFTOP_PROJECT_VERSION:-${BASH_REMATCH[1]}}
	[ "${BASH_REMATCH[1]}" = "$want" ] && ok || fail "--version: ${BASH_REMATCH[1]}, meson says $want"
	desc=${BASH_REMATCH[3]}
	src=$(cd "$here/../.." && pwd)
	if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
		gd=$(git -C "$src" describe --tags --always)
		[[ $desc == "$gd"* ]] && ok || fail "--version: '($desc)', git describe says $gd"
	fi
else
	fail "--version: '$out'"
fi
cv=$(pkg-config --modversion libcurl 2>/dev/null)
[ -z "$cv" ] || [[ ${vl[1]} == "libcurl: $cv ("* ]] && ok || fail "--version: '${vl[1]}', pkg-config says libcurl $cv"
nv=$(pkg-config --modversion ncursesw 2>/dev/null)
[ -z "$nv" ] || [ "${vl[2]}" = "ncurses: $nv" ] && ok || fail "--version: '${vl[2]}', pkg-config says ncursesw $nv"
ev=$(dpkg-query -W -f='${Version}' libev4 2>/dev/null || dpkg-query -W -f='${Version}' libev4t64 2>/dev/null)
ev=${ev#*:}
ev=${ev%-*}
[ -z "$ev" ] || [ "${vl[3]}" = "libev: $ev" ] && ok || fail "--version: '${vl[3]}', dpkg says libev $ev"
run --no-such-option
[ "$rc" -eq 2 ] && ok || fail "--no-such-option: exit $rc, expected 2"
run --open "$fx/go1.19/goroutine.pb.gz" --batch --rows abc
[ "$rc" -eq 2 ] && ok || fail "--rows abc: exit $rc, expected 2"
# the growth gate and its window
run --fail-on-growth 127.0.0.1:9
[ "$rc" -eq 2 ] && [ "$err" = "pproftop: --fail-on-growth needs --batch" ] && ok ||
	fail "--fail-on-growth without --batch: exit $rc, '$err', expected 2 and one line"
for w in 4 abc 86401; do
	run --batch --window "$w" 127.0.0.1:9
	[ "$rc" -eq 2 ] && [[ $err == "pproftop: --window: want seconds from 5 to 86400, got '$w'" ]] && ok ||
		fail "--window $w: exit $rc, '$err', expected 2"
done
# the cost budget: a percentage
for b in -1 abc 101 1e; do
	run --batch --budget "$b" 127.0.0.1:9
	[ "$rc" -eq 2 ] && [[ $err == "pproftop: --budget: want a percentage from 0 to 100, got '$b'" ]] && ok ||
		fail "--budget $b: exit $rc, '$err', expected 2"
done
run --budget 0 --open "$fx/go1.19/goroutine.pb.gz" --batch
[ "$rc" -eq 0 ] && ok || fail "--budget 0: exit $rc, '$err'"
# a saved directory is a snapshot, not "0 polls" of a target
run --open "$fx/go1.22" --batch
[ "$rc" -eq 0 ] && [ "${out%%$'\n'*}" = "snapshot $fx/go1.22" ] && ok ||
	fail "--open DIR --batch: first line '${out%%$'\n'*}', expected 'snapshot $fx/go1.22'"
run --help
[[ $out == *"--window SECONDS"*"--budget PERCENT"*"--fail-on-growth"* ]] && ok || fail "--help lacks --window/--budget/--fail-on-growth"

# libcurl is loaded when a target is first fetched: a broken one (here a
# library of that name without its functions, found first on the path)
# gives one line saying what is missing, exit 1, and --open needs none
mkdir -p "$tmp/nocurl"
if echo 'int pproftop_not_curl;' | cc -shared -fPIC -x c -o "$tmp/nocurl/libcurl.so.4" - 2>/dev/null &&
	cp "$tmp/nocurl/libcurl.so.4" "$tmp/nocurl/libcurl-gnutls.so.4"; then
	LD_LIBRARY_PATH="$tmp/nocurl" "$bin" --batch http://127.0.0.1:9/ >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		[[ $err =~ ^pproftop:\ cannot\ initialise\ libcurl:\ libcurl\ has\ no\ curl_[a-z_]+$ ]]; then
		ok
	else
		fail "broken libcurl: exit $rc, stderr '$err'"
	fi
	# --version still works, and says why libcurl is missing
	LD_LIBRARY_PATH="$tmp/nocurl" "$bin" --version >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] &&
		[ "$(sed -n 2p "$tmp/out")" = "libcurl: not found (libcurl has no curl_global_init)" ] && ok ||
		fail "--version with a broken libcurl: exit $rc, '$(cat "$tmp/out" "$tmp/err")'"
	LD_LIBRARY_PATH="$tmp/nocurl" "$bin" --open "$fx/go1.21/goroutine.pb.gz" --batch >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && ok || fail "--open with a broken libcurl: exit $rc, $(cat "$tmp/err")"
else
	fail "cc cannot build a stand-in libcurl"
fi

# ---------------------------------------------------------------- tables

# table FILE 'header line' 'row 1' ['row 2']: the first line and the first
# data rows (after the column header) of --open FILE --batch, blanks
# squeezed. Expected values cross-checked with go tool pprof -raw where
# pprof reads the file (see test_pprof_parity.sh).
table() {
	local f=$1 head=$2
	shift 2
	run --open "$fx/$f" --batch
	if [ "$rc" -ne 0 ]; then
		fail "$f: exit $rc: $err"
		return
	fi
	[ -z "$err" ] || fail "$f: unexpected stderr: $err"
	local got
	got=$(head -n 1 "$tmp/out" | squeeze)
	[ "$got" = "$head" ] && ok || fail "$f: header '$got', expected '$head'"
	# data rows start after the column header (the line ending in
	# "FUNCTION (LOCATION)")
	local n=0 row
	while IFS= read -r row; do
		n=$((n + 1))
		[ "$#" -ge 1 ] || break
		[ "$row" = "$1" ] && ok || fail "$f: row $n '$row', expected '$1'"
		shift
	done < <(sed -n '/FUNCTION (LOCATION)$/,$p' "$tmp/out" | tail -n +2 | squeeze)
	[ "$#" -eq 0 ] || fail "$f: only $n rows, missing '$1'"
}

# protobuf
table go1.21/goroutine.pb.gz 'goroutine: protobuf, 26 groups, count 141; not counted: 2 groups serving /debug/pprof (pproftop'\''s own), count 2' \
	'115 chan receive main.leakOne.func1 (main.go:64)' '2 sync.Mutex main.contend (main.go:89)'
table go1.22/allocs.pb.gz \
	'allocs: protobuf, 5 groups, inuse_bytes 119 MiB, inuse_objects 2025, alloc_bytes 211 MiB, alloc_objects 411k; not counted: 6 groups serving /debug/pprof (pproftop'\''s own), alloc_bytes 4.62 MiB, alloc_objects 10.9k' \
	'119 MiB 1897 119 MiB 1897 main.grow (main.go:71)' \
	'0 B 0 82.0 MiB 407k main.grow (main.go:76)'
table go1.27/mutex.pb.gz 'mutex: protobuf, 9 groups, contentions 38.7k, delay_ns 5.11 min' \
	'38.7k 5.11 min main.contend (main.go:92)'
table go1.19/custom-openfiles.pb.gz 'example.com/openfiles: protobuf, 1 groups, count 3' \
	'3 main.main (main.go:212)'
# CPU: its cores too (350 ms in 3.102635155 s; 200 ms of them is 0.064)
table go1.19/profile-cpu-3s.pb.gz 'cpu: protobuf, 3 groups, cpu_ns 350 ms, samples 35, 0.113 cores over a 3.1 s window' \
	'200 ms 20 0.064 main.burnCPU.func1 (main.go:117)' '140 ms 14 0.045 main.burnCPU.func1 (main.go:116)'
table go1.24/threadcreate.pb.gz 'threadcreate: protobuf, 2 groups, count 9' \
	'8 (no stack)' '1 runtime.allocm (proc.go:2238)'
# debug=1 text (Go's writer leaves out the leading runtime frames: a channel
# receive's STATE reads "-", a mutex shows in sync.runtime_SemacquireMutex)
table go1.19/goroutine-debug1.txt 'goroutine: text (debug=1), 26 groups, count 129; not counted: 2 groups serving /debug/pprof (pproftop'\''s own), count 2' \
	'102 - main.leakOne.func1 (main.go:64)' '3 sync.Mutex main.contend (main.go:89)'
table go1.19/heap-debug1.txt \
	'heap: text (debug=1), 6 groups, inuse_bytes 106 MiB, inuse_objects 3448, alloc_bytes 170 MiB, alloc_objects 297k; not counted: 4 groups serving /debug/pprof (pproftop'\''s own)' \
	'105 MiB 1676 105 MiB 1676 main.grow (main.go:71)'
table go1.24/block-debug1.txt 'block: text (debug=1), 5 groups, contentions 54.8k, delay_ns 7.17 min' \
	'38.1k 3.97 min main.contend (main.go:89)' '16.6k 1.62 min main.chanBlocker (main.go:107)'
table go1.19/threadcreate-debug1.txt 'threadcreate: text (debug=1), 2 groups, count 9' \
	'8 (no stack)' '1 runtime.allocm (proc.go:1761)'
table go1.27/goroutineleak-debug1.txt 'goroutineleak: text (debug=1), 6 groups, count 123' \
	'118 - main.leakOne.func1 (main.go:64)'
# goroutine dump (STATE: the runtime's own word)
table go1.27/goroutine-debug2.txt 'goroutine: goroutine dump (debug=2), 26 groups, count 144; not counted: 1 group serving /debug/pprof (pproftop'\''s own), count 1' \
	'117 chan receive main.leakOne.func1 (main.go:64)' '3 sync.Mutex main.contend (main.go:89)'
table go1.19/goroutine-debug2.txt 'goroutine: goroutine dump (debug=2), 28 groups, count 130; not counted: 1 group serving /debug/pprof (pproftop'\''s own), count 1' \
	'102 chan receive main.leakOne.func1 (main.go:64)'

# a disabled mutex profile says so
run --open "$fx/variants/go1.19-mutex-debug1-rate-not-set.txt" --batch
if [ "$rc" -eq 0 ] && grep -q '^note: mutex profiling is not enabled' "$tmp/out"; then ok; else
	fail "mutex rate not set: exit $rc, no note: $out"
fi

# mutex debug=1 scaling: a trimmed go1.19 build reads like its protobuf
# (3175 contentions, as go tool pprof says); text that cannot tell says so
run --open "$fx/variants/go1.19-trimpath-mutex-debug1-fraction5.txt" --batch --json
if [ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q '"scaling": "multiplied"' &&
	printf '%s' "$out" | grep -q '"contentions": 3175,'; then ok; else
	fail "trimpath mutex: exit $rc: $out"
fi
grep -v '^#' "$fx/variants/go1.23-mutex-debug1-fraction5.txt" >"$tmp/m23.txt"
run --open "$tmp/m23.txt" --batch
if [ "$rc" -eq 0 ] && grep -q '^note: mutex values assumed already multiplied' "$tmp/out" &&
	grep -q 'contentions 39.5k' "$tmp/out"; then ok; else
	fail "stripped go1.23 mutex: exit $rc, no assumption note: $out"
fi
run --open "$tmp/m23.txt" --batch --json --mutex-scaled no
if [ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q '"scaling": "flag-no"' &&
	printf '%s' "$out" | grep -q '"contentions": 197600,'; then ok; else
	fail "--mutex-scaled no: exit $rc: $out"
fi
run --open "$tmp/m23.txt" --batch --mutex-scaled maybe
if [ "$rc" -eq 2 ] && grep -q 'mutex-scaled: want yes or no' "$tmp/err"; then ok; else
	fail "--mutex-scaled maybe: exit $rc: $err"
fi

# --rows
run --open "$fx/go1.21/goroutine.pb.gz" --batch --rows 2
rows=$(sed -n '/FUNCTION (LOCATION)$/,$p' "$tmp/out" | tail -n +2 | squeeze)
expect=$'115 chan receive main.leakOne.func1 (main.go:64)\n2 sync.Mutex main.contend (main.go:89)\n... 24 more groups'
[ "$rc" -eq 0 ] && [ "$rows" = "$expect" ] && ok || fail "--rows 2: exit $rc: $rows"

# ---------------------------------------------------------------- JSON

# json FILE KEY [--base FILE2]: --json output is valid JSON (json.tool) and
# has the documented shape (checked by json_check below).
json() {
	local f=$1 key=$2
	shift 2
	run --open "$fx/$f" --batch --json "$@"
	if [ "$rc" -ne 0 ]; then
		fail "$f --json: exit $rc: $err"
		return 1
	fi
	if ! python3 -m json.tool <"$tmp/out" >/dev/null 2>"$tmp/jerr"; then
		fail "$f --json: invalid JSON: $(head -n 1 "$tmp/jerr")"
		return 1
	fi
	local msg
	if ! msg=$(python3 - "$key" "$tmp/out" <<'EOF'
import json, re, sys
key, path = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
def die(m):
    print(m)
    sys.exit(1)
if list(doc) != ["profiles"]:
    die("top-level keys %s" % list(doc))
profs = doc["profiles"]
if list(profs) != [key]:
    die("profile keys %s, expected [%r]" % (list(profs), key))
p = profs[key]
for k, t in (("total", int), ("unit", str), ("value", str), ("totals", dict), ("groups", list)):
    if not isinstance(p.get(k), t):
        die("%r missing or not %s" % (k, t.__name__))
vkeys = list(p["totals"])
if p["value"] not in vkeys or p["total"] != p["totals"][p["value"]]:
    die("total %r / value %r inconsistent with totals" % (p["total"], p["value"]))
sums = dict.fromkeys(vkeys, 0)
for g in p["groups"]:
    if not re.fullmatch(r"[0-9a-f]{16}", g.get("id", "")):
        die("bad group id %r" % g.get("id"))
    if not isinstance(g.get("frames"), list):
        die("group %s has no frames list" % g["id"])
    for f in g["frames"]:
        if sorted(f) != ["file", "function", "line"] or not isinstance(f["function"], str) \
                or not isinstance(f["file"], str) or not isinstance(f["line"], int):
            die("bad frame %r" % f)
    for k in vkeys:
        if not isinstance(g.get(k), int):
            die("group %s lacks value %r" % (g["id"], k))
        if not g.get("gone"):
            sums[k] += g[k]
for k in vkeys:
    if sums[k] != p["totals"][k]:
        die("sum of groups' %s %d != totals %d" % (k, sums[k], p["totals"][k]))
EOF
	); then
		fail "$f --json: $msg"
		return 1
	fi
	ok
	return 0
}

json go1.19/goroutine.pb.gz goroutine
json go1.21/goroutine-debug1.txt goroutine
json go1.22/goroutine-debug2.txt goroutine
json go1.27/goroutine-debug2-gomod1.27-labels.txt goroutine
json go1.24/heap.pb.gz heap
json go1.27/allocs-debug1.txt heap
json go1.19/block.pb.gz block
json go1.21/mutex-debug1.txt mutex
json go1.22/threadcreate-debug1.txt threadcreate
json go1.19/custom-openfiles-debug1.txt example.com/openfiles
json go1.27/goroutineleak.pb.gz goroutineleak
json go1.19/profile-cpu-3s.pb.gz cpu
json local/profile-cpu-1s.pb.gz cpu
json variants/go1.19-goroutine-debug2-GODEBUG-tracebackancestors3.txt goroutine
json variants/go1.23-goroutine-debug2-GOTRACEBACK-system.txt goroutine

# heap debug=1: "memstats" with every runtime.MemStats field the trailer prints
for f in go1.19/heap-debug1.txt go1.21/heap-debug1.txt go1.27/heap-debug1.txt; do
	json "$f" heap || continue
	if msg=$(python3 - "$tmp/out" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["profiles"]["heap"]
m = p.get("memstats")
if not isinstance(m, dict):
    print("no memstats object")
    sys.exit(1)
ints = ("Alloc TotalAlloc Sys Lookups Mallocs Frees HeapAlloc HeapSys HeapIdle HeapInuse "
        "HeapReleased HeapObjects StackInuse StackSys MSpanInuse MSpanSys MCacheInuse "
        "MCacheSys BuckHashSys GCSys OtherSys NextGC LastGC NumGC NumForcedGC MaxRSS").split()
for k in ints:
    if not isinstance(m.get(k), int) or isinstance(m.get(k), bool):
        print("memstats %s: %r" % (k, m.get(k)))
        sys.exit(1)
for k in ("PauseNs", "PauseEnd"):
    v = m.get(k)
    if not isinstance(v, list) or len(v) != 256 or not all(isinstance(x, int) for x in v):
        print("memstats %s is not 256 integers" % k)
        sys.exit(1)
if not isinstance(m.get("GCCPUFraction"), (int, float)) or not isinstance(m.get("DebugGC"), bool):
    print("memstats GCCPUFraction/DebugGC: %r %r" % (m.get("GCCPUFraction"), m.get("DebugGC")))
    sys.exit(1)
extra = set(m) - set(ints) - {"PauseNs", "PauseEnd", "GCCPUFraction", "DebugGC"}
if extra:
    print("unexpected memstats keys %s" % sorted(extra))
    sys.exit(1)
EOF
	); then ok; else fail "$f memstats: $msg"; fi
done
# the exact values of the 1.19 trailer
run --open "$fx/go1.19/heap-debug1.txt" --batch --json
vals=$(python3 -c '
import json, sys
m = json.load(sys.stdin)["profiles"]["heap"]["memstats"]
print(m["HeapAlloc"], m["NumGC"], m["PauseNs"][(m["NumGC"] + 255) % 256], m["StackInuse"], m["StackSys"], m["GCCPUFraction"], m["DebugGC"])
' <"$tmp/out" 2>&1)
want=$(awk '/^# HeapAlloc = /{a=$4} /^# NumGC = /{n=$4} /^# Stack = /{si=$4; ss=$6}
	/^# GCCPUFraction = /{g=$4} /^# DebugGC = /{d=($4=="true")?"True":"False"}
	/^# PauseNs = /{sub(/^# PauseNs = \[/, ""); sub(/\]$/, ""); split($0, p, " ")}
	END {print a, n, p[(n + 255) % 256 + 1], si, ss, g, d}' "$fx/go1.19/heap-debug1.txt")
[ "$vals" = "$want" ] && ok || fail "go1.19 memstats values '$vals', expected '$want'"

# ---------------------------------------------------------------- --base

# now, base: same process, protobuf (times known) -> deltas and rates for the
# counters (alloc_*), deltas only for the gauges (inuse_*)
run --open "$fx/go1.19/allocs.pb.gz" --batch --json
cp "$tmp/out" "$tmp/now.json"
run --open "$fx/go1.19/heap.pb.gz" --name allocs --batch --json
cp "$tmp/out" "$tmp/old.json"
if json go1.19/allocs.pb.gz allocs --base "$fx/go1.19/heap.pb.gz"; then
	if msg=$(python3 - "$tmp/out" "$tmp/now.json" "$tmp/old.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["profiles"]["allocs"]
now = json.load(open(sys.argv[2]))["profiles"]["allocs"]
old = json.load(open(sys.argv[3]))["profiles"]["allocs"]
def die(m):
    print(m)
    sys.exit(1)
dt = (now["time_ns"] - old["time_ns"]) / 1e9
if abs(d["interval_sec"] - dt) > 1e-6 or d["restarted"] is not False:
    die("interval_sec %r (expected %r), restarted %r" % (d["interval_sec"], dt, d["restarted"]))
for k in now["totals"]:
    if d["delta_totals"][k] != now["totals"][k] - old["totals"][k]:
        die("delta_totals %s" % k)
oldg = {g["id"]: g for g in old["groups"]}
nnew = 0
for g in d["groups"]:
    o = oldg.get(g["id"])
    if o is None:
        nnew += 1
        if not g.get("new"):
            die("group %s absent from the base is not marked new" % g["id"])
    for k in ("inuse_bytes", "inuse_objects", "alloc_bytes", "alloc_objects"):
        want = g[k] - (o[k] if o else 0)
        if g["delta_" + k] != want:
            die("group %s delta_%s %d, expected %d" % (g["id"], k, g["delta_" + k], want))
    for k in ("alloc_bytes", "alloc_objects"):
        r = g.get(k + "_per_sec")
        if not isinstance(r, (int, float)) or abs(r - g["delta_" + k] / dt) > 1e-5 * max(1, abs(r)):
            die("group %s %s_per_sec %r, expected %r" % (g["id"], k, r, g["delta_" + k] / dt))
    for k in ("inuse_bytes_per_sec", "inuse_objects_per_sec"):
        if k in g:
            die("gauge rate %s present" % k)
if nnew != d["new_groups"]:
    die("new_groups %r, counted %d" % (d["new_groups"], nnew))
# between the two captures only the pprof handler's own stacks were new:
# they are not counted, so no group is new, and the hidden part says so
if nnew != 0 or d["hidden"]["groups"] != 7 or d["hidden"]["totals"]["alloc_objects"] <= 0:
    die("new %d, hidden %r: expected 0 new and 7 hidden (the handler's)" % (nnew, d["hidden"]))
if any(f["function"].startswith("net/http/pprof.") for g in d["groups"] for f in g["frames"]):
    die("a pprof handler stack is shown")
EOF
	); then ok; else fail "--base allocs: $msg"; fi
fi

# no times (debug=1 text base): deltas but no rates
if json go1.19/block.pb.gz block --base "$fx/go1.19/block-debug1.txt"; then
	if msg=$(python3 - "$tmp/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["profiles"]["block"]
if d["interval_sec"] != 0:
    print("interval_sec %r" % d["interval_sec"]); sys.exit(1)
if d["delta_totals"] != {"contentions": 46917 - 46890, "delay_ns": 284681794561 - 284529500969}:
    print("delta_totals %r" % d["delta_totals"]); sys.exit(1)
for g in d["groups"]:
    if "delta_contentions" not in g or "delta_delay_ns" not in g:
        print("no delta keys"); sys.exit(1)
    if any(k.endswith("_per_sec") for k in g):
        print("rates without times: %r" % g); sys.exit(1)
EOF
	); then ok; else fail "--base block (text base): $msg"; fi
fi

# counters dropped (1.22 capture "after" a 1.21 one): restarted, deltas zero
if json go1.22/block.pb.gz block --base "$fx/go1.21/block.pb.gz"; then
	if msg=$(python3 - "$tmp/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["profiles"]["block"]
if d["restarted"] is not True or any(d["delta_totals"].values()):
    print("restarted %r delta_totals %r" % (d["restarted"], d["delta_totals"])); sys.exit(1)
for g in d["groups"]:
    if g["delta_contentions"] or g["delta_delay_ns"] or g.get("contentions_per_sec", 0):
        print("non-zero delta after a restart: %r" % g); sys.exit(1)
EOF
	); then ok; else fail "--base restarted: $msg"; fi
fi
run --open "$fx/go1.22/block.pb.gz" --base "$fx/go1.21/block.pb.gz" --batch
grep -q 'the target restarted' "$tmp/out" && ok || fail "--base restarted: table does not say so"

# different profiles cannot be compared
run --open "$fx/go1.19/goroutine.pb.gz" --base "$fx/go1.19/heap-debug1.txt" --batch
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok; else
	fail "--base of a different profile: exit $rc, stderr: $err"
fi

# ---------------------------------------------------------------- bad input

# Generated inputs; each must exit 1 with exactly one line on stderr that
# names the file and, where the input was read, the line or byte.
cd "$tmp" || exit 1
FX="$fx" python3 - <<'EOF'
import gzip, os, random
rnd = random.Random(7)
garbage = bytes([0x42]) + bytes(rnd.randrange(256) for _ in range(4095))
open("garbage.bin", "wb").write(garbage)
open("garbage.txt", "w").write("hello world\nthis is not a profile\n")
gz = open(os.environ["FX"] + "/go1.21/goroutine.pb.gz", "rb").read()
open("truncated.pb.gz", "wb").write(gz[:len(gz) // 2])
open("gzip-garbage.pb.gz", "wb").write(gzip.compress(b"\x0a\xff\xff\xff\xff\xff\xff" + garbage))
open("cut-header.txt", "w").write("--- mutex:\ncycles/sec")
open("cut-goroutine.txt", "w").write("goroutine profile: total 131\n34 @ 0x43b2f6 0x40")
open("empty.txt", "w").write("")
open("blank.txt", "w").write("\n\n  \n")
open("page.html", "w").write("<!DOCTYPE html>\n<html><body>login</body></html>\n")
open("json.txt", "w").write('{"error": "nope"}\n')
open("long-line.txt", "w").write("goroutine profile: total 1\n1 @" + " 0x4567" * 700000 + "\n")
open("huge-number.txt", "w").write("goroutine profile: total 1\n1 @ 0x1\n#\t0x0\tmain.f+0x1\t/x.go:"
                                    + "9" * 40 + "\n\n")
open("bad-count.txt", "w").write("goroutine profile: total 1\nx @ 0x1\n")
# valid profiles with hostile strings: control bytes, quotes, backslashes,
# invalid UTF-8 in names and labels; MemStats values JSON cannot take as is
open("hostile-heap.txt", "wb").write(
    b"heap profile: 1: 10 [1: 10] @ heap/2\n1: 10 [1: 10] @ 0x1\n"
    b"#\t0x1\tmain.f\x01\"q\\\xff\xc3(+0x1\t/x\"y\x7f.go:5\n\n"
    b"# runtime.MemStats\n# GCCPUFraction = NaN\n# Foo = 0x10\n# Bar = [1 -2 x]\n"
    b"# Baz = inf\n# Qux = .5\n# Quux = 1e5\n# PauseNs = [1 2 3]\n# DebugGC = true\n")
open("hostile-labels.txt", "wb").write(
    b"goroutine profile: total 2\n2 @ 0x1\n"
    b"# labels: {\"k\\\"\":\"v\\n\\u2028\xe2\x80\xa8\xff\"}\n"
    b"#\t0x1\tmain.\xe2\x82\xac\t/\xf0\x9f\x98\x80.go:1\n\n")
EOF
[ -s long-line.txt ] || fail "could not generate the bad inputs"

# bad FILE 'line N'|'byte N'|'' 'message fragment'
bad() {
	local f=$1 where=$2 what=$3
	run --open "$f" --batch
	if [ "$rc" -ne 1 ]; then
		fail "$f: exit $rc, expected 1 (stderr: $err)"
		return
	fi
	local n
	n=$(wc -l <"$tmp/err")
	if [ "$n" -ne 1 ]; then
		fail "$f: $n lines on stderr, expected 1: $err"
		return
	fi
	case $err in
	"pproftop: $f: $where"*"$what"*) ok ;;
	*) fail "$f: stderr '$err', expected 'pproftop: $f: $where...$what...'" ;;
	esac
	[ -z "$out" ] || fail "$f: output on stdout despite the error"
}
bad garbage.bin 'byte 0: ' 'not a recognized pprof format'
bad garbage.txt 'byte 0: ' 'not a recognized pprof format'
bad truncated.pb.gz 'byte ' 'truncated'
bad gzip-garbage.pb.gz 'byte ' ''
bad cut-header.txt 'line 2: ' 'cycles/second'
bad cut-goroutine.txt 'line ' ''
bad empty.txt 'byte 0: ' 'empty'
# whitespace only: starts with 0x0a, so it is read as an uncompressed protobuf
bad blank.txt 'byte ' ''
bad page.html 'byte 0: ' 'HTML'
bad json.txt 'byte 0: ' 'JSON'
bad long-line.txt 'line 2: ' 'longer than'
bad huge-number.txt 'line 3: ' 'range'
bad bad-count.txt 'line 2: ' ''
bad no-such-file.pb.gz '' 'No such file or directory'
bad "$fx/go1.19/goroutineleak-404-unknown-profile.txt" 'byte 0: ' 'Unknown profile'
bad "$fx/go1.19/error-cpu-profile-in-use.txt" 'byte 0: ' ''
bad "$fx/go1.19/index.html" 'byte 0: ' 'HTML'
# a bad --base is reported the same way
run --open "$fx/go1.19/goroutine.pb.gz" --base "$tmp/garbage.bin" --batch
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	[[ $err == "pproftop: $tmp/garbage.bin: byte 0: "* ]]; then ok; else
	fail "bad --base: exit $rc, stderr: $err"
fi
# hostile strings still make valid JSON
run --open hostile-heap.txt --batch --json
if [ "$rc" -eq 0 ] && msg=$(python3 -c '
import json, sys
p = json.load(sys.stdin)["profiles"]["heap"]
m = p["memstats"]
want = {"GCCPUFraction": "NaN", "Foo": "0x10", "Bar": "[1 -2 x]", "Baz": "inf", "Qux": ".5",
        "Quux": 100000.0, "PauseNs": [1, 2, 3], "DebugGC": True}
if m != want:
    print("memstats %r" % m); sys.exit(1)
f = p["groups"][0]["frames"][0]
if f["function"] != "main.f\x01\"q\\\ufffd\ufffd(" or f["file"] != "/x\"y\x7f.go":
    print("frame %r" % f); sys.exit(1)
' <"$tmp/out" 2>&1); then ok; else fail "hostile heap --json: exit $rc: $msg $err"; fi
run --open hostile-labels.txt --batch --json
if [ "$rc" -eq 0 ] && msg=$(python3 -c '
import json, sys
g = json.load(sys.stdin)["profiles"]["goroutine"]["groups"][0]
if g["frames"][0]["function"] != "main.\u20ac" or g["frames"][0]["file"] != "/\U0001F600.go":
    print("frame %r" % g["frames"][0]); sys.exit(1)
if len(g["labels"]) != 1 or g["labels"][0]["count"] != 2 or "\ufffd" not in g["labels"][0]["set"]:
    print("labels %r" % g.get("labels")); sys.exit(1)
' <"$tmp/out" 2>&1); then ok; else fail "hostile labels --json: exit $rc: $msg $err"; fi

# --json: a goroutine group's wait state, and the runtime frames left out of
# its identity, from the protobuf (the text form has no runtime frames)
run --open "$fx/go1.21/goroutine.pb.gz" --batch --json
if [ "$rc" -eq 0 ] && msg=$(python3 -c '
import json, sys
gs = json.load(sys.stdin)["profiles"]["goroutine"]["groups"]
g = next(g for g in gs if g["label"] == "main.leakOne.func1")
if g["state"] != "chan receive":
    print("state %r" % g["state"]); sys.exit(1)
rf = [f["function"] for f in g["runtime_frames"]]
if rf != ["runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1"]:
    print("runtime_frames %r" % rf); sys.exit(1)
if g["frames"][0]["function"] != "main.leakOne.func1":
    print("frames %r" % g["frames"][0]); sys.exit(1)
' <"$tmp/out" 2>&1); then ok; else fail "--json state and runtime_frames: exit $rc: $msg $err"; fi
run --open "$fx/go1.19/goroutine-debug1.txt" --batch --json
if [ "$rc" -eq 0 ] && msg=$(python3 -c '
import json, sys
gs = json.load(sys.stdin)["profiles"]["goroutine"]["groups"]
st = [(g["label"], g["state"], next(f["line"] for f in g["frames"] if f["function"] == g["label"]))
      for g in gs if g["frames"]]
if ("main.leakOne.func1", None, 64) not in st or ("main.contend", "sync.Mutex", 89) not in st:
    print("states %r" % st); sys.exit(1)
if any("runtime_frames" in g for g in gs):
    print("runtime_frames in a text profile"); sys.exit(1)
' <"$tmp/out" 2>&1); then ok; else fail "--json state from text: exit $rc: $msg $err"; fi
cd "$here" || exit 1

# ---------------------------------------------------------------- --tree

# the call tree: one node a line, two spaces per level, the cumulative value
# first; --rows N keeps the N heaviest children (and roots)
run --open "$fx/go1.19/block.pb.gz" --batch --tree --rows 2
expect='call tree by delay_ns (cumulative, top-down)
3.37 min main.contend
  3.37 min sync.(*Mutex).Lock
1.37 min main.chanBlocker
  1.37 min runtime.chansend1
... 1 more'
tree=$(sed -n '/^call tree/,$p' "$tmp/out")
[ "$rc" -eq 0 ] && [ "$tree" = "$expect" ] && ok || fail "--tree --rows 2 (block): exit $rc: $tree"
run --open "$fx/go1.19/goroutine.pb.gz" --batch --tree --rows 1
expect='call tree by count (cumulative, top-down)
102 runtime/pprof.Do
  102 main.leakOne.func1
... 24 more'
tree=$(sed -n '/^call tree/,$p' "$tmp/out")
[ "$rc" -eq 0 ] && [ "$tree" = "$expect" ] && ok || fail "--tree --rows 1 (goroutine): exit $rc: $tree"
# --tree is for batch output
run --open "$fx/go1.19/goroutine.pb.gz" --tree
[ "$rc" -eq 2 ] && [ "$err" = "pproftop: --tree needs --batch or --json" ] && ok ||
	fail "--tree without --batch: exit $rc, '$err'"
# every node; recursion makes one node per level
run --open "$fx/go1.19/goroutine.pb.gz" --batch --tree
if [ "$rc" -eq 0 ] && grep -qx '4 main.contend' "$tmp/out" &&
	grep -qx '  2 sync.(\*Mutex).Lock' "$tmp/out" && grep -qx '  2 time.Sleep' "$tmp/out" &&
	[ "$(grep -c "^ *1 main.deep$" "$tmp/out")" -eq 29 ]; then ok; else
	fail "--tree (goroutine): exit $rc: $(head -n 12 "$tmp/out")"
fi
# with --base: the cumulative delta of each node and the new paths
run --open "$fx/go1.19/goroutine.pb.gz" --base "$fx/go1.19/goroutine-debug1.txt" --tree --rows 3
if [ "$rc" -eq 0 ] && grep -qx '  2 time.Sleep (+1)' "$tmp/out" &&
	grep -qx '      1 time.Sleep (+1) \[new\]' "$tmp/out" &&
	grep -qx '  2 sync.(\*Mutex).Lock (-1)' "$tmp/out"; then ok; else
	fail "--tree --base: exit $rc: $out"
fi
# --json --tree: the groups as before, and the nodes nested in "tree"
# (tree_json FILE ROWS checks the shape of every profile's tree)
tree_json() {
	python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = int(sys.argv[2])
for name, p in doc["profiles"].items():
    if "groups" not in p or "tree" not in p or "tree_value" not in p:
        print(name, "lacks groups, tree or tree_value"); sys.exit(1)
    key = p["tree_value"]
    def walk(nodes):
        for n in nodes:
            for k in ("id", "function", "file", "line", key, "flat_" + key, "stacks", "children"):
                if k not in n:
                    print(name, "node lacks", k, n); sys.exit(1)
            if not n.get("children_omitted") and n[key] != n["flat_" + key] + sum(
                    c[key] for c in n["children"]):
                print(name, "cum != flat + children", n["function"]); sys.exit(1)
            if rows and len(n["children"]) > rows:
                print(name, "more than --rows children"); sys.exit(1)
            walk(n["children"])
    walk(p["tree"])
    if rows == 0 and sum(n[key] for n in p["tree"]) != p["totals"][key]:
        print(name, "roots do not add up to the total"); sys.exit(1)
PY
}
run --open "$fx/go1.19/heap.pb.gz" --batch --json --tree
if [ "$rc" -eq 0 ] && msg=$(tree_json "$tmp/out" 0 2>&1) &&
	msg=$(python3 -c '
import json, sys
p = json.load(sys.stdin)["profiles"]["heap"]
r = p["tree"][0]
assert p["tree_value"] == "inuse_bytes", p["tree_value"]
assert r["function"] == "main.grow" and r["inuse_bytes"] == p["groups"][0]["inuse_bytes"], r
assert len(p["groups"]) == 6, len(p["groups"])
' <"$tmp/out" 2>&1); then ok; else fail "--json --tree (heap): exit $rc: $msg $err"; fi
run --open "$fx/go1.19/goroutine.pb.gz" --base "$fx/go1.19/goroutine-debug1.txt" --json --tree --rows 2
if [ "$rc" -eq 0 ] && msg=$(tree_json "$tmp/out" 2 2>&1) &&
	msg=$(python3 -c '
import json, sys
p = json.load(sys.stdin)["profiles"]["goroutine"]
assert p["tree_roots_omitted"] == 23, p.get("tree_roots_omitted")
c = [n for n in p["tree"] if n["function"] == "main.contend"][0]
assert c["count"] == 4 and c["delta_count"] == 0 and c["stacks"] == 3, c
assert [x["delta_count"] for x in c["children"]] == [-1, 1], c["children"]
' <"$tmp/out" 2>&1); then ok; else fail "--json --tree --base --rows 2: exit $rc: $msg $err"; fi
# --open DIR --batch --tree: every profile of a snapshot directory
mkdir -p "$tmp/snap"
cp "$fx"/go1.19/{goroutine,heap,block,mutex}-debug1.txt "$tmp/snap/"
run --open "$tmp/snap" --batch --tree
if [ "$rc" -eq 0 ] && [ "$(grep -c '^call tree by ' "$tmp/out")" -eq 5 ] &&
	grep -qx '3.37 min main.contend' "$tmp/out" && grep -qx '105 MiB main.grow' "$tmp/out"; then
	ok
else
	fail "--open DIR --batch --tree: exit $rc: $(grep '^call tree' "$tmp/out")"
fi
run --open "$tmp/snap" --batch --json --tree
if [ "$rc" -eq 0 ] && msg=$(tree_json "$tmp/out" 0 2>&1); then ok; else
	fail "--open DIR --json --tree: exit $rc: $msg"
fi

# ---------------------------------------------------------------- --targets FILE

# comments, blank lines and blanks around a TARGET are skipped: 100 targets
# (the most), all on the discard port: each one's failure is reported, exit 1
{
	echo "# replicas of one service"
	echo
	for ((i = 0; i < 100; i++)); do printf '  127.0.0.1:9 \t\n'; done
} >"$tmp/targets"
run --batch -n 1 -i 0.5 --targets "$tmp/targets"
nref=$(grep -c '^pproftop: http://127.0.0.1:9/debug/pprof: connection refused$' "$tmp/err")
[ "$rc" -eq 1 ] && [ "$nref" -eq 100 ] && [ "$(wc -l <"$tmp/err")" -eq 100 ] && ok ||
	fail "--targets with 100: exit $rc, $nref refused lines: $(head -3 "$tmp/err")"
# one more is refused, named by its line
echo "127.0.0.1:9" >>"$tmp/targets"
run --batch -n 1 --targets "$tmp/targets"
[ "$rc" -eq 2 ] && [ "$err" = "pproftop: $tmp/targets:103: too many targets (at most 100)" ] && ok ||
	fail "--targets with 101: exit $rc, '$err'"
# so are 100 in the file and one more on the command line
head -n 102 "$tmp/targets" >"$tmp/t100"
run --batch -n 1 127.0.0.1:9 --targets "$tmp/t100"
[ "$rc" -eq 2 ] && [ "$err" = "pproftop: $tmp/t100:102: too many targets (at most 100)" ] && ok ||
	fail "--targets 100 + 1 TARGET: exit $rc, '$err'"
# a bad line is named with its line number
printf '# two\n127.0.0.1:9\n\nftp://127.0.0.1:9\n' >"$tmp/bad-targets"
run --batch --targets "$tmp/bad-targets"
[ "$rc" -eq 2 ] &&
	[ "$err" = "pproftop: $tmp/bad-targets:4: unsupported scheme in 'ftp://127.0.0.1:9' (use http:// or https://)" ] &&
	ok || fail "--targets with a bad line: exit $rc, '$err'"
printf '# nothing\n\n' >"$tmp/no-targets"
run --batch --targets "$tmp/no-targets"
[ "$rc" -eq 2 ] && [ "$err" = "pproftop: --targets $tmp/no-targets: no targets in it" ] && ok ||
	fail "--targets with no targets: exit $rc, '$err'"
run --batch --targets "$tmp/none"
[ "$rc" -eq 2 ] && [ "$err" = "pproftop: --targets $tmp/none: No such file or directory" ] && ok ||
	fail "--targets missing file: exit $rc, '$err'"
run --help
[[ $out == *"key T shows one target"*"--targets FILE"*"--max-inflight N"* ]] && ok ||
	fail "--help lacks T/--targets/--max-inflight"

echo "$nok checks passed, $nfail failed"
[ "$nfail" -eq 0 ]
