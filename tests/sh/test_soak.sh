#!/bin/bash
# test_soak.sh - the live dashboard over many polls must not grow: memory
# (VmRSS) flat after a warm-up, open file descriptors constant.
#
# Phase 1, the demo: pproftop -i 0.2 against the demo service with -churn
# (goroutine groups appear and vanish) and -spawn 2000 -stacks 400 (volume),
# in tmux, until --exit-after SOAK_POLLS polls. Every SOAK_SAMPLE seconds
# VmRSS, the open fds and the CPU time are sampled, and a key is pressed:
# the panes are cycled, the view paused and resumed (checked on screen),
# detail views opened and closed, the sort changed, a baseline set.
# Phase 2, history eviction: a python3 target whose every goroutine profile
# has SOAK_EVICT_GROUPS groups never seen before (all of the previous poll's
# vanish) plus one steady group, polled at -i 0.1 for SOAK_EVICT_POLLS polls.
# Without eviction the per-group histories would grow by SOAK_EVICT_GROUPS
# entries a poll (~12 MB over the default run); with it (after 30 absent
# polls) memory levels off. The steady group's detail view must show a
# history capped at 60 polls.
#
# A phase passes when, after its warm-up (the first third), the highest RSS
# of the last third exceeds the highest of the middle third by less than
# 4 MiB or less than 10 % (RSS is a sawtooth: pauses hold a frozen copy of
# the view, glibc keeps each poll's peak; peaks against peaks is what grows
# when memory leaks), and the fd
# count after the warm-up never differs from the count at its end. Under
# ASan (shadow memory and the quarantine, here cut to 2 MiB, move RSS) the
# RSS figures are printed but not asserted; LeakSanitizer checks at exit
# instead (stderr must be empty).
#
# Default (CI): SOAK_POLLS=300 (~70 s: the warm-up then covers the rate
# window's two anchor snapshots per endpoint, in place after 20 s) and
# SOAK_EVICT_POLLS=120 (~15 s).
# Long version (~17 min; run by hand, beyond meson's 600 s timeout):
#   SOAK_POLLS=3000 SOAK_EVICT_POLLS=1500 SOAK_SAMPLE=10 \
#       PPROFTOP_BIN=build/pproftop bash tests/sh/test_soak.sh
#
# env: PPROFTOP_BIN (the binary), PPROFTOP_DEMO (default build/demo/demo,
# built with scripts/build-demo.sh when missing), SOAK_POLLS,
# SOAK_EVICT_POLLS, SOAK_EVICT_GROUPS (300), SOAK_SAMPLE (2 s; phase 2
# samples four times as often). Needs tmux and python3 (exit 77 when
# missing). Prints "ok N - ..." / "not ok N - ..." lines and "#" figures;
# exits 1 when any check failed.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
demo_bin=${PPROFTOP_DEMO:-$root/build/demo/demo}
polls=${SOAK_POLLS:-300}
evict_polls=${SOAK_EVICT_POLLS:-120}
evict_groups=${SOAK_EVICT_GROUPS:-300}
period=${SOAK_SAMPLE:-2}
export LC_ALL=C # this script's own tools; pproftop gets its locale per run

# shellcheck source=tests/sh/require.sh
. "$here/require.sh"
require_tools tmux python3
require_demo
asan=0
if grep -aq __asan_init "$bin"; then
	asan=1
	# a small quarantine, so that the RSS figures mean something
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=2:thread_local_quarantine_size_kb=64"
fi

lib_name=soak
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"
alive() { [ ! -e "$tmp/$1.exit" ] && kill -0 "$(cat "$tmp/$1.pid")" 2>/dev/null; }
now() { date +%s%3N; } # milliseconds
ms() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }'; }

