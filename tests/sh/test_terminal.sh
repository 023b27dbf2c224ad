#!/bin/bash
# test_terminal.sh - terminal edge cases of the live dashboard, in a private
# tmux server:
#   - too small (20x6, 60x8, 49x30): a clear one-line message, keys still work,
#     and the exact minimum (50x10) draws the dashboard;
#   - a resize storm (50 random sizes from 20x6 to 300x80 in ~2 s): alive, and
#     the screen is right at the final size (paused, a full repaint with C-l
#     changes nothing below the header line: no garbage left by the storm);
#   - 300 columns: one meter row, the tab line's sort label at the right edge,
#     the function column uses the width; again no garbage (C-l);
#   - a target serving crafted names (a python3 server: goroutine debug=1 text
#     with a 5000-byte name, control bytes, C1 and invalid UTF-8, and a group
#     that grows every poll): escaped on screen (\x07 ...), truncated with an
#     ellipsis, and none of those bytes reach the terminal (the pane's raw
#     output stream is recorded with pipe-pane); batch and JSON output too;
#   - LANG=C LC_ALL=C: sparklines, marks, ellipses and titles in ASCII, not
#     one byte >= 0x80 on screen in any pane, the help or a detail view.
#
# env: PPROFTOP_BIN (the binary; point it at an ASan build to run the same
# checks under the sanitizers: every stderr must then be empty),
# PPROFTOP_DEMO (the demo binary; default build/demo/demo, built with
# scripts/build-demo.sh when missing). Needs tmux and python3 (exit 77 when
# missing). Prints "ok N - ..." / "not ok N - ..." lines, exits 1 on failure.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
demo_bin=${PPROFTOP_DEMO:-$root/build/demo/demo}
export LC_ALL=C # this script's own tools; pproftop gets its locale per run

# shellcheck source=tests/sh/require.sh
. "$here/require.sh"
require_tools tmux python3
require_demo

lib_name=term
TUI_RAW=1
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"
# wait_row NAME ROW ERE [SECONDS]: until that row matches.
wait_row() {
	local i
	for ((i = 0; i < ${4:-10} * 20; i++)); do
		row "$1" "$2" | grep -Eq -- "$3" && return 0
		sleep 0.05
	done
	return 1
}
alive() { [ ! -e "$tmp/$1.exit" ] && kill -0 "$(cat "$tmp/$1.pid")" 2>/dev/null; }
# tui_quit NAME: q, then the exit status must be 0 and stderr empty.
tui_quit() {
	local name=$1 i
	tm send-keys -t "$name" q
	for ((i = 0; i < 300; i++)); do
		[ -e "$tmp/$name.exit" ] && break
		sleep 0.05
	done
	if [ "$(cat "$tmp/$name.exit" 2>/dev/null)" = 0 ]; then
		ok "$name: q quits with status 0"
	else
		notok "$name: q: exit status '$(cat "$tmp/$name.exit" 2>/dev/null)'"
		screen "$name" | diag
	fi
	if [ -s "$tmp/$name.err" ]; then
		notok "$name: stderr is not empty"
		diag 40 <"$tmp/$name.err"
	else
		ok "$name: stderr is empty"
	fi
}
resize() { tm resize-window -t "$1" -x "$2" -y "$3"; }
# width_ok NAME COLS LINES: the pane has that size, the capture that many
# lines, and no line is wider.
width_ok() {
	local size
	size=$(tm display -p -t "$1" '#{pane_width}x#{pane_height}')
	[ "$size" = "$2x$3" ] || {
		echo "#   pane is $size"
		return 1
	}
	screen "$1" | python3 -c '
import sys
w, h = int(sys.argv[1]), int(sys.argv[2])
lines = sys.stdin.buffer.read().decode("utf-8", "replace").split("\n")
if lines and lines[-1] == "":
    lines.pop()
wide = [i + 1 for i, l in enumerate(lines) if len(l) > w]
if len(lines) != h or wide:
    print("#   %d lines, too wide: %s" % (len(lines), wide))
    sys.exit(1)' "$2" "$3"
}
# redraw_stable NAME: paused, a full repaint (C-l) must not change anything
# below the header line (which shows the poll age): what ncurses updated
# incrementally is what a fresh paint gives.
redraw_stable() {
	local name=$1 i
	tm send-keys -t "$name" p
	if ! wait_for "$name" 'PAUSED$' 5; then
		echo "#   $name: did not pause"
		return 1
	fi
	sleep 0.6 # a poll or two and the redraws they cause
	screen "$name" | tail -n +2 >"$tmp/before"
	tm send-keys -t "$name" C-l
	sleep 0.4
	screen "$name" | tail -n +2 >"$tmp/after"
	tm send-keys -t "$name" p
	for ((i = 0; i < 100; i++)); do
		row "$name" 1 | grep -q 'PAUSED$' || break
		sleep 0.05
	done
	if ! cmp -s "$tmp/before" "$tmp/after"; then
		diff "$tmp/before" "$tmp/after" | diag 20
		return 1
	fi
}
# high_bytes FILE: how many bytes >= 0x80.
high_bytes() { tr -d '\000-\177' <"$1" | wc -c; }

