#!/bin/bash
# dashboard.sh - the dashboard's own cost on the 100k-goroutine service
# (issue 11: "<= 40 MiB RSS and <= 3% of a core at -i 1; the per-group cost
# is documented, and memory grows with the groups held, not with time").
#
#   bench/dashboard.sh [DURATION]      (default DURATION: 120 seconds)
#
# Standalone: installs what is missing with apt-get (tmux, curl, golang-go),
# builds pproftop in $BUILD (default build, the default buildtype) and the
# demo service (scripts/build-demo.sh) unless DEMO names a binary. Then, for
# two sizes of the demo, one after the other:
#
#   big:   -quiet -heartbeat -spawn 100000 -stacks 20000
#   small: -quiet -heartbeat -spawn 10000 -stacks 2000
#
# it starts the demo on 127.0.0.1:0, waits until every goroutine is parked
# (bench/demo-lib.sh), runs `pproftop -i 1 http://ADDR` in a detached tmux
# session (200x60, a private tmux server) for DURATION seconds, and samples
# every 10 s VmRSS and VmHWM from /proc/PID/status and utime+stime from
# /proc/PID/stat. CPU is counted from the first sample (3 s after the start,
# once the first polls are in) to the last. It prints, per size: the CPU %
# of a core, RSS at each sample (does it grow with time?), the peak RSS
# (VmHWM), the groups the goroutine pane holds (read from its tab bar), and
# at the end the per-group cost: (RSS big - RSS small) / (groups big -
# groups small), from the last samples. The load average is printed with
# each run: the figures are noisy on a shared machine.
#
# Environment: BUILD (build dir, default build), DEMO (demo binary),
# INTERVAL (sampling period, default 10 s), SIZES (default "big small";
# "big" alone for a long run), KEEP=1 (leave the raw samples and screens in
# $OUT, default build/bench-dashboard).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/demo-lib.sh
. "$root/bench/demo-lib.sh"
cd "$root"

DURATION=${1:-120}
INTERVAL=${INTERVAL:-10}
BUILD=${BUILD:-$root/build}
OUT=${OUT:-$root/build/bench-dashboard}
case "$DURATION" in
'' | *[!0-9]*)
	echo "usage: bench/dashboard.sh [DURATION-SECONDS]" >&2
	exit 2
	;;
esac

need=()
for t in tmux:tmux curl:curl go:golang-go; do
	command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
if [ -z "${DEMO:-}" ] || [ ${#need[@]} -gt 0 ]; then
	if [ ${#need[@]} -gt 0 ]; then
		echo "dashboard.sh: installing ${need[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y "${need[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${need[@]}" >&2; }
	fi
fi
[ -d "$BUILD" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" -j2 pproftop >/dev/null
PPT=$BUILD/pproftop
if [ -z "${DEMO:-}" ]; then
	scripts/build-demo.sh >/dev/null
	DEMO=$root/build/demo/demo
fi

rm -rf "$OUT"
mkdir -p "$OUT"
CLK=$(getconf CLK_TCK)
TSOCK=pproftop-dash-$$
pids=()
cleanup() {
	stop_started "$TSOCK"
	[ "${KEEP:-0}" = 1 ] || rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
tm() { tmux -L "$TSOCK" -f /dev/null "$@"; }

say "# dashboard.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)"
say "# pproftop -i 1 in tmux 200x60 for ${DURATION}s, samples every ${INTERVAL}s"

declare -A RSS NG
# run NAME SPAWN STACKS
run() {
	local name=$1 spawn=$2 stacks=$3 ppt c0 t0 c t rss hwm el groups
	demo_launch "$DEMO" "$OUT" "$name" -quiet -heartbeat -spawn "$spawn" -stacks "$stacks" ||
		{ echo "dashboard.sh: $demo_error" >&2; exit 1; }
	local dpid=$demo_pid
	say ""
	say "## $name: demo -spawn $spawn -stacks $stacks at $demo_addr (load $(load))"
	tm new-session -d -s "$name" -x 200 -y 60 "exec $PPT -i 1 http://$demo_addr"
	ppt=$(tm list-panes -t "$name" -F '#{pane_pid}')
	sleep 3
	c0=$(cpu_ticks "$ppt") t0=$(now)
	say "    t(s)  RSS(MiB)  HWM(MiB)  CPU since start (% of a core)"
	el=0
	while :; do
		rss=$(kib "$ppt" VmRSS) hwm=$(kib "$ppt" VmHWM)
		c=$(cpu_ticks "$ppt") t=$(now)
		el=$(calc "$t - $t0" 0)
		printf '    %4s  %8s  %8s  %s\n' "$el" "$(calc "$rss / 1024" 1)" "$(calc "$hwm / 1024" 1)" \
			"$(calc "($el > 0) ? ($c - $c0) * 100 / $CLK / ($t - $t0) : 0" 2)"
		echo "$el $rss $hwm $c" >>"$OUT/$name.samples"
		[ "$el" -ge "$DURATION" ] && break
		sleep "$INTERVAL"
	done
	tm capture-pane -p -t "$name" >"$OUT/$name.screen"
	# the tab bar's goroutine tab: "1 Goroutines (20010)"
	groups=$(grep -oE 'Goroutines \([0-9]+\)' "$OUT/$name.screen" | head -n 1 | tr -dc 0-9 || true)
	RSS[$name]=$rss NG[$name]=${groups:-$stacks}
	say "  CPU $(calc "($c - $c0) * 100 / $CLK / ($t - $t0)" 2)% of a core over ${el}s," \
		"RSS $(calc "$rss / 1024" 1) MiB at the end, peak (VmHWM) $(calc "$hwm / 1024" 1) MiB," \
		"groups ${NG[$name]}, load $(load)"
	say "  header: $(head -n 1 "$OUT/$name.screen" | sed 's/  */ /g')"
	say "  status: $(grep -v '^ *$' "$OUT/$name.screen" | tail -n 1 | sed 's/  */ /g')"
	tm kill-session -t "$name"
	kill "$dpid" 2>/dev/null || true
	wait "$dpid" 2>/dev/null || true
}

for size in ${SIZES:-big small}; do
	case $size in
	big) run big 100000 20000 ;;
	small) run small 10000 2000 ;;
	*) echo "dashboard.sh: SIZES: big, small" >&2; exit 2 ;;
	esac
done
if [ -n "${RSS[big]:-}" ] && [ -n "${RSS[small]:-}" ]; then
	say ""
	say "## per group: (RSS big - RSS small) / (groups big - groups small) =" \
		"($(calc "${RSS[big]} / 1024" 1) - $(calc "${RSS[small]} / 1024" 1) MiB) / (${NG[big]} - ${NG[small]})" \
		"= $(calc "(${RSS[big]} - ${RSS[small]}) / (${NG[big]} - ${NG[small]})" 2) KiB"
fi