# sample NAME T0: one "ms rss_kb fds cpu_ticks groups..." line into NAME.csv
# (groups: the counts on the tab line, to tell data growth from a leak).
sample() {
	local pid rss fds cpu groups
	pid=$(cat "$tmp/$1.pid")
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	cpu=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
	[ -n "$rss" ] && [ -n "$cpu" ] && alive "$1" || return 1
	groups=$(screen "$1" | sed -n 's/^ 1 Goroutines (\([0-9]*\)) *2 Heap (\([0-9]*\)) *3 Contention (\([0-9]*\)).*/\1 \2 \3/p')
	echo "$(($(now) - $2)) $rss $fds $cpu ${groups:-- - -}" >>"$tmp/$1.csv"
}

# soak NAME PERIOD ACTION TIMEOUT: samples NAME every PERIOD seconds until it
# exits, calling ACTION INDEX ELAPSED_MS after each sample; then checks the
# exit. Sets $elapsed (ms).
soak() {
	local name=$1 per limit action=$3 t0 i=0 t next
	per=$(ms "$2")
	limit=$(ms "$4")
	t0=$(now)
	: >"$tmp/$name.csv"
	while alive "$name"; do
		next=$((t0 + (i + 1) * per))
		sample "$name" "$t0" && "$action" "$i" $(($(now) - t0))
		i=$((i + 1))
		t=$(now)
		if [ $((t - t0)) -gt "$limit" ]; then
			elapsed=$((t - t0))
			notok "$name: still running after $4 s"
			screen "$name" | diag
			return 1
		fi
		if [ "$next" -gt "$t" ]; then
			sleep "$(awk -v d=$((next - t)) 'BEGIN { printf "%.3f", d / 1000 }')"
		fi
	done
	for ((i = 0; i < 200; i++)); do
		[ -e "$tmp/$name.exit" ] && break
		sleep 0.05
	done
	elapsed=$(($(now) - t0))
	if [ "$(cat "$tmp/$name.exit" 2>/dev/null)" = 0 ]; then
		ok "$name: exited by itself (--exit-after) with status 0 after $((elapsed / 1000)) s"
	else
		notok "$name: exit status '$(cat "$tmp/$name.exit" 2>/dev/null)'"
		screen "$name" | diag
	fi
	if [ -s "$tmp/$name.err" ]; then
		notok "$name: stderr is not empty"
		diag 60 <"$tmp/$name.err"
	else
		ok "$name: stderr is empty"
	fi
}