# ---------------------------------------------------------------- servers

cat >"$tmp/names.py" <<'EOF'
# names.py: a fake pprof target. /debug/pprof/goroutine serves goroutine
# debug=1 text with hostile function names and a group growing every poll;
# the index lists only goroutine; everything else is Go's 404.
import http.server, socketserver
LONG = "main.LONG" + "x" * 5000 + "END"
CTRL = "main.CTRL\x07bell\x1b[2Jclr\x1bcris\x9bcsi\x7fdel"
BAD = "main.BAD\xff\xfe\xc3(utf"
n = 0
def body():
    recs = [(3, LONG), (2, CTRL), (1, BAD), (n, "main.GROW")]
    out = ["goroutine profile: total %d" % sum(c for c, _ in recs)]
    for i, (c, fn) in enumerate(recs):
        out += ["%d @ 0x%x" % (c, 0x1000 + i),
                "#\t0x%x\t%s+0x1\t/src/pkg/f%d.go:%d" % (0x1000 + i, fn, i, 10 + i), ""]
    return "\n".join(out).encode("latin-1")
class H(http.server.BaseHTTPRequestHandler):
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
            self.send(200, body())
        else:
            self.send(404, b"Unknown profile\n", extra=[("X-Go-Pprof", "1")])
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print("listening on 127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
EOF

start_server demo "$demo_bin" -addr 127.0.0.1:0 -churn -heap-max 16777216 || exit 1
demo=http://$addr
start_server names python3 "$tmp/names.py" || exit 1
names=http://$addr

# ---------------------------------------------------------------- too small

tui_start main 100 30 C.UTF-8 "$bin" -i 0.2 --budget 0 "$demo" || notok "main: no start"
if wait_for main '^[0-9]+ goroutines in [0-9]+ groups'; then
	ok "main: the dashboard shows the demo's goroutines"
else
	notok "main: no data"
	screen main | diag
fi

resize main 20 6
if wait_row main 1 '^Terminal too small$' && width_ok main 20 6 &&
	[ "$(screen main | tail -n +2 | tr -d ' \n')" = "" ]; then
	ok "20x6: 'Terminal too small' alone on the screen"
else
	notok "20x6: not the too-small message"
	screen main | diag
fi
tm send-keys -t main 2 # keys still work while too small
sleep 0.3
resize main 60 8
if wait_row main 1 '^Terminal too small \(60x8, need 50x10\)$' && width_ok main 60 8 &&
	[ "$(screen main | tail -n +2 | tr -d ' \n')" = "" ]; then
	ok "60x8: the message gives the size and the minimum"
else
	notok "60x8: wrong too-small message"
	screen main | diag
fi
resize main 49 30
if wait_row main 1 '^Terminal too small \(49x30, need 50x10\)$'; then
	ok "49x30: one column short is too small"
else
	notok "49x30: wrong screen"
	screen main | diag
fi
resize main 50 10
if wait_row main 1 '^pproftop ' && wait_row main 10 '^\? help' && width_ok main 50 10; then
	ok "50x10: the minimum size draws the dashboard"
else
	notok "50x10: no dashboard"
	screen main | diag
fi
resize main 100 30
if wait_for main 'INUSE' && wait_row main 1 '^pproftop '; then
	ok "the key pressed while too small (2: heap pane) took effect"
else
	notok "after too small: no heap pane"
	screen main | diag
fi
tm send-keys -t main 1

# ---------------------------------------------------------------- resize storm
# (with a few keys mixed in)

RANDOM=4242 # the same storm every run
t0=$(date +%s%N)
for ((i = 0; i < 50; i++)); do
	resize main $((20 + RANDOM % 281)) $((6 + RANDOM % 75))
	if [ $((i % 10)) = 5 ]; then
		tm send-keys -t main Tab j # keys in the middle of the storm
	fi
	sleep 0.03
done
resize main 137 41
t1=$(date +%s%N)
tm send-keys -t main 1 g
storm_ms=$(((t1 - t0) / 1000000))
if alive main; then
	ok "resize storm: 50 resizes in $storm_ms ms, pproftop alive"
else
	notok "resize storm: pproftop died (exit '$(cat "$tmp/main.exit" 2>/dev/null)')"
	diag <"$tmp/main.err"
fi
if wait_row main 1 '^pproftop http://' && wait_row main 41 '^\? help  q quit' &&
	wait_row main 4 '^ 1 Goroutines \([0-9]+\) .* sort: COUNT$' &&
	wait_row main 5 '^[0-9]+ goroutines in [0-9]+ groups' &&
	wait_row main 7 'COUNT .*FUNCTION  FILE:LINE' && width_ok main 137 41; then
	t2=$(date +%s%N)
	ok "after the storm: the dashboard at 137x41 ($(((t2 - t1) / 1000000)) ms to settle)"
else
	notok "after the storm: wrong screen at 137x41"
	screen main | diag
fi
# the sizes a process does not see: stopped, the terminal goes to 137x6
# and back; on SIGCONT one SIGWINCH says 137x41, the size curses knew,
# while tmux has blanked lines 7-41: the hint line must be drawn again
pt=$(cat "$tmp/main.pid")
kill -STOP "$pt"
resize main 137 6
sleep 0.2
resize main 137 41
sleep 0.2
kill -CONT "$pt"
if wait_row main 41 '^\? help  q quit' && wait_row main 7 'COUNT .*FUNCTION  FILE:LINE'; then
	ok "137x6 and back while stopped: the lines tmux blanked are drawn again"
else
	notok "137x6 and back while stopped: lines left blank"
	screen main | diag
fi
if redraw_stable main; then
	ok "after the storm: a full repaint (C-l) changes nothing"
else
	notok "after the storm: C-l changed the screen (garbage left behind)"
fi

# ---------------------------------------------------------------- 300 columns

resize main 300 80
if wait_row main 2 '^goroutines .*HeapAlloc .*HeapInuse .*Sys .*NumGC .*GC pause' &&
	wait_row main 3 '^ 1 Goroutines \([0-9]+\) .* sort: COUNT$' && width_ok main 300 80; then
	ok "300x80: the six meters on one row, the tabs on the next"
else
	notok "300x80: wrong layout"
	screen main | cut -c1-300 | diag
fi
l3=$(row main 3)
if [ "${#l3}" -eq 299 ]; then
	ok "300x80: the sort label ends at the right edge"
else
	notok "300x80: the tab line is ${#l3} columns, expected 299"
fi
if redraw_stable main; then
	ok "300x80: a full repaint (C-l) changes nothing"
else
	notok "300x80: C-l changed the screen"
fi
tui_quit main

# ---------------------------------------------------------------- hostile names

# a 10 s verdict window: the growth mark after 5 s of data
tui_start names 300 40 C.UTF-8 "$bin" -i 0.2 --budget 0 --window 10 "$names" || notok "names: no start"
if wait_for names '▲ \+[0-9]+/min main\.GROW f3\.go:13$'; then
	ok "names: the growing group is marked ▲"
else
	notok "names: no ▲ on main.GROW"
	screen names | cut -c1-300 | diag
fi
screen names >"$tmp/names.300"
long=$(grep -a 'main\.LONG' "$tmp/names.300")
nx=$(printf '%s' "$long" | tr -cd x | wc -c)
if [[ $long =~ main\.LONGx+…\ f0\.go:10$ ]] && [ "$nx" -ge 200 ]; then
	ok "names, 300 columns: the 5009-byte name fills the width ($nx x) and ends in …"
else
	notok "names, 300 columns: long name row is '${long:0:80}...' ($nx x)"
fi
if grep -aqF 'main.CTRL\x07bell\x1b[2Jclr\x1bcris\x9bcsi\x7fdel f1.go:11' "$tmp/names.300"; then
	ok "names: control bytes shown escaped (\\x07 \\x1b \\x9b \\x7f)"
else
	notok "names: control bytes not shown escaped"
	grep -a CTRL "$tmp/names.300" | cat -v | diag
fi
if grep -aqF 'main.BAD\xff\xfe\xc3(utf f2.go:12' "$tmp/names.300"; then
	ok "names: invalid UTF-8 shown escaped"
else
	notok "names: invalid UTF-8 not shown escaped"
	grep -a BAD "$tmp/names.300" | cat -v | diag
fi
resize names 100 30
if wait_for names 'main\.LONGx+… f0\.go:10$'; then
	ok "names, 100 columns: the long name is cut with … and keeps its location"
else
	notok "names, 100 columns: no … cut"
	screen names | diag
fi
# the filter keeps main.CTRL alone; Enter opens its detail view
tm send-keys -t names / C T R L Enter
wait_for names '^ 1 Goroutines \(1\)' 3
tm send-keys -t names Enter
wait_for names '^Goroutines › main\.CTRL' 3
if screen names | grep -aqF 'Goroutines › main.CTRL\x07bell\x1b[2Jclr\x1bcris\x9bcsi\x7fdel'; then
	ok "names: the detail view shows the name escaped"
else
	notok "names: detail view of main.CTRL not found or not escaped"
	screen names | cat -v | diag
fi
tm send-keys -t names Escape
sleep 0.2
tm capture-pane -p -e -t names >"$tmp/names.sgr"
if python3 - "$tmp/names.sgr" <<'EOF'; then
import re, sys
data = open(sys.argv[1], "rb").read()
rest = re.sub(rb"\x1b\[[0-9;:]*m", b"", data)
bad = [c for c in rest if c < 0x20 and c != 0x0a]
sys.exit(1 if bad else 0)
EOF
	ok "names: capture-pane -e holds SGR sequences only"
else
	notok "names: capture-pane -e holds other control sequences"
	cat -v "$tmp/names.sgr" | diag 10
fi
tui_quit names
# the raw stream the pane received: none of the hostile sequences, verbatim
if python3 - "$tmp/names.raw" <<'EOF'; then
import sys
raw = open(sys.argv[1], "rb").read()
bad = [b"\x07bell", b"\x1b[2Jclr", b"\x1bcris", b"\x9bcsi", b"\x7fdel", b"\xff\xfe\xc3("]
found = [b for b in bad if b in raw]
print("#   %d bytes of terminal output recorded" % len(raw))
if found or len(raw) < 1000:
    print("#   raw in the output:", found)
    sys.exit(1)
EOF
	ok "names: no hostile byte reached the terminal (pipe-pane record)"
else
	notok "names: hostile bytes reached the terminal"
fi

# batch and JSON output: the same names. The first poll also asks for the
# profiles the server lacks (the index is read last): their 404s may be
# reported, nothing else.
only_404() {
	! grep -v '^pproftop: [a-z]*: HTTP 404: Unknown profile$' "$1" | grep -q .
}
"$bin" --batch -n 1 "$names" >"$tmp/batch.out" 2>"$tmp/batch.err"
rc=$?
if [ "$rc" -le 1 ] && grep -aq 'main\.GROW' "$tmp/batch.out" && only_404 "$tmp/batch.err"; then
	ok "names: batch run (exit $rc)"
else
	notok "names: batch exit $rc"
	diag <"$tmp/batch.err"
fi
if python3 - "$tmp/batch.out" <<'EOF'; then
import sys
raw = open(sys.argv[1], "rb").read()
ctl = sorted({c for c in raw if (c < 0x20 and c not in (0x0a, 0x09)) or c == 0x7f})
try:
    raw.decode("utf-8")
    utf8 = True
except UnicodeDecodeError:
    utf8 = False
if ctl or not utf8:
    print("#   control bytes %s, valid UTF-8: %s" % (["0x%02x" % c for c in ctl], utf8))
    for l in raw.split(b"\n"):
        if b"CTRL" in l or b"BAD" in l:
            print("#   " + repr(l[:120]))
    sys.exit(1)
EOF
	ok "names: batch output has no raw control bytes and is valid UTF-8"
else
	notok "names: batch output passes raw control bytes / invalid UTF-8 to the terminal"
fi
"$bin" --batch --json -n 1 "$names" >"$tmp/json.out" 2>"$tmp/json.err"
if python3 - "$tmp/json.out" <<'EOF'; then
import json, sys
raw = open(sys.argv[1], "rb").read()
doc = json.loads(raw.decode("utf-8"))
text = json.dumps(doc)
assert "main.CTRL\\u0007bell\\u001b[2Jclr" in text, "CTRL name not kept"
assert all(c >= 0x20 for c in raw if c != 0x0a), "raw control bytes"
EOF
	ok "names: --json output is valid JSON (UTF-8) with the control bytes escaped"
else
	notok "names: --json output is not valid JSON / not escaped"
	head -c 600 "$tmp/json.out" | cat -v | diag 10
fi
if only_404 "$tmp/json.err"; then
	ok "names: --json stderr has nothing but 404s"
else
	notok "names: --json stderr"
	diag <"$tmp/json.err"
fi

# ---------------------------------------------------------------- LANG=C

tui_start ascii 120 30 C "$bin" -i 0.2 --budget 0 --window 10 "$names" || notok "ascii: no start"
if wait_for ascii '\^ \+[0-9]+/min main\.GROW f3\.go:13$' && wait_for ascii 'main\.LONGx+\.\.\. f0\.go:10$' &&
	wait_row ascii 2 '^goroutines +[0-9]+ +[-_.:=+*#]*[-.:=+*#][-_.:=+*#]* '; then
	ok "LANG=C: ^ mark, ... cut and an ASCII sparkline"
else
	notok "LANG=C: no ASCII marks/sparkline"
	screen ascii | diag
fi
: >"$tmp/ascii.all"
grab() { tm capture-pane -p -e -t "$1" >>"$tmp/ascii.all"; }
grab ascii
tm send-keys -t ascii Enter # detail of the top row
wait_for ascii '^Goroutines > main\.' 3 || notok "LANG=C: no detail view"
grab ascii
tm send-keys -t ascii Escape
sleep 0.2
tm send-keys -t ascii '?'
wait_for ascii '^Keys' 3 || notok "LANG=C: no help"
grab ascii
tm send-keys -t ascii G # the end of the help: the marks legend
sleep 0.3
if screen ascii | grep -q '\^ +N/min growing'; then
	ok "LANG=C: the help's legend says ^"
else
	notok "LANG=C: the help's legend has no ASCII mark"
	screen ascii | diag
fi
grab ascii
tm send-keys -t ascii Escape
tui_quit ascii

tui_start ascii2 120 30 C "$bin" -i 0.2 --budget 0 "$demo" || notok "ascii2: no start"
wait_for ascii2 'main\.' 20 || notok "ascii2: no data"
for k in 1 2 3; do
	tm send-keys -t ascii2 "$k"
	sleep 0.5
	grab ascii2
	tm send-keys -t ascii2 Enter
	sleep 0.4
	grab ascii2
	tm send-keys -t ascii2 Escape
	sleep 0.2
done
if grep -q 'dBASE' "$tmp/ascii.all" && grep -q 'GROWTH/s' "$tmp/ascii.all"; then
	ok "LANG=C: heap pane titles in ASCII (dBASE)"
else
	notok "LANG=C: no ASCII heap titles"
fi
nh=$(high_bytes "$tmp/ascii.all")
nr=$(($(high_bytes "$tmp/ascii.raw") + $(high_bytes "$tmp/ascii2.raw")))
if [ "$nh" -eq 0 ] && [ "$nr" -eq 0 ]; then
	ok "LANG=C: no byte >= 0x80 on screen or in the output ($(wc -c <"$tmp/ascii.all") bytes of screens)"
else
	notok "LANG=C: $nh bytes >= 0x80 on screen, $nr in the raw output"
	grep -a $'[\x80-\xff]' "$tmp/ascii.all" | cat -v | diag 10
fi
tui_quit ascii2

echo "1..$n"
[ "$nfail" -eq 0 ]
