#!/bin/bash
# test_layers.sh - the rule of docs/architecture.md, checked on the sources:
# src/core includes none of curses.h, ev.h and curl/curl.h; src/ui includes
# neither libev nor libcurl; src/net no curses; headers under
# include/pproftop/ none of the three (fetch.h and poller.h only name
# struct ev_loop); and panes never see struct ui.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
n=0
bad=0
check() { # DESCRIPTION FILES-REGEX... : no file under the globs includes it
	local what=$1 re=$2 hits
	shift 2
	n=$((n + 1))
	hits=$(grep -lE "^#[[:space:]]*include[[:space:]]*<($re)>" "$@" 2>/dev/null)
	if [ -z "$hits" ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what:" $hits
		bad=1
	fi
}
echo "1..6"
check "src/core includes no curses, libev or libcurl" 'n?curses\.h|ev\.h|curl/curl\.h' src/core/*.c
check "include/pproftop/ headers include none of them" 'n?curses\.h|ev\.h|curl/curl\.h' include/pproftop/*.h
check "src/ui includes neither libev nor libcurl" 'ev\.h|curl/curl\.h' src/ui/*.[ch]
check "src/net includes no curses" 'n?curses\.h' src/net/*.c
n=$((n + 1))
# code, not comments: a line that names struct ui outside a comment
seen=$(grep -nE "struct ui\b" src/ui/pane.h src/ui/pane_*.c | grep -vE ":[0-9]+:\s*(/?\*|//)")
if [ -n "$seen" ]; then
	echo "not ok $n - the panes see struct ui:"
	sed 's/^/#   /' <<<"$seen"
	bad=1
else
	echo "ok $n - the panes see struct pane_ctx, never struct ui"
fi
n=$((n + 1))
# every pane of the registry is one line in src/ui/panes.c
reg=$(grep -cE '^\s*&pane_[a-z_]+_ops,' src/ui/panes.c)
files=$(grep -lE '^const struct pane_ops pane_[a-z_]+_ops = \{' src/ui/pane_*.c | wc -l)
# the overlays (help, detail) are panes outside the registry
if [ "$reg" -ge 3 ] && [ $((reg + 2)) -eq "$files" ]; then
	echo "ok $n - $reg tab panes in the registry, 2 overlays"
else
	echo "not ok $n - the registry has $reg panes, pane files define $files"
	bad=1
fi
exit $bad