# analyze NAME POLLS: figures, then the RSS and fd verdicts.
analyze() {
	local name=$1 verdict
	verdict=$(python3 - "$tmp/$name.csv" "$2" "$asan" "$elapsed" <<'EOF'
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
# samples taken while pproftop was already exiting (--exit-after: the
# dashboard is gone from the screen) say nothing about a leak
while len(lines) > 1 and lines[-1][4:7] == ["-", "-", "-"]:
    lines.pop()
rows = [(float(l[0]) / 1000, float(l[1]), float(l[2]), float(l[3])) for l in lines]
grp = ["/".join(l[4:7]) for l in lines]
polls, asan, elapsed = int(sys.argv[2]), sys.argv[3] == "1", float(sys.argv[4]) / 1000
if len(rows) < 6:
    print("# only %d samples: too few to judge\nRSS_FAIL FDS_FAIL" % len(rows)); sys.exit()
t = [r[0] for r in rows]; rss = [r[1] for r in rows]; fds = [int(r[2]) for r in rows]
w = max(i for i in range(len(rows)) if t[i] <= t[-1] / 3)  # end of the warm-up
after = range(w, len(rows))
# growth: the peak of the last third over the peak of the middle one. RSS
# is a sawtooth (a pause holds a frozen copy of the view; glibc keeps the
# pages of each poll's peak), so two single samples compare a peak with a
# trough by chance; the peaks of two equal spans compare like with like.
m = max(i for i in range(len(rows)) if t[i] <= 2 * t[-1] / 3)
grow = max(rss[m + 1:] or rss[-1:]) - max(rss[w:m + 1])
cpu = rows[-1][3] / 100.0
pts = [rss[int(round(k * (len(rss) - 1) / 11))] / 1024 for k in range(12)]
print("# %d samples over %.1f s, %.2f polls/s, CPU %.1f s (%.0f%% of one core)"
      % (len(rows), t[-1], polls / elapsed, cpu, 100 * cpu / max(t[-1], 1)))
print("# RSS MiB: start %.1f, end of warm-up (%.0f s) %.1f, max after %.1f, end %.1f;"
      " growth (peak of the last third over the middle one's) %+d KiB (%+.1f%%)"
      % (rss[0] / 1024, t[w], rss[w] / 1024, max(rss[i] for i in after) / 1024,
         rss[-1] / 1024, grow, 100 * grow / rss[w]))
print("# RSS curve MiB: " + " ".join("%.1f" % p for p in pts))
print("# fds: warm-up %s, after %s" % (sorted(set(fds[:w + 1])), sorted(set(fds[w:]))))
print("# groups on the tabs (goroutines/heap/contention): start %s, end of warm-up %s, end %s"
      % (grp[0], grp[w], grp[-1]))
ok_rss = grow < 4096 or grow < 0.10 * rss[w]
ok_fds = len(set(fds[w:])) == 1
print(("RSS_OK" if ok_rss else ("RSS_INFO" if asan else "RSS_FAIL")) + " " +
      ("FDS_OK" if ok_fds else "FDS_FAIL"))
EOF
	)
	echo "$verdict" | grep -v '_OK\|_FAIL\|_INFO'
	case $verdict in
	*RSS_OK*) ok "$name: RSS flat after the warm-up (< 4 MiB or < 10 %)" ;;
	*RSS_INFO*) ok "$name: RSS grew, not asserted under ASan (quarantine)" ;;
	*) notok "$name: RSS grew after the warm-up" ;;
	esac
	case $verdict in
	*FDS_OK*) ok "$name: open fds constant after the warm-up" ;;
	*) notok "$name: open fds changed after the warm-up" ;;
	esac
	if [ -n "${SOAK_KEEP:-}" ]; then
		cp "$tmp/$name.csv" "$SOAK_KEEP.$name.csv"
	fi
}

# ---------------------------------------------------------------- phase 1: the demo

start_server demo "$demo_bin" -addr 127.0.0.1:0 -churn -spawn 2000 -stacks 400 \
	-heap-max 16777216 || exit 1
demo=http://$addr
tui_start demo 160 45 C.UTF-8 "$bin" -i 0.2 --budget 0 --exit-after "$polls" "$demo" ||
	notok "demo: no start"
if wait_for demo '^ 1 Goroutines \([1-9][0-9]+\)' 20; then
	ok "demo: the dashboard shows the demo's goroutine groups"
else
	notok "demo: no data"
	screen demo | diag
fi

pauses=0
resumes=0
panes=0
keys_demo() { # one key action per sample, in a cycle of 10
	case $(($1 % 10)) in
	0) tm send-keys -t demo Tab ;;
	1) tm send-keys -t demo 2 ;;
	2) tm send-keys -t demo 3 ;;
	3)
		tm send-keys -t demo 1
		wait_for demo 'COUNT +[^ ]+POLL' 2 && panes=$((panes + 1))
		;;
	4)
		tm send-keys -t demo p
		wait_for demo 'PAUSED$' 2 && pauses=$((pauses + 1))
		;;
	5) tm send-keys -t demo Right j j ;;
	6)
		tm send-keys -t demo p
		sleep 0.2
		screen demo | head -n 1 | grep -q 'PAUSED$' || resumes=$((resumes + 1))
		;;
	7)
		tm send-keys -t demo Enter
		sleep 0.3
		tm send-keys -t demo Escape
		;;
	8) tm send-keys -t demo '>' ;;
	9) tm send-keys -t demo '<' b ;;
	esac
}
soak demo "$period" keys_demo $((polls * 2 + 60))
analyze demo "$polls"
npause=$((($(wc -l <"$tmp/demo.csv") + 5) / 10))
# the run may end between a pause and its resume: one pause may be left open
if [ "$pauses" -ge 1 ] && [ "$resumes" -ge 1 ] && [ "$resumes" -ge $((pauses - 1)) ] &&
	[ "$panes" -ge 1 ]; then
	ok "demo: paused $pauses times (PAUSED on screen), resumed $resumes, panes cycled $panes times"
