#!/bin/bash
# test_labels.sh - rows that tell themselves apart on a real Go service that
# nobody here wrote: Debian's Prometheus (Go 1.19), in the live dashboard at
# 80x24 (tmux, UTF-8).
#
# On every page of the goroutine pane (its first and, after PageDown, the
# next), no two rows read the same, and every label shows its function: it
# starts with a package name, not an import path ("scrape.(*scrapeLoop).run",
# not "github.com/prometheus/p..."), and is not cut ("..." or "…"). The batch
# text table, which uses the same labels, tells every goroutine group apart,
# and labels the all-standard-library stacks by their entry function
# (http.(*conn).serve, http.(*persistConn).readLoop), never by the
# net.(*netFD).Read they wait in.
#
# Prometheus (/usr/bin/prometheus, or $PROMETHEUS) is installed with apt-get
# when missing, as root only; otherwise, and without tmux, curl or python3,
# the test is skipped (exit 77). About 15 s.
#
# env: PPROFTOP_BIN, PROMETHEUS.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset PPROFTOP_HEADERS NO_COLOR

for tool in tmux curl python3 awk; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done

lib_name=labels
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"
find_prometheus

start_prometheus "$prom" warn
if [ -z "$prom_pid" ]; then
	notok "prometheus did not become ready ($prom)"
	diag <"$tmp/prometheus.log"
	exit 1
fi
ok "prometheus ready at $url, pid $prom_pid"
# its first self-scrape: the kept-alive connection's goroutines
# (http.(*conn).serve, http.(*persistConn).readLoop) exist from then on
for ((i = 0; i < 150; i++)); do
	curl -sf --max-time 2 "$url/api/v1/targets" 2>/dev/null | grep -q '"health":"up"' && break
	sleep 0.1
done

# check_page FILE WHAT: the goroutine rows of a captured 80x24 screen (below
# the column titles, above the status line): labels unique and uncut, each
# starting with a package name.
check_page() {
	local f=$1 what=$2 out
	if out=$(python3 - "$f" <<'EOF'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
hdr = next((i for i, l in enumerate(lines) if "FUNCTION  FILE:LINE" in l), None)
if hdr is None:
    print("no column titles on the screen"); sys.exit(1)
col = lines[hdr].index("FUNCTION")
rows = []
for l in lines[hdr + 1:23]:
    if not re.match(r"^ +[0-9.kM]+ ", l):
        break
    rows.append(l[col:].rstrip())
if len(rows) < 5:
    print("only %d rows" % len(rows)); sys.exit(1)
bad = []
seen = {}
for r in rows:
    if r in seen:
        bad.append("two rows read %r" % r)
    seen[r] = 1
    if r.endswith("...") or r.endswith("\u2026"):
        bad.append("cut: %r" % r)
    fn = r.split(" ")[0]
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_.]*\.[^/]+$", fn) or "/" in fn.split("(")[0]:
        bad.append("not a package.function: %r" % r)
print("%d rows" % len(rows))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
	); then
		ok "$what: $out, every label unique, uncut, package.function"
	else
		notok "$what: $out"
		diag <"$f"
	fi
}

name=p80
if ! tui_start "$name" 80 24 C.UTF-8 "$bin" -i 1 "$url"; then
	notok "pproftop did not start"
	exit 1
fi
if wait_for "$name" '^ +[0-9]+ +[-+]?[0-9]+ +[-+]?[0-9]+ .*(scrape|http)\.' 15; then
	ok "the goroutine pane shows Prometheus's goroutines"
else
	notok "no goroutine rows of Prometheus on the screen"
	screen "$name" | diag
fi
sleep 2 # a second poll: the diff columns are there
screen "$name" >"$tmp/page1"
check_page "$tmp/page1" "80x24, first page"
tm send-keys -t "$name" NPage
sleep 0.5
screen "$name" >"$tmp/page2"
check_page "$tmp/page2" "80x24, after PageDown"
tm send-keys -t "$name" q
for ((i = 0; i < 100; i++)); do
	[ -e "$tmp/$name.exit" ] && break
	sleep 0.05
done
if [ "$(cat "$tmp/$name.exit" 2>/dev/null)" = 0 ]; then
	ok "pproftop quit on q"
else
	notok "pproftop did not quit on q (exit '$(cat "$tmp/$name.exit" 2>/dev/null)')"
	diag <"$tmp/$name.err"
fi

# every goroutine group in the batch text table
if "$bin" --batch -n 2 -i 1 "$url" >"$tmp/batch" 2>"$tmp/batch.err"; then
	ok "pproftop --batch ran"
else
	notok "pproftop --batch failed"
	diag <"$tmp/batch.err"
fi
awk '/^goroutine:/ { on = 1; next } on && /^$/ { exit } on && /^ +[0-9]/' "$tmp/batch" >"$tmp/grows"
ngroups=$(wc -l <"$tmp/grows")
# the label and location: everything after the STATE column
dups=$(sed -E 's/^ +[^ ]+ +[^ ]+  (.{14}) //' "$tmp/grows" | sort | uniq -d)
if [ "$ngroups" -ge 10 ] && [ -z "$dups" ]; then
	ok "batch: $ngroups goroutine groups, no two labelled alike"
else
	notok "batch: $ngroups goroutine groups; alike: $dups"
	diag <"$tmp/batch"
fi
# a connection's goroutine that served a scrape at one of the two polls is
# in that poll's stack only: it shows as a "[new]" or "[gone]" row, labelled
# the same way
if grep -Eq ' http\.\(\*conn\)\.serve \(server\.go:[0-9]+\)( \[(new|gone)\])?$' "$tmp/grows" &&
	grep -Eq ' http\.\(\*persistConn\)\.readLoop \(transport\.go:[0-9]+\)( \[(new|gone)\])?$' "$tmp/grows" &&
	! grep -q 'netFD' "$tmp/grows"; then
	ok "standard-library stacks are labelled by their entry function"
else
	notok "standard-library stacks: no http.(*conn).serve / http.(*persistConn).readLoop, or a netFD label"
	diag <"$tmp/grows"
fi
if grep -Eq 'IO wait +http\.\(\*conn\)\.serve ' "$tmp/grows"; then
	ok "the connection's goroutine waits in IO wait"
else
	notok "http.(*conn).serve is not in IO wait"
	diag <"$tmp/grows"
fi

echo "1..$n"
[ "$nfail" -eq 0 ]