else
	notok "demo: paused $pauses, resumed $resumes, panes cycled $panes (about $npause cycles)"
fi

# ---------------------------------------------------------------- phase 2: eviction

cat >"$tmp/churn.py" <<'EOF'
# churn.py GROUPS: every goroutine profile has GROUPS groups never seen before
# and one steady group; the index lists only goroutine; the rest is Go's 404.
import http.server, socketserver, sys
groups = int(sys.argv[1])
n = 0
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # one kept-alive connection, like Go's
    def log_message(self, *a): pass
    def send(self, code, data, ctype="text/plain; charset=utf-8", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra: self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        global n
        path = self.path.split("?")[0]
        if path == "/debug/pprof/":
            self.send(200, b"<table><tr><td>1</td><td><a href='goroutine?debug=1'>goroutine</a>"
                      b"</td></tr></table>", "text/html; charset=utf-8")
        elif path == "/debug/pprof/goroutine":
            n += 1
            recs = [(5, "main.steady")] + [(1 + i % 3, "main.churn%d_%d" % (n, i))
                                           for i in range(groups)]
            out = ["goroutine profile: total %d" % sum(c for c, _ in recs)]
            for i, (c, fn) in enumerate(recs):
                out += ["%d @ 0x%x 0x%x" % (c, 0x1000 + i, 0x9000),
                        "#\t0x%x\t%s+0x1\t/src/churn/f%d.go:%d" % (0x1000 + i, fn, i % 7, 10 + i),
                        "#\t0x9000\tmain.root+0x1\t/src/churn/root.go:1", ""]
            self.send(200, "\n".join(out).encode())
        else:
            self.send(404, b"Unknown profile\n", extra=[("X-Go-Pprof", "1")])
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print("listening on 127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
EOF
start_server churn python3 "$tmp/churn.py" "$evict_groups" || exit 1
churn=http://$addr
# the shortest verdict window (5 s): every 0.1 s poll is a point of the
# history, which is then capped at 64 points
tui_start churn 140 40 C.UTF-8 "$bin" -i 0.1 --budget 0 --window 5 --exit-after "$evict_polls" "$churn" ||
	notok "churn: no start"
if wait_for churn 'main\.churn[0-9]+_' 20; then
	ok "churn: the dashboard shows the churning groups"
else
	notok "churn: no data"
	screen churn | diag
fi
evict_period=$(awk -v p="$period" 'BEGIN { printf "%.3f", p / 4 }')
detail_at=$((evict_polls * 110 * 4 / 10)) # ms: 40 % of the expected run
detail=0
saw_cap=0
keys_churn() { # the steady group's detail view from 40 % of the run on
	if [ "$detail" = 0 ] && [ "$2" -ge "$detail_at" ]; then
		detail=1
		tm send-keys -t churn / s t e a d y Enter
		sleep 0.3
		tm send-keys -t churn Enter
	elif [ "$detail" = 1 ] && [ "$saw_cap" = 0 ] &&
		screen churn | grep -q 'count over 64 points'; then
		saw_cap=1
	fi
}
soak churn "$evict_period" keys_churn $((evict_polls + 60))
analyze churn "$evict_polls"
if [ "$saw_cap" = 1 ]; then
	ok "churn: the steady group's history is capped ('count over 64 points')"
else
	notok "churn: the detail view never showed 'count over 64 points'"
fi

echo "1..$n"
[ "$nfail" -eq 0 ]
